package schema

import (
	"encoding/json"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bri-tracker/bri-tracker/internal/audit"
)

// Webhook is a partner system's (or an admin's) standing request to be sent
// each committed change of the kinds it names, as a signed HTTP POST (see
// internal/webhook).
type Webhook struct {
	ent.Schema
}

// Annotations of the Webhook.
func (Webhook) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A URL that is sent each committed change of the kinds it names, as a signed POST. Admins see every webhook; a PARTNER key its partner's."),
		entsql.Table("webhooks"),
		entsql.IncrementStart(webhookIDStart),
		entgql.QueryField("webhooks").Description("Webhooks: every one for an admin, its partner's for a PARTNER key."),
		entgql.RelayConnection(),
	}
}

// Fields of the Webhook.
func (Webhook) Fields() []ent.Field {
	return []ent.Field{
		field.String("url").
			NotEmpty().MaxLen(2048).
			Comment("Where deliveries are POSTed: an http or https URL of a public address.").
			Annotations(entgql.OrderField("URL")),
		field.String("description").
			Default("").MaxLen(500).
			Comment("What the webhook is for."),
		field.JSON("events", []audit.Kind{}).
			Comment("The kinds of change sent.").
			Annotations(entgql.Type("[WebhookEvent!]")),
		field.JSON("filter", json.RawMessage{}).
			Optional().
			Comment("The where filter (an AuditEventWhereInput) as given to createWebhook or updateWebhook; null sends every change of the kinds named.").
			Annotations(entgql.Type("JSON"), entgql.Skip(entgql.SkipWhereInput)),
		field.JSON("predicate", json.RawMessage{}).
			Optional().Sensitive().
			Comment("The where filter as the server reads it (ent's AuditEventWhereInput with internal ids)."),
		field.String("secret").
			Sensitive().
			Comment("The signing secret (whsec_ and base64); shown once, when the webhook is created."),
		field.String("previous_secret").
			Optional().Sensitive().
			Comment("The secret before the last rotation, which also signs each delivery until previous_secret_expires_at."),
		field.Time("previous_secret_expires_at").
			Optional().Nillable().
			Comment("Until when deliveries are also signed with the secret before the last rotateWebhookSecret (RFC 3339); null when they are not."),
		field.Int("partner_id").
			Optional().Nillable().Immutable().
			Comment("The partner a PARTNER key made the webhook for: it is sent only what that partner's keys may read.").
			Annotations(entgql.Type("ID")),
		field.String("created_by").
			Immutable().
			Comment("The name of the API key that created the webhook."),
		field.Bool("active").
			Default(true).
			Comment("Whether changes are sent. An inactive webhook records no new deliveries and sends none until made active again."),
		field.Time("created_at").
			Default(time.Now).Immutable().
			Comment("When the webhook was created (RFC 3339).").
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").
			Default(time.Now).UpdateDefault(time.Now).
			Comment("When the webhook was last changed (RFC 3339)."),
	}
}

// Edges of the Webhook.
func (Webhook) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("deliveries", WebhookDelivery.Type).
			Comment("The webhook's deliveries, oldest first.").
			Annotations(entgql.RelayConnection(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the Webhook.
func (Webhook) Indexes() []ent.Index {
	return []ent.Index{
		// a partner's webhooks, in id order
		index.Fields("partner_id", "id"),
	}
}

// WebhookDelivery is one audit event to send to one webhook: written in the
// same transaction as the change (the outbox), then sent until the receiver
// answers 2xx or the attempts run out.
type WebhookDelivery struct {
	ent.Schema
}

// Annotations of the WebhookDelivery.
func (WebhookDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("One change to send to one webhook, with every attempt so far. Its id is the `webhook-id` header: the same on every attempt, for receivers to drop duplicates."),
		entsql.Table("webhook_deliveries"),
		entsql.IncrementStart(webhookDeliveryIDStart),
		entgql.RelayConnection(),
	}
}

// Fields of the WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.Int("webhook_id").
			Immutable().
			Comment("The webhook it is sent to.").
			Annotations(entgql.Type("ID")),
		field.Int("audit_event_id").
			Immutable().
			Comment("The audit event it sends.").
			Annotations(entgql.Type("ID")),
		field.Enum("event").
			GoType(audit.Kind("")).
			Immutable().
			Comment("The kind of change.").
			Annotations(entgql.Type("WebhookEvent")),
		field.Enum("status").
			Values("PENDING", "DELIVERED", "FAILED").
			Default("PENDING").
			Comment("PENDING until the receiver answers 2xx (DELIVERED) or the attempts run out (FAILED).").
			Annotations(entgql.OrderField("STATUS")),
		field.Int("attempt_count").
			Default(0).
			Comment("How many times it has been sent."),
		field.JSON("attempts", []audit.DeliveryAttempt{}).
			Optional().
			Comment("The latest attempts (at most 20), oldest first.").
			Annotations(entgql.Type("[WebhookAttempt!]"), entgql.Skip(entgql.SkipWhereInput)),
		field.Time("next_attempt_at").
			Optional().Nillable().
			Comment("When it is sent next, while PENDING (RFC 3339); while an attempt is under way, when that attempt is given up for lost.").
			Annotations(entgql.OrderField("NEXT_ATTEMPT_AT")),
		field.Time("leased_until").
			Optional().Nillable().
			Comment("While an attempt is under way, when the process making it gives it up for lost: another process may claim the delivery then.").
			Annotations(entgql.Skip()),
		field.Time("delivered_at").
			Optional().Nillable().
			Comment("When the receiver answered 2xx (RFC 3339)."),
		field.Time("created_at").
			Default(time.Now).Immutable().
			Comment("When the change was committed and the delivery recorded (RFC 3339).").
			Annotations(entgql.OrderField("CREATED_AT")),
	}
}

// Edges of the WebhookDelivery.
func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("webhook", Webhook.Type).
			Ref("deliveries").
			Field("webhook_id").
			Unique().Required().Immutable().
			Comment("The webhook it is sent to."),
		edge.To("audit_event", AuditEvent.Type).
			Field("audit_event_id").
			Unique().Required().Immutable().
			Comment("The audit event it sends.").
			Annotations(entsql.OnDelete(entsql.NoAction)),
	}
}

// Indexes of the WebhookDelivery.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{
		// a webhook's deliveries, in id order (the edge's default)
		index.Fields("webhook_id", "id"),
		// the deliveries due, for the workers' claims
		index.Fields("next_attempt_at").Annotations(entsql.IndexWhere("status = 'PENDING'")).StorageKey("webhookdelivery_due"),
		index.Fields("audit_event_id"),
		// the finished deliveries past their retention, for the pruning
		index.Fields("created_at").Annotations(entsql.IndexWhere("status <> 'PENDING'")).StorageKey("webhookdelivery_finished"),
	}
}
