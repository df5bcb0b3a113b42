package rules

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// PartnerCreatesOwnProjects lets a PARTNER key create a project only if its
// partner takes part in it by the end of the transaction: the project is
// noted as the actor's (so it may add participations to it), and the commit
// fails unless the actor's partner is among the participants.
func PartnerCreatesOwnProjects() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.ProjectFunc(func(ctx context.Context, m *ent.ProjectMutation) (ent.Value, error) {
			a := auth.FromContext(ctx)
			if a == nil || a.Role != auth.Partner {
				return next.Mutate(ctx, m)
			}
			tx := ent.TxFromContext(ctx)
			if tx == nil {
				return nil, denied("a PARTNER key creates projects through the API")
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return nil, err
			}
			id, _ := m.ID()
			a.NoteCreated(id)
			tx.OnCommit(func(next ent.Committer) ent.Committer {
				return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
					ok, err := tx.ProjectParticipant.Query().Where(
						projectparticipant.ProjectID(id),
						projectparticipant.PartnerID(a.PartnerID),
					).Exist(ctx)
					if err != nil {
						return fmt.Errorf("check participants of project %d: %w", id, err)
					}
					if !ok {
						return denied("a PARTNER key may only create projects that partner %s takes part in: list it in participants", globalid.Encode(a.PartnerID))
					}
					return next.Commit(ctx, tx)
				})
			})
			return v, nil
		})
	}, ent.OpCreate)
}
