package rules

import (
	"context"
	"slices"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// Policy enforces: a policy's effective period does not end before it
// begins; a policy does not supersede itself; linked objects exist.
func Policy() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.OpeningPolicyFunc(func(ctx context.Context, m *ent.OpeningPolicyMutation) (ent.Value, error) {
			if err := checkPolicy(ctx, m); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne)
}

func checkPolicy(ctx context.Context, m *ent.OpeningPolicyMutation) error {
	op := m.Op()
	if op.Is(ent.OpUpdate) {
		_, from := m.EffectiveFrom()
		_, until := m.EffectiveUntil()
		if from || until {
			return bulkUpdateRefused("effectiveFrom")
		}
	} else {
		from, err := valueAfter(ctx, op, m.EffectiveFrom, m.EffectiveFromCleared(), m.OldEffectiveFrom)
		if err != nil {
			return err
		}
		until, err := valueAfter(ctx, op, m.EffectiveUntil, m.EffectiveUntilCleared(), m.OldEffectiveUntil)
		if err != nil {
			return err
		}
		if from != nil && until != nil && until.Before(*from) {
			return apperr.Invalid("effectiveUntil", "%s is before effectiveFrom %s", until, from)
		}
	}
	if id, ok := m.ID(); ok {
		if v, set := m.SupersededByID(); set && v == id {
			return apperr.Invalid("supersededByID", "a policy cannot supersede itself")
		}
		if slices.Contains(m.SupersedesIDs(), id) {
			return apperr.Invalid("addSupersedeIDs", "a policy cannot supersede itself")
		}
	}
	c := m.Client()
	if v, ok := m.SupersededByID(); ok {
		if err := checkRefs(ctx, c, "supersededByID", globalid.Policy, []int{v}); err != nil {
			return err
		}
	}
	if err := checkRefs(ctx, c, "addSupersedeIDs", globalid.Policy, m.SupersedesIDs()); err != nil {
		return err
	}
	if err := checkRefs(ctx, c, "addProjectIDs", globalid.Project, m.ProjectsIDs()); err != nil {
		return err
	}
	return checkRefs(ctx, c, "addPartnerIDs", globalid.Partner, m.PartnersIDs())
}
