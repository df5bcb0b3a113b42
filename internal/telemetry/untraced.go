package telemetry

import "context"

type untracedKey struct{}

// Untraced marks ctx's database statements as background work that makes
// no spans: a reader woken by every commit (the subscriptions' hub) would
// otherwise fill traces with root spans of its own.
func Untraced(ctx context.Context) context.Context {
	return context.WithValue(ctx, untracedKey{}, true)
}

// IsUntraced reports whether ctx is marked by Untraced.
func IsUntraced(ctx context.Context) bool {
	v, _ := ctx.Value(untracedKey{}).(bool)
	return v
}
