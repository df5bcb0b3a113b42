// Package ctxflag carries a flag through a request's context: a layer that
// sees the whole request tracks it, and code deep inside (an error
// presenter, say) raises it.
package ctxflag

import (
	"context"
	"sync/atomic"
)

// Flag is one kind of flag; each is its own context key.
type Flag struct{ _ byte }

// Track returns a context in which Set raises the flag, and a function that
// reports whether it was raised.
func (f *Flag) Track(ctx context.Context) (context.Context, func() bool) {
	var raised atomic.Bool
	return context.WithValue(ctx, f, &raised), raised.Load
}

// Set raises the flag in ctx, if ctx tracks it.
func (f *Flag) Set(ctx context.Context) {
	if raised, ok := ctx.Value(f).(*atomic.Bool); ok {
		raised.Store(true)
	}
}
