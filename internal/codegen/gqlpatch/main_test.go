package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const generated = `package graph

func (ec *executionContext) _Project(ctx context.Context, sel ast.SelectionSet, obj *ent.Project) graphql.Marshaler {
	deferred := graphql.NewDeferredGroup(ctx)
	for i, field := range fields {
		out.ResolveConcurrently(ec.OperationContext, &deferred, i,
			true, false, f)
	}
	ec.ProcessDeferredGroup(deferred)
	return graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, g)
}

func (ec *executionContext) _Policy(ctx context.Context, sel ast.SelectionSet, obj *ent.OpeningPolicy) graphql.Marshaler {
	fields := graphql.CollectFields(ec.OperationContext, sel, policyImplementors)
	out := graphql.NewFieldSet(fields)
	out.Values[0] = graphql.Null
	atomic.AddUint32(&out.Invalids, 1)
	out.Dispatch(ctx)
	return out
}

func (ec *executionContext) _Query(ctx context.Context, sel ast.SelectionSet) graphql.Marshaler {
	fields := graphql.CollectFields(ec.OperationContext, sel, queryImplementors)
	out := graphql.NewFieldSet(fields)
	out.ResolveRootConcurrently(ctx, ec.OperationContext, 0, f)
	out.Dispatch(ctx)
	return out
}

func (ec *executionContext) _Policy_title(ctx context.Context, field graphql.CollectedField, obj *ent.OpeningPolicy) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext_Policy_title(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.Title, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v string) graphql.Marshaler {
			return ec.marshalNString2string(ctx, selections, v)
		},
		true,
		true,
	)
}

func (ec *executionContext) _Policy_issuedOn(ctx context.Context, field graphql.CollectedField, obj *ent.OpeningPolicy) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext_Policy_issuedOn(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.IssuedOn, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v *scalar.Date) graphql.Marshaler {
			return ec.marshalODate2ᚖscalarᚐDate(ctx, selections, v)
		},
		true,
		false,
	)
}

func (ec *executionContext) _PolicyEdge_node(ctx context.Context, field graphql.CollectedField, obj *ent.PolicyEdge) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext_PolicyEdge_node(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.Node, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v *ent.OpeningPolicy) graphql.Marshaler {
			return ec.marshalOPolicy2ᚖgithubᚗcomᚋentᚐOpeningPolicy(ctx, selections, v)
		},
		true,
		false,
	)
}

func (ec *executionContext) fieldContext_Project_policies(ctx context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	if fc.Args, err = ec.field_Project_policies_args(ctx, field.ArgumentMap(ec.Variables)); err != nil {
		return fc, err
	}
}
`

// TestPatch: gqlgen's calls are replaced by ours, a second run changes
// nothing, and output without them (gqlgen changed) is an error.
func TestPatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "generated.go")
	if err := os.WriteFile(path, []byte(generated), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := patch(path); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	for _, want := range []string{
		"deferred := newDeferredGroup(ctx)",
		"resolveInOrder(ctx, out, field, ec.OperationContext, &deferred, i,",
		"ec.ProcessDeferredGroup(withPath(deferred))",
		"return marshalSliceInOrder(ctx, len(v), 0, false, g)",
		// an object holds its fields in an objectOut; the root query, which
		// resolves its fields concurrently, keeps gqlgen's field set
		"out := newObjectOut(fields)\n\tout.Values[0] = graphql.Null\n\tatomic.AddUint32(&out.Invalids, 1)\n\tout.Dispatch(ctx)\n\treturn out\n}",
		"out := graphql.NewFieldSet(fields)\n\tout.ResolveRootConcurrently(ctx, ec.OperationContext, 0, f)\n\tout.Dispatch(ctx)\n\treturn objectFields{fields: fields, values: out.Values}\n}",
		"fc.Args, err = fieldArgs(ctx, field, ec.Variables, ec.field_Project_policies_args); err != nil",
		"fields := collectFields(ctx, ec.OperationContext, sel, policyImplementors)",
		"(ret graphql.Marshaler) {\n\tif plainFields(ec.OperationContext) {\n\t\treturn ec.marshalNString2string(ctx, field.Selections, obj.Title)\n\t}\n\treturn graphql.ResolveField(",
		"(ret graphql.Marshaler) {\n\tif plainFields(ec.OperationContext) {\n\t\tfc, err := ec.fieldContext_PolicyEdge_node(ctx, field)\n\t\tif err != nil {\n\t\t\treturn graphql.Null\n\t\t}\n\t\treturn readField(ctx, ec.OperationContext, fc, obj.Node, true, ec.marshalOPolicy2ᚖgithubᚗcomᚋentᚐOpeningPolicy)\n\t}\n\treturn graphql.ResolveField(",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("patched file lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "graphql.MarshalSliceConcurrently") || strings.Contains(string(got), "out.ResolveConcurrently") || strings.Count(string(got), "return out\n") != 1 {
		t.Errorf("gqlgen's calls left:\n%s", got)
	}
	if strings.Count(string(got), "plainFields") != 3 || strings.Count(string(got), "readField(") != 2 {
		t.Errorf("want a plain string, and a date and an edge's node read under their field contexts:\n%s", got)
	}
	if err := patch(path); err != nil {
		t.Fatalf("second run: %v", err)
	}
	again, _ := os.ReadFile(path)
	if string(again) != string(got) {
		t.Error("a second run changed the file")
	}
	if err := os.WriteFile(path, []byte("package graph\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := patch(path); err == nil {
		t.Error("a file without gqlgen's calls was accepted")
	}
}
