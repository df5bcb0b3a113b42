package graph_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
)

// fieldRecorder is field middleware that records the path of every field
// it wraps.
type fieldRecorder struct {
	mu    sync.Mutex
	paths []string
}

func (*fieldRecorder) ExtensionName() string                   { return "fieldRecorder" }
func (*fieldRecorder) Validate(graphql.ExecutableSchema) error { return nil }
func (r *fieldRecorder) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	r.mu.Lock()
	r.paths = append(r.paths, graphql.GetFieldContext(ctx).Path().String())
	r.mu.Unlock()
	return next(ctx)
}

// TestFieldMiddleware: an extension's field middleware wraps every field
// of a query, the plain ones read from an object's Go field included, in
// lists resolved in order.
func TestFieldMiddleware(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		rec := &fieldRecorder{}
		s := apitest.NewServer(t, db, func(o *httpapi.Options) {
			o.Extensions = append(o.Extensions, rec)
		})
		res := s.Do(`{ partners(first: 2, orderBy: {field: NAME}) { totalCount edges { cursor node { id name kind } } } }`, nil)
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		sort.Strings(rec.paths)
		want := []string{
			"partners",
			"partners.edges",
			"partners.edges[0].cursor", "partners.edges[0].node", "partners.edges[0].node.id", "partners.edges[0].node.kind", "partners.edges[0].node.name",
			"partners.edges[1].cursor", "partners.edges[1].node", "partners.edges[1].node.id", "partners.edges[1].node.kind", "partners.edges[1].node.name",
			"partners.totalCount",
		}
		if got := strings.Join(rec.paths, "\n"); got != strings.Join(want, "\n") {
			t.Errorf("field middleware saw\n%s\nwant\n%s", got, strings.Join(want, "\n"))
		}
	})
}
