package schema

import (
	"entgo.io/ent"

	"github.com/bri-tracker/bri-tracker/internal/rules"
)

// Policy of the Partner: who may write it (internal/rules).
func (Partner) Policy() ent.Policy { return rules.PartnerPolicy() }

// Policy of the Project: who may write it (internal/rules).
func (Project) Policy() ent.Policy { return rules.ProjectPolicy() }

// Policy of the OpeningPolicy: who may write it (internal/rules).
func (OpeningPolicy) Policy() ent.Policy { return rules.PolicyPolicy() }

// Policy of the ProjectParticipant: who may write it (internal/rules).
func (ProjectParticipant) Policy() ent.Policy { return rules.ParticipantPolicy() }

// Policy of the ProjectPartner: derived from participations by
// internal/rules, which writes it with an explicit allow decision.
func (ProjectPartner) Policy() ent.Policy { return rules.DerivedPolicy() }

// Policy of the APIKey: admins only (internal/rules).
func (APIKey) Policy() ent.Policy { return rules.APIKeyPolicy() }

// Policy of the AuditEvent: read with a key, written only by the audit hook.
func (AuditEvent) Policy() ent.Policy { return rules.AuditEventPolicy() }

// Policy of the IdempotencyRecord: only the server itself uses the table.
func (IdempotencyRecord) Policy() ent.Policy { return rules.InternalOnlyPolicy() }

// Policy of the Webhook: admins, and PARTNER keys for their partner's.
func (Webhook) Policy() ent.Policy { return rules.WebhookPolicy() }

// Policy of the WebhookDelivery: read with the webhook, written by the server.
func (WebhookDelivery) Policy() ent.Policy { return rules.WebhookDeliveryPolicy() }
