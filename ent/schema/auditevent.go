package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bri-tracker/bri-tracker/internal/audit"
)

// AuditEvent records one write: who made it, when, to what, and each field
// it changed with the old and the new value. It names its object by id, not
// by a foreign key, so that history outlives the object.
type AuditEvent struct {
	ent.Schema
}

// Annotations of the AuditEvent.
func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("One recorded write: who made it, when, to which object, and each changed field's old and new value."),
		entsql.Table("audit_events"),
		entsql.IncrementStart(auditEventIDStart),
		entgql.QueryField("auditEvents").Description("The audit trail of every write, oldest first unless ordered otherwise. For callers with an API key."),
		entgql.RelayConnection(),
	}
}

// Fields of the AuditEvent.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Time("at").
			Default(time.Now).Immutable().
			Comment("When the write happened (RFC 3339).").
			Annotations(entgql.OrderField("AT")),
		field.String("actor_name").
			Immutable().
			Comment("The API key's name, or `system` (with the job, e.g. `system:import`) for the server's own writes."),
		field.Enum("actor_role").
			Values("VIEWER", "EDITOR", "PARTNER", "ADMIN", "SYSTEM").
			Immutable().
			Comment("The role the write was made with."),
		field.Int("actor_key_id").
			Optional().Nillable().Immutable().
			Comment("The id of the API key used, if any.").
			Annotations(entgql.Type("ID")),
		field.Enum("operation").
			Values("CREATE", "UPDATE", "DELETE").
			Immutable().
			Comment("What the write did."),
		field.Enum("entity_type").
			Values("Partner", "Project", "Policy", "ProjectParticipant").
			Immutable().
			Comment("The type of the object written."),
		field.Int("entity_id").
			Immutable().
			Comment("The id of the object written; it may no longer exist.").
			Annotations(entgql.Type("ID")),
		field.Int64("seq").
			Optional().Nillable().
			Comment("The event's place in commit order: numbered as its transaction commits, one after another (see internal/live); null until then.").
			Annotations(entgql.Skip()),
		field.JSON("changes", []audit.Change{}).
			Immutable().
			Comment("Each changed field with its old and new value.").
			Annotations(entgql.Type("[AuditChange!]"), entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the AuditEvent.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		// an object's history, in id order (its default)
		index.Fields("entity_type", "entity_id", "id"),
		index.Fields("at"),
		// the stream in commit order, and where a resumed subscription starts
		index.Fields("seq").Unique(),
		// the events of committed writes still to be numbered
		index.Fields("id").Annotations(entsql.IndexWhere("seq IS NULL")).StorageKey("auditevent_unnumbered"),
		index.Fields("actor_name"),
	}
}
