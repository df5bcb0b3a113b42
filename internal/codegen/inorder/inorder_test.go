package inorder

import (
	"os"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/codegen"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestEveryObjectMarked: every object type of the API's schema but Mutation
// (which gqlgen always runs in order) and Subscription (whose one field
// streams) carries @disableConcurrency, so a new type cannot be forgotten.
func TestEveryObjectMarked(t *testing.T) {
	var sources []*ast.Source
	for _, name := range []string{"ent.graphqls", "schema.graphqls"} {
		b, err := os.ReadFile("../../../" + name)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: name, Input: string(b)})
	}
	schema, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for name, def := range schema.Types {
		if def.Kind != ast.Object || def.BuiltIn || strings.HasPrefix(name, "__") || def == schema.Mutation || def == schema.Subscription {
			continue
		}
		if def.Directives.ForName(Directive) == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("object types without @%s (add `extend type X @%s` to schema.graphqls): %v", Directive, Directive, missing)
	}
}

// TestPlugin: the plugin sets DisableConcurrency on the marked objects
// only, and refuses what it cannot honour.
func TestPlugin(t *testing.T) {
	marked := &ast.Definition{Name: "Marked", Kind: ast.Object, Directives: ast.DirectiveList{{Name: Directive}}}
	plain := &ast.Definition{Name: "Plain", Kind: ast.Object}
	data := &codegen.Data{Schema: &ast.Schema{}, Objects: codegen.Objects{{Definition: marked}, {Definition: plain}}}
	p := &Plugin{}
	if err := p.GenerateCode(data); err != nil {
		t.Fatal(err)
	}
	if !data.Objects[0].DisableConcurrency || data.Objects[1].DisableConcurrency || p.Marked != 1 {
		t.Errorf("marked %v, plain %v, count %d", data.Objects[0].DisableConcurrency, data.Objects[1].DisableConcurrency, p.Marked)
	}

	field := &ast.Definition{Name: "F", Kind: ast.Object, Fields: ast.FieldList{{Name: "slow", Directives: ast.DirectiveList{{Name: Directive}}}}}
	if err := p.GenerateCode(&codegen.Data{Schema: &ast.Schema{}, Objects: codegen.Objects{{Definition: field}}}); err == nil || !strings.Contains(err.Error(), "F.slow") {
		t.Errorf("a marked field: %v, want an error naming it", err)
	}
	sub := &ast.Definition{Name: "Subscription", Kind: ast.Object, Directives: ast.DirectiveList{{Name: Directive}}}
	if err := p.GenerateCode(&codegen.Data{Schema: &ast.Schema{Subscription: sub}, Objects: codegen.Objects{{Definition: sub}}}); err == nil {
		t.Error("a marked subscription: no error")
	}
}
