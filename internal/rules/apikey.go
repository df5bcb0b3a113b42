package rules

import (
	"context"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// APIKey enforces: a PARTNER key is bound to an existing partner, and only a
// PARTNER key is bound to one.
func APIKey() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.APIKeyFunc(func(ctx context.Context, m *ent.APIKeyMutation) (ent.Value, error) {
			role, _ := m.Role()
			partnerID, bound := m.PartnerID()
			switch {
			case role == apikey.RolePARTNER && !bound:
				return nil, apperr.Invalid("partnerID", "a PARTNER key must name the partner it acts for")
			case role != apikey.RolePARTNER && bound:
				return nil, apperr.Invalid("partnerID", "only a PARTNER key acts for a partner, not a %s key", role)
			case bound:
				if err := checkRefs(ctx, m.Client(), "partnerID", globalid.Partner, []int{partnerID}); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate)
}
