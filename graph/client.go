package graph

import (
	"context"

	"github.com/bri-tracker/bri-tracker/ent"
)

// client returns the transactional client of the running mutation, or the
// root client outside one.
func (r *Resolver) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return r.Client
}
