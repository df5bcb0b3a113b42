package rules

import (
	"context"

	"github.com/bri-tracker/bri-tracker/ent"
)

// Versioned increments the version of every object an update changes, in
// the UPDATE statement itself (version = version + 1), so that two writers
// can never both think they wrote the next version.
func Versioned() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if v, ok := m.(interface{ AddVersion(int) }); ok && m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) {
				v.AddVersion(1)
			}
			return next.Mutate(ctx, m)
		})
	}
}
