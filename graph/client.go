package graph

import (
	"context"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/graph/model"
)

// client returns the transactional client of the running mutation, or the
// root client outside one.
func (r *Resolver) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return r.Client
}

// deleted reports a delete's outcome.
func deleted(id int, err error) (*model.DeletePayload, error) {
	if err != nil {
		return nil, notFound(err, "id", id)
	}
	return &model.DeletePayload{DeletedID: id}, nil
}
