// Package gqlext holds the GraphQL server's extensions to gqlgen's handler:
// query and page limits, the error presenter, transactions for mutations,
// trusted documents and the batching of fields under lists. The schema's
// resolvers are in graph; internal/httpapi installs these.
package gqlext

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Fields under a list (partners { projectStats }, projects { history }) are
// fetched for all the list's items at once: the first item's resolver finds
// its siblings in the list gqlgen resolved above it, fetches for every one,
// and the other items' resolvers take theirs from the operation's cache. No
// timing window is involved.

// batchCache holds an operation's batched fetches, by field and arguments.
type batchCache struct {
	mu      sync.Mutex
	fetches map[string]*fetch
}

// fetch is one batched query's result, shared by the items it covers.
type fetch struct {
	done  chan struct{}
	value any
	err   error
}

type batchCacheKey struct{}

// BatchLoaders gives every operation its own cache of batched results.
type BatchLoaders struct{}

var (
	_ graphql.HandlerExtension    = BatchLoaders{}
	_ graphql.ResponseInterceptor = BatchLoaders{}
)

// ExtensionName names the extension for gqlgen.
func (BatchLoaders) ExtensionName() string { return "BatchLoaders" }

// Validate has nothing to check.
func (BatchLoaders) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse puts a fresh cache in the operation's context.
func (BatchLoaders) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return next(context.WithValue(ctx, batchCacheKey{}, &batchCache{fetches: map[string]*fetch{}}))
}

// Batched returns the value for item from a fetch shared with the item's
// siblings: run fetches it for a list of ids and returns a map by id. The
// fetch is keyed by where the field is, its arguments and kind, which tells
// apart the item types that fetch differently at the same place (partners'
// and policies' statistics under nodes(ids:), say). Outside an operation
// (no cache), it fetches for the item alone.
func Batched[V any](ctx context.Context, kind string, item int, ids func(*graphql.FieldContext) []int, run func([]int) (map[int]V, error)) (V, error) {
	var zero V
	cache, ok := ctx.Value(batchCacheKey{}).(*batchCache)
	if !ok {
		res, err := run([]int{item})
		return res[item], err
	}
	fc := graphql.GetFieldContext(ctx)
	// Keyed by where the field is in the operation (its path without list
	// indexes), not only by its name: partners { projectStats } and
	// policies { projectStats } resolve at the same time, and would
	// otherwise take each other's fetch, miss their item and fetch again.
	var at []string
	for _, el := range fc.Path() {
		if name, ok := el.(ast.PathName); ok {
			at = append(at, string(name))
		}
	}
	raw, err := json.Marshal([]any{kind, at, fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)})
	if err != nil {
		return zero, err
	}
	key := string(raw)
	for {
		f, first := cache.claim(key)
		if first {
			f.value, f.err = run(ids(fc))
			close(f.done)
		} else {
			<-f.done
		}
		if f.err != nil {
			return zero, f.err
		}
		if v, ok := f.value.(map[int]V)[item]; ok {
			return v, nil
		}
		// not among that fetch's items (another list with the same field): fetch anew
		cache.release(key, f)
	}
}

// claim returns the fetch for key, and whether the caller must run it.
func (c *batchCache) claim(key string) (*fetch, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.fetches[key]; f != nil {
		return f, false
	}
	f := &fetch{done: make(chan struct{})}
	c.fetches[key] = f
	return f, true
}

// release forgets a fetch that did not cover the caller's item.
func (c *batchCache) release(key string, f *fetch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fetches[key] == f {
		delete(c.fetches, key)
	}
}
