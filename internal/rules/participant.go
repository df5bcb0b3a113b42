package rules

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// Participant enforces: a participation links an existing project and an
// existing partner, and a partner takes part in a project once.
func Participant() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.ProjectParticipantFunc(func(ctx context.Context, m *ent.ProjectParticipantMutation) (ent.Value, error) {
			projectID, _ := m.ProjectID()
			partnerID, _ := m.PartnerID()
			role, _ := m.Role()
			c := m.Client()
			if err := checkRefs(ctx, c, "projectID", globalid.Project, []int{projectID}); err != nil {
				return nil, err
			}
			if err := checkRefs(ctx, c, "partnerID", globalid.Partner, []int{partnerID}); err != nil {
				return nil, err
			}
			other, err := c.ProjectParticipant.Query().Where(
				projectparticipant.ProjectID(projectID),
				projectparticipant.PartnerID(partnerID),
			).Only(ctx)
			switch {
			case err == nil:
				return nil, &apperr.Error{Code: apperr.Conflict, Field: "partnerID",
					Message: fmt.Sprintf("partner %s already takes part in project %s as %s; remove that participation before adding it as %s",
						globalid.Encode(partnerID), globalid.Encode(projectID), other.Role, role),
					Extensions: map[string]any{"existingID": globalid.Encode(other.ID), "existingRole": string(other.Role)}}
			case !ent.IsNotFound(err):
				return nil, fmt.Errorf("check participation: %w", err)
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate)
}

func participation(c *ent.Client, projectID, partnerID int, role projectparticipant.Role) *ent.ProjectParticipantQuery {
	return c.ProjectParticipant.Query().Where(
		projectparticipant.ProjectID(projectID),
		projectparticipant.PartnerID(partnerID),
		projectparticipant.RoleEQ(role),
	)
}

// RemoveParticipant ends a partner's part in a project in one role and
// returns the id of the participation removed.
func RemoveParticipant(ctx context.Context, c *ent.Client, projectID, partnerID int, role projectparticipant.Role) (int, error) {
	id, err := participation(c, projectID, partnerID, role).FirstID(ctx)
	if ent.IsNotFound(err) {
		return 0, apperr.Missing("role", "partner %s does not take part in project %s as %s", globalid.Encode(partnerID), globalid.Encode(projectID), role)
	}
	if err != nil {
		return 0, fmt.Errorf("find participation: %w", err)
	}
	if err := c.ProjectParticipant.DeleteOneID(id).Exec(ctx); err != nil {
		return 0, fmt.Errorf("delete participation: %w", err)
	}
	return id, nil
}
