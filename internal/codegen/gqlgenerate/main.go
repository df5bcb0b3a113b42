// Command gqlgenerate generates the GraphQL executor (graph/generated.go),
// its models and resolver stubs from gqlgen.yml, as `gqlgen generate`
// does, through gqlgen's public Go API (api.Generate) with three additions:
//
//   - the plugin internal/codegen/inorder, which resolves the fields of the
//     object types marked @disableConcurrency in the marshalling goroutine;
//   - the executor is then rendered again, with gqlgen's public
//     templates.Render and the data gqlgen generated it from, from gqlgen's
//     own templates with the overrides in ./templates in place of those of
//     the same name (each says what differs and why; main_test.go pins the
//     stock file it was derived from);
//   - one call-level substitution on the executor's Go syntax tree: every
//     call of graphql.MarshalSliceConcurrently (a goroutine per list
//     element) becomes a call of graph's marshalSliceInOrder, which has the
//     same signature and results and marshals the elements one after
//     another. gqlgen offers no option for this; the syntax tree, not the
//     text, is changed, and only that call's function name.
//
// It reports how many objects it marked and how many calls it changed, and
// fails if a count differs from the one it is told to expect (ent/generate.go
// states both, so `go generate ./...` in CI checks them), if gqlgen's call
// no longer has the expected form, or if a call is left.
//
// Usage, from the module root: go run ./internal/codegen/gqlgenerate [-objects N] [-marshal-sites N]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"

	"github.com/bri-tracker/bri-tracker/internal/codegen/inorder"
)

const (
	graphqlPath = "github.com/99designs/gqlgen/graphql"
	// concurrent is the function substituted, in package graphqlPath.
	concurrent = "MarshalSliceConcurrently"
	// inOrder replaces it: a function of the executor's own package.
	inOrder = "marshalSliceInOrder"
)

func main() {
	wantObjects := flag.Int("objects", -1, "fail unless this many object types are marked @disableConcurrency (-1: any)")
	wantSites := flag.Int("marshal-sites", -1, "fail unless this many list marshallers are substituted (-1: any)")
	flag.Parse()
	if err := run(*wantObjects, *wantSites); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgenerate:", err)
		os.Exit(1)
	}
}

func run(wantObjects, wantSites int) error {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return fmt.Errorf("load gqlgen.yml: %w", err)
	}
	plugin := &inorder.Plugin{}
	data := &dataCapture{}
	if err := api.Generate(cfg, api.AddPlugin(plugin), api.AddPlugin(data)); err != nil {
		return err
	}
	overridden, err := renderExec(data.data)
	if err != nil {
		return fmt.Errorf("rendering the executor: %w", err)
	}
	sites, err := substituteFile(cfg.Exec.Filename)
	if err != nil {
		return err
	}
	fmt.Printf("gqlgenerate: %d object types resolve in order; executor templates overridden: %s; %d list marshallers substituted\n",
		plugin.Marked, strings.Join(overridden, ", "), sites)
	if wantObjects >= 0 && plugin.Marked != wantObjects {
		return fmt.Errorf("%d object types are marked @%s, expected %d: mark the new types in schema.graphqls, then update -objects in ent/generate.go", plugin.Marked, inorder.Directive, wantObjects)
	}
	if wantSites >= 0 && sites != wantSites {
		return fmt.Errorf("%d calls of graphql.%s substituted, expected %d: review gqlgen's output, then update -marshal-sites in ent/generate.go", sites, concurrent, wantSites)
	}
	return nil
}

func substituteFile(path string) (int, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	out, n, err := substitute(path, src)
	if err != nil {
		return 0, err
	}
	return n, os.WriteFile(path, out, 0o644)
}

// substitute replaces, on the syntax tree of a generated file, the function
// of every call graphql.MarshalSliceConcurrently(ctx, length, workerLimit,
// omitPanicHandler, marshalElement) by marshalSliceInOrder, and returns the
// file and the number of calls changed.
func substitute(name string, src []byte) ([]byte, int, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, 0, err
	}
	pkg := importName(f, graphqlPath)
	if pkg == "" {
		return nil, 0, fmt.Errorf("%s does not import %s", name, graphqlPath)
	}
	n := 0
	var bad error
	ast.Inspect(f, func(node ast.Node) bool {
		call, ok := node.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != concurrent {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != pkg {
			return true
		}
		if len(call.Args) != 5 || call.Ellipsis.IsValid() {
			bad = errors.Join(bad, fmt.Errorf("%s: a call of %s.%s with %d arguments, not 5: gqlgen's output changed",
				fset.Position(call.Pos()), pkg, concurrent, len(call.Args)))
			return true
		}
		call.Fun = &ast.Ident{NamePos: sel.Pos(), Name: inOrder}
		n++
		return true
	})
	if bad != nil {
		return nil, 0, bad
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), n, nil
}

// dataCapture is a gqlgen plugin that keeps the data gqlgen generates
// from, to render the executor again with our templates.
type dataCapture struct{ data *codegen.Data }

// Name names the plugin in gqlgen's errors.
func (*dataCapture) Name() string { return "datacapture" }

// GenerateCode keeps the data.
func (c *dataCapture) GenerateCode(data *codegen.Data) error {
	c.data = data
	return nil
}

// importName is the name under which f imports path ("" if it does not).
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil || p != path {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return "graphql"
	}
	return ""
}
