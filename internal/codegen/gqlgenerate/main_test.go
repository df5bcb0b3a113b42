package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
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
	dir, err := moduleDir(gqlgenModule)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := os.ReadFile(filepath.Join(dir, "codegen", "type.gotpl"))
	if err != nil {
		t.Fatal(err)
	}
	const call = "graphql.MarshalSliceConcurrently(ctx, len(v), {{ $.Config.Exec.WorkerLimit }}, {{ $.Config.OmitPanicHandler }}, func(ctx context.Context, i int) graphql.Marshaler {"
	if n := strings.Count(string(tpl), "MarshalSliceConcurrently"); n != 1 || !strings.Contains(string(tpl), call) {
		t.Errorf("gqlgen's codegen/type.gotpl calls MarshalSliceConcurrently %d times, not once as\n%s", n, call)
	}
}

// derivedFrom records, for each executor template override in ./templates,
// the SHA-256 of the stock gqlgen template it was derived from, and the
// version of gqlgen that had it.
var derivedFrom = map[string]struct{ version, sha256 string }{
	"field.gotpl":  {"v0.17.98", "5d798a6fb94c8fbaa0b6a4ab04becac8d837fdaaabdf7e7668989ad394ccd837"},
	"object.gotpl": {"v0.17.98", "0d247faea1bc26bf856c6b89a7adb556f4c471a903b6cecd654194140534c120"},
}

// TestStockTemplatesUnchanged fails when an upgrade of gqlgen changed an
// executor template one of ours overrides. Then diff the stock file's two
// versions, re-derive ours from the new one (re-apply what its header
// says differs), record the new SHA-256 here and run go generate ./...
func TestStockTemplatesUnchanged(t *testing.T) {
	dir, err := moduleDir(gqlgenModule)
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(overrides, "templates/*.gotpl")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(derivedFrom) {
		t.Errorf("overrides %v, recorded %d", names, len(derivedFrom))
	}
	for _, name := range names {
		name = filepath.Base(name)
		d, ok := derivedFrom[name]
		if !ok {
			t.Errorf("templates/%s is not recorded in derivedFrom", name)
			continue
		}
		stock, err := os.ReadFile(filepath.Join(dir, "codegen", name))
		if err != nil {
			t.Errorf("templates/%s overrides gqlgen's codegen/%[1]s, which is gone: %v", name, err)
			continue
		}
		sum := sha256.Sum256(stock)
		if got := hex.EncodeToString(sum[:]); got != d.sha256 {
			t.Errorf("gqlgen's codegen/%s (in %s) differs from the %s one templates/%[1]s was derived from: sha256 %s, recorded %s",
				name, dir, d.version, got, d.sha256)
		}
		own, err := fs.ReadFile(overrides, "templates/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if header := "Override of github.com/99designs/gqlgen " + d.version + ", codegen/" + name; !strings.Contains(string(own), header) {
			t.Errorf("templates/%s: the header does not say %q", name, header)
		}
	}
}

// TestExecTemplateFS: the executor is rendered from every stock template of
// the single-file layout, with ours in place of those of the same name.
func TestExecTemplateFS(t *testing.T) {
	set, overridden, err := execTemplateFS()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(overridden, ",") != "field.gotpl,object.gotpl" {
		t.Errorf("overridden %v, want [field.gotpl object.gotpl]", overridden)
	}
	for _, name := range execTemplates {
		text, err := fs.ReadFile(set, name)
		if err != nil {
			t.Fatal(err)
		}
		own := strings.Contains(string(text), "Override of github.com/99designs/gqlgen")
		if own != (name == "object.gotpl" || name == "field.gotpl") {
			t.Errorf("%s: ours %v", name, own)
		}
	}
}

// TestGeneratedExecutor: the committed executor was rendered with the
// overrides: no object builds a deferred group, and every object is written
// by objectFields.
func TestGeneratedExecutor(t *testing.T) {
	src, err := os.ReadFile("../../../graph/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	objects := strings.Count(text, "fields := graphql.CollectFields(ec.OperationContext, sel, ")
	streams := strings.Count(text, "must subscribe to exactly one stream")
	if n := strings.Count(text, "graphql.NewDeferredGroup("); n != 0 {
		t.Errorf("%d objects build a deferred group", n)
	}
	if n := strings.Count(text, "return objectFields{fields: fields, values: out.Values}"); n == 0 || n != objects-streams {
		t.Errorf("%d objects written by objectFields, of %d objects and %d subscription roots", n, objects, streams)
	}
}
