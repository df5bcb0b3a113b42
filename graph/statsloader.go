package graph

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/graph/model"
	"github.com/bri-tracker/bri-tracker/internal/stats"
)

// Statistics under a list (partners { projectStats }) are computed for all
// the list's items in one query: the first item's resolver finds its
// siblings in the list gqlgen has resolved above it, fetches every one's
// statistics, and the other items' resolvers take theirs from the
// operation's cache. No timing window is involved.

type statsCache struct {
	mu      sync.Mutex
	fetches map[string]*statsFetch // by the field's arguments
	shared  map[string]*fetch      // other batched fields (history)
}

// statsFetch is one query's results, shared by the items it covers.
type statsFetch struct {
	done    chan struct{}
	results map[int]*stats.Result
	err     error
}

type statsCacheKey struct{}

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
	return next(context.WithValue(ctx, statsCacheKey{}, &statsCache{fetches: map[string]*statsFetch{}, shared: map[string]*fetch{}}))
}

// ownerStats returns one owner's statistics, computed with its siblings'.
func (r *Resolver) ownerStats(ctx context.Context, kind stats.OwnerKind, owner int, where *ent.ProjectWhereInput,
	groupBy []stats.Dimension, orderBy *model.ProjectStatsOrder, limit *int,
) (*stats.Result, error) {
	q, err := statsQuery(nil, where, groupBy, orderBy, limit)
	if err != nil {
		return nil, err
	}
	cache, ok := ctx.Value(statsCacheKey{}).(*statsCache)
	if !ok {
		res, err := stats.ByOwner(ctx, r.Driver, r.Client, q, stats.Owners{Kind: kind, IDs: []int{owner}})
		if err != nil {
			return nil, err
		}
		return res[owner], nil
	}
	fc := graphql.GetFieldContext(ctx)
	raw, err := json.Marshal([]any{kind, fc.Field.Alias, fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)})
	if err != nil {
		return nil, err
	}
	for {
		cache.mu.Lock()
		f := cache.fetches[string(raw)]
		if f == nil {
			f = &statsFetch{done: make(chan struct{})}
			cache.fetches[string(raw)] = f
			cache.mu.Unlock()
			ids := siblings(fc, kind, owner)
			f.results, f.err = stats.ByOwner(ctx, r.Driver, r.Client, q, stats.Owners{Kind: kind, IDs: ids})
			close(f.done)
		} else {
			cache.mu.Unlock()
			<-f.done
		}
		if f.err != nil {
			return nil, f.err
		}
		if res, ok := f.results[owner]; ok {
			return res, nil
		}
		// not among that fetch's items (another list with the same field): fetch anew
		cache.mu.Lock()
		if cache.fetches[string(raw)] == f {
			delete(cache.fetches, string(raw))
		}
		cache.mu.Unlock()
	}
}

// siblings are the ids of the objects of the list the field's object is
// in, found in the results gqlgen resolved above the field; just the owner
// when it is in no list.
func siblings(fc *graphql.FieldContext, kind stats.OwnerKind, owner int) []int {
	for p := fc.Parent; p != nil; p = p.Parent {
		var ids []int
		switch v := p.Result.(type) {
		case *ent.PartnerConnection:
			for _, e := range v.Edges {
				ids = append(ids, e.Node.ID)
			}
		case []*ent.PartnerEdge:
			for _, e := range v {
				ids = append(ids, e.Node.ID)
			}
		case *ent.PolicyConnection:
			for _, e := range v.Edges {
				ids = append(ids, e.Node.ID)
			}
		case []*ent.PolicyEdge:
			for _, e := range v {
				ids = append(ids, e.Node.ID)
			}
		case []ent.Noder: // nodes(ids:)
			for _, n := range v {
				switch n := n.(type) {
				case *ent.Partner:
					if kind == stats.PartnerOwner {
						ids = append(ids, n.ID)
					}
				case *ent.OpeningPolicy:
					if kind == stats.PolicyOwner {
						ids = append(ids, n.ID)
					}
				}
			}
			return ids
		default:
			continue
		}
		if (kind == stats.PartnerOwner) == isPartnerList(p.Result) {
			return ids
		}
	}
	return []int{owner}
}

func isPartnerList(v any) bool {
	switch v.(type) {
	case *ent.PartnerConnection, []*ent.PartnerEdge:
		return true
	}
	return false
}
