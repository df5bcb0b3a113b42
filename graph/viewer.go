package graph

import (
	"context"

	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/graph/model"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// viewer describes the caller. A caller may always see its own key, which
// the key table's policy otherwise shows to admins only.
func (r *Resolver) viewer(ctx context.Context) (*model.Viewer, error) {
	a := auth.FromContext(ctx)
	if a == nil {
		a = &auth.Actor{Role: auth.Anonymous}
	}
	v := &model.Viewer{Role: model.ViewerRole(a.Role), CanWrite: a.CanWrite()}
	if a.Role == auth.System {
		v.Role = model.ViewerRoleAdmin
	}
	if a.KeyID != 0 {
		k, err := r.Client.APIKey.Get(privacy.DecisionContext(ctx, privacy.Allow), a.KeyID)
		if err != nil {
			return nil, err
		}
		v.Key = k
	}
	if a.PartnerID != 0 {
		p, err := r.Client.Partner.Get(ctx, a.PartnerID)
		if err != nil {
			return nil, err
		}
		v.Partner = p
	}
	return v, nil
}
