package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// APIKey is a credential for a partner system or a person. Only the hash of
// its secret is stored; the secret is shown once, when the key is created.
type APIKey struct {
	ent.Schema
}

// Annotations of the APIKey.
func (APIKey) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An API key: who may call the API and with which role. Visible to admins only."),
		entsql.Table("api_keys"),
		entsql.IncrementStart(apiKeyIDStart),
		entgql.Type("ApiKey"),
		entgql.QueryField("apiKeys").Description("API keys, for admins: names, roles, last use, revocation."),
		entgql.RelayConnection(),
	}
}

// Fields of the APIKey.
func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			NotEmpty().MaxLen(100).
			Comment("What the key is for, e.g. `qingdao-port-sync`.").
			Annotations(entgql.OrderField("NAME")),
		field.Enum("role").
			Values("VIEWER", "EDITOR", "PARTNER", "ADMIN").
			Comment("What the key may do.").
			Annotations(entgql.OrderField("ROLE")),
		field.String("secret_hash").
			Sensitive().Unique().Immutable().
			Comment("SHA-256 of the secret; never the secret itself."),
		field.String("hint").
			Immutable().
			Comment("The first characters of the secret, to tell keys apart."),
		field.Int("partner_id").
			Optional().Nillable().Immutable().
			Comment("The id of the partner a PARTNER key acts for."),
		field.Time("created_at").
			Default(time.Now).Immutable().
			Comment("When the key was created (RFC 3339).").
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("last_used_at").
			Optional().Nillable().
			Comment("When the key was last used, to the minute (RFC 3339)."),
		field.Time("revoked_at").
			Optional().Nillable().
			Comment("When the key was revoked; a revoked key is refused (RFC 3339)."),
	}
}

// Edges of the APIKey.
func (APIKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("partner", Partner.Type).
			Ref("api_keys").
			Field("partner_id").
			Unique().Immutable().
			Comment("The partner a PARTNER key acts for."),
	}
}
