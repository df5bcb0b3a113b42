package rules

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// PartnerDelete refuses to delete a partner that projects or other partners
// still point at, so that nothing dangles: its participations, the projects
// it hosts and the partners that call it home must go first.
func PartnerDelete() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.PartnerFunc(func(ctx context.Context, m *ent.PartnerMutation) (ent.Value, error) {
			ids, err := m.IDs(ctx)
			if err != nil {
				return nil, fmt.Errorf("partners to delete: %w", err)
			}
			if err := stillReferenced(ctx, m.Client(), ids); err != nil {
				return nil, err
			}
			memoFrom(ctx).forget()
			return next.Mutate(ctx, m)
		})
	}, ent.OpDelete|ent.OpDeleteOne)
}

func stillReferenced(ctx context.Context, c *ent.Client, ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	checks := []struct {
		what  string
		count func(context.Context) (int, error)
	}{
		{"takes part in %d project(s); remove its participations first", c.ProjectParticipant.Query().Where(projectparticipant.PartnerIDIn(ids...)).Count},
		{"hosts %d project(s); move or delete them first", c.Project.Query().Where(project.HostCountryIDIn(ids...)).Count},
		{"is the home country of %d partner(s); change or delete them first", c.Partner.Query().Where(partner.CountryIDIn(ids...)).Count},
	}
	for _, chk := range checks {
		n, err := chk.count(ctx)
		if err != nil {
			return fmt.Errorf("check references: %w", err)
		}
		if n > 0 {
			return &apperr.Error{Code: apperr.Conflict, Message: "the partner " + fmt.Sprintf(chk.what, n)}
		}
	}
	return nil
}
