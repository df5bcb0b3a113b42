package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// IdempotencyRecord remembers a request sent with an Idempotency-Key header
// and its response, so that a retry gets the same response and the request
// runs once. Not part of the GraphQL API.
type IdempotencyRecord struct {
	ent.Schema
}

// Annotations of the IdempotencyRecord.
func (IdempotencyRecord) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entsql.Table("idempotency_records"),
		entsql.IncrementStart(idempotencyRecordIDStart),
		entgql.Skip(entgql.SkipAll),
	}
}

// Fields of the IdempotencyRecord.
func (IdempotencyRecord) Fields() []ent.Field {
	return []ent.Field{
		field.String("scope").Immutable().
			Comment("Whose key it is: the API key's id, or the client address without one."),
		field.String("key").Immutable().MaxLen(255).
			Comment("The Idempotency-Key header."),
		field.String("request_hash").Immutable().
			Comment("SHA-256 of the request body, to refuse the key's reuse for another request."),
		field.Int("status").Optional().Nillable().
			Comment("The response's HTTP status; empty while the request runs."),
		field.Int("attempt").Default(1).
			Comment("Which run of the request holds the lease: a retry that takes an expired lease over adds one, and a run whose attempt is no longer the record's cannot store its response."),
		field.Time("lease_expires_at").Optional().Nillable().
			Comment("Until when the running attempt holds the key: the request timeout and a margin after it started. A retry after that, of a request that stored no response (its server crashed or lost the database), runs it again."),
		field.Bytes("response").Optional().Nillable().
			Comment("The response body."),
		field.String("content_type").Optional().
			Comment("The response's Content-Type."),
		field.Time("created_at").Default(time.Now).Immutable().
			Comment("When the request came in; records are kept at least 24 hours."),
	}
}

// Indexes of the IdempotencyRecord.
func (IdempotencyRecord) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("scope", "key").Unique(),
		index.Fields("created_at"),
	}
}
