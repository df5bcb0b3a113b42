// Package rules holds the domain rules that span fields or rows. They run as
// ent hooks (registered in ent/schema), so the GraphQL API, the importer and
// any other path that writes through ent obey them alike.
package rules

import (
	"context"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// valueAfter returns what a field holds once an update-one or create mutation
// is applied: the new value if the mutation sets it, nothing if it clears it,
// otherwise the stored value.
func valueAfter[T any](ctx context.Context, op ent.Op, set func() (T, bool), cleared bool, old func(context.Context) (*T, error)) (*T, error) {
	if v, ok := set(); ok {
		return &v, nil
	}
	if cleared || op.Is(ent.OpCreate) {
		return nil, nil
	}
	return old(ctx)
}

// valueAfterRequired is valueAfter for a field that is never NULL.
func valueAfterRequired[T any](ctx context.Context, op ent.Op, set func() (T, bool), old func(context.Context) (T, error)) (T, error) {
	if v, ok := set(); ok {
		return v, nil
	}
	if op.Is(ent.OpCreate) {
		var zero T
		return zero, nil
	}
	return old(ctx)
}

// ptrOld adapts a generated OldX accessor of a required field to valueAfter.
func ptrOld[T any](old func(context.Context) (T, error)) func(context.Context) (*T, error) {
	return func(ctx context.Context) (*T, error) {
		v, err := old(ctx)
		if err != nil {
			return nil, err
		}
		return &v, nil
	}
}

// isAdmin reports whether the actor may correct anything: an ADMIN key or
// the server's own jobs.
func isAdmin(ctx context.Context) bool {
	a := auth.FromContext(ctx)
	return a != nil && a.IsAdmin()
}

// bulkUpdateRefused guards fields whose rules need each row's stored state:
// a bulk update may not touch them (the API updates one object at a time).
func bulkUpdateRefused(fields ...string) error {
	return apperr.Invalid(fields[0], "cannot be changed by a bulk update; update each object by id")
}
