package graph

import (
	"context"
	"errors"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestInOrderPanics: a panic while marshalling a list element or resolving
// a field becomes an error and a null in its place, as in gqlgen, and the
// rest is still marshalled; a null the schema forbids makes the object
// invalid.
func TestInOrderPanics(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter,
		func(context.Context, any) error { return errors.New("internal") })
	oc := &graphql.OperationContext{RecoverFunc: func(context.Context, any) error { return errors.New("internal") }}
	ctx = graphql.WithOperationContext(ctx, oc)

	list := marshalSliceInOrder(ctx, 3, 0, false, func(_ context.Context, i int) graphql.Marshaler {
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalInt(i)
	})
	if list[0] == graphql.Null || list[1] != graphql.Null || list[2] == graphql.Null {
		t.Fatalf("list: %v", list)
	}

	fields := []graphql.CollectedField{{Field: &ast.Field{Name: "a"}}, {Field: &ast.Field{Name: "b"}}}
	out := graphql.NewFieldSet(fields)
	deferred := newDeferredGroup(ctx)
	resolveInOrder(ctx, out, fields[0], oc, &deferred, 0, true, true, func(context.Context) graphql.Marshaler { panic("boom") })
	resolveInOrder(ctx, out, fields[1], oc, &deferred, 1, true, false, func(context.Context) graphql.Marshaler { return graphql.MarshalString("ok") })
	if out.Values[0] != graphql.Null || out.Values[1] == graphql.Null || out.Invalids != 1 {
		t.Fatalf("fields: %v, %d invalid", out.Values, out.Invalids)
	}
	var errs gqlerror.List = graphql.GetErrors(ctx)
	if len(errs) != 2 {
		t.Fatalf("errors: %v", errs)
	}
}
