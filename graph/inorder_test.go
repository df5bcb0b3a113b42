package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestMarshalSliceInOrder: marshalSliceInOrder, which the executor calls
// where gqlgen calls graphql.MarshalSliceConcurrently, answers as gqlgen's
// does for the same list: the same values, each element under a field
// context with its index, and a panic in an element turned into an error at
// its path and a null in its place, the others marshalled still; and it
// marshals the elements in order in the calling goroutine.
func TestMarshalSliceInOrder(t *testing.T) {
	type result struct {
		json   string
		paths  []string
		errors []string
	}
	run := func(marshal func(context.Context, int, int64, bool, func(context.Context, int) graphql.Marshaler) graphql.Array,
		length, panicAt int, omitPanicHandler bool,
	) (r result) {
		ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter,
			func(context.Context, any) error { return errors.New("internal system error") })
		var mu sync.Mutex
		list := marshal(ctx, length, 0, omitPanicHandler, func(ctx context.Context, i int) graphql.Marshaler {
			mu.Lock()
			r.paths = append(r.paths, graphql.GetFieldContext(ctx).Path().String())
			mu.Unlock()
			if i == panicAt {
				panic("boom")
			}
			return graphql.MarshalString(fmt.Sprint("item ", i))
		})
		var buf bytes.Buffer
		list.MarshalGQL(&buf)
		r.json = buf.String()
		slices.Sort(r.paths)
		for _, e := range graphql.GetErrors(ctx) {
			r.errors = append(r.errors, e.Path.String()+": "+e.Message)
		}
		return r
	}
	for _, c := range []struct {
		length, panicAt int
		omit            bool
	}{{0, -1, false}, {1, -1, false}, {1, 0, false}, {3, -1, false}, {3, 1, false}, {4, 3, false}, {3, -1, true}} {
		want := run(graphql.MarshalSliceConcurrently, c.length, c.panicAt, c.omit)
		got := run(marshalSliceInOrder, c.length, c.panicAt, c.omit)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%d elements, panic at %d, omitPanicHandler %v:\n got %v\nwant %v", c.length, c.panicAt, c.omit, got, want)
		}
	}
	if want := `["item 0",null,"item 2"]`; run(marshalSliceInOrder, 3, 1, false).json != want {
		t.Errorf("want %s", want)
	}
	var inOrder []int
	marshalSliceInOrder(context.Background(), 5, 0, true, func(_ context.Context, i int) graphql.Marshaler {
		inOrder = append(inOrder, i) // no lock: every element runs in this goroutine
		return graphql.Null
	}) // under -race, an element in another goroutine would be reported
	if !slices.Equal(inOrder, []int{0, 1, 2, 3, 4}) {
		t.Errorf("elements marshalled in the order %v", inOrder)
	}
}
