package rules

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/ent/projectpartner"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// Participant enforces: a participation links an existing project and an
// existing partner, and a partner holds each role in a project once (it may
// hold several roles).
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
			memo := memoFrom(ctx)
			otherID, held, known := memo.participation(projectID, partnerID, role)
			if !known {
				other, err := participation(c, projectID, partnerID, role).Only(ctx)
				switch {
				case err == nil:
					otherID, held = other.ID, true
				case !ent.IsNotFound(err):
					return nil, fmt.Errorf("check participation: %w", err)
				}
			}
			if held {
				return nil, &apperr.Error{Code: apperr.Conflict, Field: "role",
					Message: fmt.Sprintf("partner %s already takes part in project %s in the role %s",
						globalid.Encode(partnerID), globalid.Encode(projectID), role),
					Extensions: map[string]any{"existingID": globalid.Encode(otherID)}}
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			if p, ok := v.(*ent.ProjectParticipant); ok {
				memo.added(projectID, partnerID, role, p.ID)
			}
			return v, nil
		})
	}, ent.OpCreate)
}

// ParticipantLinks keeps the project_partners links in step with the
// participations: a pair is linked while the partner holds at least one
// role in the project. Every path that writes participations passes here.
func ParticipantLinks() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return hook.ProjectParticipantFunc(func(ctx context.Context, m *ent.ProjectParticipantMutation) (ent.Value, error) {
			c := m.Client()
			allow := privacy.DecisionContext(ctx, privacy.Allow)
			if m.Op().Is(ent.OpCreate) {
				v, err := next.Mutate(ctx, m)
				if err != nil {
					return v, err
				}
				projectID, _ := m.ProjectID()
				partnerID, _ := m.PartnerID()
				if memoFrom(ctx).linked(projectID, partnerID) {
					return v, nil
				}
				// one statement whether or not the pair is linked already
				err = c.ProjectPartner.Create().SetProjectID(projectID).SetPartnerID(partnerID).
					OnConflictColumns(projectpartner.FieldProjectID, projectpartner.FieldPartnerID).DoNothing().
					Exec(allow)
				if err != nil {
					return nil, fmt.Errorf("link project %d and partner %d: %w", projectID, partnerID, err)
				}
				return v, nil
			}
			memoFrom(ctx).forget()
			if !m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
				return next.Mutate(ctx, m)
			}
			ids, err := m.IDs(ctx)
			if err != nil {
				return nil, err
			}
			gone, err := c.ProjectParticipant.Query().Where(projectparticipant.IDIn(ids...)).All(ctx)
			if err != nil {
				return nil, fmt.Errorf("read participations to delete: %w", err)
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			for _, p := range gone {
				left, err := c.ProjectParticipant.Query().Where(projectparticipant.ProjectID(p.ProjectID), projectparticipant.PartnerID(p.PartnerID)).Exist(ctx)
				if err != nil {
					return nil, fmt.Errorf("read remaining roles: %w", err)
				}
				if left {
					continue
				}
				if _, err := c.ProjectPartner.Delete().Where(projectpartner.ProjectID(p.ProjectID), projectpartner.PartnerID(p.PartnerID)).Exec(allow); err != nil {
					return nil, fmt.Errorf("unlink project %d and partner %d: %w", p.ProjectID, p.PartnerID, err)
				}
			}
			return v, nil
		})
	}
}

func participation(c *ent.Client, projectID, partnerID int, role projectparticipant.Role) *ent.ProjectParticipantQuery {
	return c.ProjectParticipant.Query().Where(
		projectparticipant.ProjectID(projectID),
		projectparticipant.PartnerID(partnerID),
		projectparticipant.RoleEQ(role),
	)
}

// RemoveParticipant ends a partner's part in a project in one role (its
// other roles stay) and returns the id of the participation removed.
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
