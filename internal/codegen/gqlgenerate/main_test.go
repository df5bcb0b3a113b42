package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSubstitute: only calls of the imported gqlgen graphql package's
// MarshalSliceConcurrently change, each to marshalSliceInOrder with the same
// arguments; a call of another form is an error, not skipped.
func TestSubstitute(t *testing.T) {
	src := `package graph

import (
	"context"

	gql "github.com/99designs/gqlgen/graphql"
)

type other struct{}

func (other) MarshalSliceConcurrently(a ...any) gql.Array { return nil }

func f(ctx context.Context, v []int, o other) {
	_ = gql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) gql.Marshaler {
		return gql.MarshalInt(v[i])
	})
	_ = o.MarshalSliceConcurrently(ctx)
	_ = gql.MarshalSliceConcurrently(ctx, 1, 0, true, nil)
}
`
	out, n, err := substitute("x.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d calls substituted, want 2", n)
	}
	for _, want := range []string{
		"_ = marshalSliceInOrder(ctx, len(v), 0, false, func(ctx context.Context, i int) gql.Marshaler {",
		"_ = o.MarshalSliceConcurrently(ctx)",
		"_ = marshalSliceInOrder(ctx, 1, 0, true, nil)",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "gql.MarshalSliceConcurrently") {
		t.Errorf("a call is left:\n%s", out)
	}

	bad := strings.Replace(src, "gql.MarshalSliceConcurrently(ctx, 1, 0, true, nil)", "gql.MarshalSliceConcurrently(ctx, 1, 0, nil)", 1)
	if _, _, err := substitute("x.go", []byte(bad)); err == nil || !strings.Contains(err.Error(), "4 arguments") {
		t.Errorf("a call with 4 arguments: %v, want an error", err)
	}
}

// TestGqlgenTemplate: gqlgen's executor template still calls
// graphql.MarshalSliceConcurrently with the five arguments the substitution
// and marshalSliceInOrder expect. When this fails after a gqlgen upgrade,
// read the new template and graphql.MarshalSliceConcurrently, and update the
// substitution, marshalSliceInOrder and its test together.
func TestGqlgenTemplate(t *testing.T) {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/99designs/gqlgen").Output()
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "codegen", "type.gotpl"))
	if err != nil {
		t.Fatal(err)
	}
	const call = "graphql.MarshalSliceConcurrently(ctx, len(v), {{ $.Config.Exec.WorkerLimit }}, {{ $.Config.OmitPanicHandler }}, func(ctx context.Context, i int) graphql.Marshaler {"
	if n := strings.Count(string(tpl), "MarshalSliceConcurrently"); n != 1 || !strings.Contains(string(tpl), call) {
		t.Errorf("gqlgen's codegen/type.gotpl calls MarshalSliceConcurrently %d times, not once as\n%s", n, call)
	}
}
