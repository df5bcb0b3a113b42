package rules

import (
	"context"
	"net/url"

	entgo "entgo.io/ent"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/ent/webhook"
	"github.com/bri-tracker/bri-tracker/ent/webhookdelivery"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/audit"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// webhookActor lets admins (and the system) and PARTNER keys at webhooks;
// it returns the partner whose webhooks alone the actor reaches, 0 for all.
func webhookActor(ctx context.Context) (int, error) {
	a := auth.FromContext(ctx)
	switch {
	case a == nil || a.Role == auth.Anonymous:
		return 0, unauthenticated("webhooks are for admins and PARTNER keys: send an API key")
	case a.IsAdmin():
		return 0, nil
	case a.Role == auth.Partner:
		return a.PartnerID, nil
	}
	return 0, denied("a %s key cannot see or change webhooks: they are for admins and PARTNER keys", a.Role)
}

// WebhookPolicy lets admins reach every webhook and a PARTNER key its
// partner's, and nobody else any.
func WebhookPolicy() entgo.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{privacy.WebhookQueryRuleFunc(func(ctx context.Context, q *ent.WebhookQuery) error {
			partner, err := webhookActor(ctx)
			if err != nil {
				return err
			}
			if partner != 0 {
				q.Where(webhook.PartnerID(partner))
			}
			return privacy.Allow
		})},
		Mutation: privacy.MutationPolicy{privacy.WebhookMutationRuleFunc(func(ctx context.Context, m *ent.WebhookMutation) error {
			partner, err := webhookActor(ctx)
			if err != nil {
				return err
			}
			if partner != 0 {
				if m.Op().Is(ent.OpCreate) {
					// the policy runs before the hooks: Webhook sets the
					// partner after it
					if p, ok := m.PartnerID(); ok && p != partner {
						return denied("a PARTNER key makes webhooks for its own partner only")
					}
				} else {
					m.Where(webhook.PartnerID(partner)) // another partner's: not found
				}
			}
			return privacy.Allow
		})},
	}
}

// WebhookDeliveryPolicy lets the callers who see a webhook see its
// deliveries; only the server writes them (the outbox, the workers and
// redeliverWebhook, with an explicit allow decision).
func WebhookDeliveryPolicy() entgo.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{privacy.WebhookDeliveryQueryRuleFunc(func(ctx context.Context, q *ent.WebhookDeliveryQuery) error {
			partner, err := webhookActor(ctx)
			if err != nil {
				return err
			}
			if partner != 0 {
				q.Where(webhookdelivery.HasWebhookWith(webhook.PartnerID(partner)))
			}
			return privacy.Allow
		})},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// Webhook checks a webhook as it is written, on every path: an http or
// https URL with a host, at least one kind of change, none twice; and it
// records who made it, and for a PARTNER key, the partner it is for. (That
// the URL's host is a public address is checked where the server's
// settings are known: internal/webhook's URL guard.)
func Webhook() entgo.Hook {
	return hook.On(func(next entgo.Mutator) entgo.Mutator {
		return hook.WebhookFunc(func(ctx context.Context, m *ent.WebhookMutation) (entgo.Value, error) {
			if u, ok := m.URL(); ok {
				if err := checkWebhookURL(u); err != nil {
					return nil, err
				}
			}
			if events, ok := m.Events(); ok {
				if len(events) == 0 {
					return nil, apperr.Invalid("events", "name at least one kind of change to send")
				}
				seen := map[audit.Kind]bool{}
				for _, e := range events {
					if !e.Valid() {
						return nil, apperr.Invalid("events", "%q is not a WebhookEvent", e)
					}
					if seen[e] {
						return nil, apperr.Invalid("events", "%s is named twice", e)
					}
					seen[e] = true
				}
			}
			if m.Op().Is(ent.OpCreate) {
				if a := auth.FromContext(ctx); a != nil {
					m.SetCreatedBy(a.Name)
					if a.Role == auth.Partner {
						m.SetPartnerID(a.PartnerID)
					}
				}
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne)
}

// checkWebhookURL checks a webhook URL's form: absolute http or https, with
// a host, without credentials or a fragment.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return apperr.Invalid("url", "%q is not a URL", raw)
	case u.Scheme != "http" && u.Scheme != "https":
		return apperr.Invalid("url", "%q: a webhook URL starts with https:// (or http://)", raw)
	case u.Hostname() == "":
		return apperr.Invalid("url", "%q has no host", raw)
	case u.User != nil:
		return apperr.Invalid("url", "a webhook URL carries no user name or password: the signature authenticates each request")
	case u.Fragment != "":
		return apperr.Invalid("url", "%q has a fragment (#...), which is never sent", raw)
	}
	return nil
}
