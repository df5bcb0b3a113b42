package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
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

	var paths []string
	list := marshalSliceInOrder(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		paths = append(paths, graphql.GetFieldContext(ctx).Path().String())
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalInt(i)
	})
	if list[0] == graphql.Null || list[1] != graphql.Null || list[2] == graphql.Null {
		t.Fatalf("list: %v", list)
	}
	if fmt.Sprint(paths) != "[[0] [1] [2]]" {
		t.Errorf("element paths %v", paths)
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 || errs[0].Path.String() != "[1]" {
		t.Errorf("errors %v, want one at [1]", errs)
	}

	fields := []graphql.CollectedField{{Field: &ast.Field{Name: "a"}}, {Field: &ast.Field{Name: "b"}}}
	out := newObjectOut(fields)
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

// TestObjectFields: an object is written as gqlgen's field set writes it,
// each alias once, the first field with it winning, for small objects and
// for objects with many fields alike.
func TestObjectFields(t *testing.T) {
	for _, n := range []int{3, 40} {
		var fields []graphql.CollectedField
		var values []graphql.Marshaler
		for i := range n {
			alias := fmt.Sprintf("f%d", i%(n-1)) // the last field repeats the first alias
			fields = append(fields, graphql.CollectedField{Field: &ast.Field{Alias: alias, Name: "x"}})
			values = append(values, graphql.MarshalInt(i))
		}
		set := graphql.NewFieldSet(fields)
		copy(set.Values, values)
		var want, got bytes.Buffer
		set.MarshalGQL(&want)
		objectFields{fields: fields, values: values}.MarshalGQL(&got)
		if got.String() != want.String() {
			t.Errorf("%d fields: got %s, gqlgen writes %s", n, got.String(), want.String())
		}
		var other strings.Builder // a writer other than the executor's buffer
		objectFields{fields: fields, values: values}.MarshalGQL(&other)
		if other.String() != want.String() {
			t.Errorf("%d fields, to a strings.Builder: got %s, gqlgen writes %s", n, other.String(), want.String())
		}
		if !strings.HasPrefix(got.String(), `{"f0":0,"f1":1`) || strings.Contains(got.String(), fmt.Sprintf(":%d}", n-1)) {
			t.Errorf("%d fields: %s", n, got.String())
		}
	}
	var empty bytes.Buffer
	objectFields{}.MarshalGQL(&empty)
	if empty.String() != "{}" {
		t.Errorf("no fields: %s", empty.String())
	}
}

// TestFieldArgs: a field's arguments are parsed once per operation and
// shared; arguments that fail to parse are parsed (and fail) again; other
// fields and operations parse their own.
func TestFieldArgs(t *testing.T) {
	var calls int
	parse := func(_ context.Context, raw map[string]any) (map[string]any, error) {
		calls++
		if raw["first"] == nil {
			return nil, errors.New("bad first")
		}
		return map[string]any{"first": raw["first"]}, nil
	}
	field := func(arg string) graphql.CollectedField {
		return graphql.CollectedField{Field: &ast.Field{Name: "projects", Arguments: ast.ArgumentList{
			{Name: "first", Value: &ast.Value{Kind: ast.Variable, Raw: arg}},
		}, Definition: &ast.FieldDefinition{Name: "projects", Arguments: ast.ArgumentDefinitionList{{Name: "first"}}}}}
	}
	vars := map[string]any{"n": int64(5)}
	var ctx context.Context
	BatchLoaders{}.InterceptResponse(context.Background(), func(c context.Context) *graphql.Response { ctx = c; return nil })

	good, bad, other := field("n"), field("missing"), field("n")
	for range 3 {
		args, err := fieldArgs(ctx, good, vars, parse)
		if err != nil || args["first"] != int64(5) {
			t.Fatalf("args %v, %v", args, err)
		}
	}
	if calls != 1 {
		t.Errorf("parsed %d times for three objects, want once", calls)
	}
	for range 2 {
		if _, err := fieldArgs(ctx, bad, vars, parse); err == nil {
			t.Fatal("bad arguments accepted")
		}
	}
	if _, err := fieldArgs(ctx, other, vars, parse); err != nil || calls != 4 {
		t.Errorf("after two failures and another field: %d parses (want 4), %v", calls, err)
	}
	if _, err := fieldArgs(context.Background(), good, vars, parse); err != nil || calls != 5 {
		t.Errorf("outside an operation: %d parses, want 5", calls)
	}
}

// TestReadField: a field read from its object is marshalled under its own
// field context, with its result recorded there (batched fields find their
// siblings through it), and a panic becomes an error at the field's path
// and a null, as graphql.ResolveField does.
func TestReadField(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter,
		func(context.Context, any) error { return errors.New("internal") })
	oc := &graphql.OperationContext{RecoverFunc: func(context.Context, any) error { return errors.New("internal") }}
	ctx = graphql.WithOperationContext(ctx, oc)
	field := graphql.CollectedField{Field: &ast.Field{Alias: "edges", Name: "edges"}}

	fc := &graphql.FieldContext{Field: field}
	v := []int{1, 2}
	got := readField(ctx, oc, fc, v, true, func(ctx context.Context, _ ast.SelectionSet, v []int) graphql.Marshaler {
		if graphql.GetFieldContext(ctx) != fc {
			t.Error("marshalled outside the field's context")
		}
		return graphql.MarshalInt(len(v))
	})
	if got == graphql.Null || fmt.Sprint(fc.Result) != "[1 2]" {
		t.Errorf("got %v, result %v", got, fc.Result)
	}

	got = readField(ctx, oc, &graphql.FieldContext{Field: field}, v, true, func(context.Context, ast.SelectionSet, []int) graphql.Marshaler {
		panic("boom")
	})
	if errs := graphql.GetErrors(ctx); got != graphql.Null || len(errs) != 1 || errs[0].Path.String() != "edges" {
		t.Errorf("after a panic: %v, errors %v", got, errs)
	}
}

// TestCollectFields: an object type's fields of a selection set are those
// gqlgen collects, collected once per operation and type: another type or
// another selection set gets its own; outside an operation, gqlgen's.
func TestCollectFields(t *testing.T) {
	oc := &graphql.OperationContext{}
	var ctx context.Context
	BatchLoaders{}.InterceptResponse(context.Background(), func(c context.Context) *graphql.Response { ctx = c; return nil })
	sel := ast.SelectionSet{&ast.Field{Alias: "title", Name: "title"}, &ast.Field{Alias: "id", Name: "id"}}
	other := ast.SelectionSet{&ast.Field{Alias: "name", Name: "name"}}
	projectTypes, partnerTypes := []string{"Project", "Node"}, []string{"Partner", "Node"}

	first := collectFields(ctx, oc, sel, projectTypes)
	if fmt.Sprint(aliases(first)) != "[title id]" || fmt.Sprint(aliases(graphql.CollectFields(oc, sel, projectTypes))) != "[title id]" {
		t.Fatalf("collected %v", aliases(first))
	}
	if again := collectFields(ctx, oc, sel, projectTypes); &again[0] != &first[0] {
		t.Error("collected again for the same set and type")
	}
	if p := collectFields(ctx, oc, sel, partnerTypes); &p[0] == &first[0] {
		t.Error("another type took the first type's fields")
	}
	if o := collectFields(ctx, oc, other, projectTypes); fmt.Sprint(aliases(o)) != "[name]" {
		t.Errorf("another selection set: %v", aliases(o))
	}
	if out := collectFields(context.Background(), oc, sel, projectTypes); fmt.Sprint(aliases(out)) != "[title id]" {
		t.Errorf("outside an operation: %v", aliases(out))
	}
}

func aliases(fields []graphql.CollectedField) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.Alias)
	}
	return out
}
