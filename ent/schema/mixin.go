package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// TimestampsMixin gives an entity its createdAt and updatedAt, set by the
// server and never by clients.
type TimestampsMixin struct{ mixin.Schema }

// Fields of the mixin.
func (TimestampsMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(time.Now).
			Immutable().
			Comment("When the record was created (RFC 3339).").
			Annotations(entgql.OrderField("CREATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("updated_at").
			Default(time.Now).
			UpdateDefault(time.Now).
			Comment("When the record was last changed (RFC 3339).").
			Annotations(entgql.OrderField("UPDATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// VersionMixin gives an entity a version that every update increments
// (internal/rules), so that writers can detect and refuse lost updates.
type VersionMixin struct{ mixin.Schema }

// Fields of the mixin.
func (VersionMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Int("version").
			Default(1).
			Comment("Incremented by every update. Send it back as `expectedVersion` to update or delete only what you read.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
	}
}

// SearchMixin keeps a row's normalized text for search (internal/search);
// internal, never shown in the API.
type SearchMixin struct{ mixin.Schema }

// Fields of the mixin.
func (SearchMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Text("search_name").
			Optional().
			Comment("The normalized name or title, which ranks search matches highest.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Text("search_text").
			Optional().
			Comment("The normalized searchable text.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// optionalDecimal is an exact decimal: numeric in PostgreSQL, text in SQLite
// (whose numeric affinity would round it to a float).
func optionalDecimal(name, comment string, ants ...schema.Annotation) ent.Field {
	return field.Other(name, scalar.Decimal{}).
		SchemaType(map[string]string{dialect.Postgres: "numeric", dialect.SQLite: "text"}).
		Optional().Nillable().
		Comment(comment).
		Annotations(append(ants, entgql.Type("Decimal"))...)
}

// optionalDate is a calendar date without time: date in PostgreSQL, ISO text
// (which sorts as dates do) in SQLite.
func optionalDate(name, comment string, ants ...schema.Annotation) ent.Field {
	return field.Other(name, scalar.Date{}).
		SchemaType(map[string]string{dialect.Postgres: "date", dialect.SQLite: "text"}).
		Optional().Nillable().
		Comment(comment).
		Annotations(append(ants, entgql.Type("Date"))...)
}
