package graph

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/graph/model"
)

// createProject creates a project and then its participations, in the
// request's transaction: the participations' rules and policies see the
// project as created by this request.
func createProject(ctx context.Context, c *ent.Client, input ent.CreateProjectInput, participants []*model.ParticipantInput) (*ent.Project, error) {
	p, err := c.Project.Create().SetInput(input).Save(ctx)
	if err != nil {
		return nil, err
	}
	for i, in := range participants {
		err := c.ProjectParticipant.Create().
			SetProjectID(p.ID).
			SetPartnerID(in.PartnerID).
			SetRole(in.Role).
			SetNillableSharePercent(in.SharePercent).
			Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("participants[%d]: %w", i, err)
		}
	}
	return p, nil
}
