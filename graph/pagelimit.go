package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// PageLimits bounds every connection: a connection field asked for without
// `first` or `last` returns Default items, and neither may exceed Max.
type PageLimits struct {
	Default int
	Max     int
}

// DefaultPageLimits are 20 items by default and 100 at most.
var DefaultPageLimits = PageLimits{Default: 20, Max: 100}

// isConnection reports whether a field returns a paged connection.
func isConnection(def *ast.FieldDefinition) bool {
	return def != nil && strings.HasSuffix(def.Type.Name(), "Connection") && def.Arguments.ForName("first") != nil
}

// QueryCache wraps a cache of validated documents so that each document,
// when first parsed, gets an explicit `first: Default` on every connection
// field that names neither `first` nor `last`. Rewriting the document, rather
// than each resolver's arguments, lets ent's eager loading of nested
// connections see the limit too. The rewrite happens once, before the
// document is shared.
func (l PageLimits) QueryCache(next graphql.Cache[*ast.QueryDocument]) graphql.Cache[*ast.QueryDocument] {
	return &pageDefaultsCache{Cache: next, limits: l}
}

type pageDefaultsCache struct {
	graphql.Cache[*ast.QueryDocument]
	limits PageLimits
}

func (c *pageDefaultsCache) Add(ctx context.Context, key string, doc *ast.QueryDocument) {
	first := &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(c.limits.Default)}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if isConnection(s.Definition) && s.Arguments.ForName("first") == nil && s.Arguments.ForName("last") == nil {
					s.Arguments = append(s.Arguments, &ast.Argument{Name: "first", Value: first, Position: s.Position})
				}
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet)
	}
	c.Cache.Add(ctx, key, doc)
}

var (
	_ graphql.HandlerExtension        = PageLimits{}
	_ graphql.OperationContextMutator = PageLimits{}
)

// ExtensionName names the extension for gqlgen.
func (PageLimits) ExtensionName() string { return "PageLimits" }

// Validate checks the limits when the server is built.
func (l PageLimits) Validate(graphql.ExecutableSchema) error {
	if l.Default < 1 || l.Max < l.Default {
		return fmt.Errorf("page limits: need 1 <= default (%d) <= max (%d)", l.Default, l.Max)
	}
	return nil
}

// MutateOperationContext refuses negative or oversized page arguments. It
// checks every connection field of the operation, nested ones included,
// before the first resolver runs, so an oversized inner page never reaches
// the database.
func (l PageLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	err := l.check(oc)
	if err == nil {
		return nil
	}
	return &gqlerror.Error{
		Message:    err.Error(),
		Extensions: map[string]any{"code": string(err.Code), "field": err.Field},
	}
}

func (l PageLimits) check(oc *graphql.OperationContext) *apperr.Error {
	var err *apperr.Error
	var walk func(ast.SelectionSet)
	seen := map[string]bool{}
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			if err != nil {
				return
			}
			switch s := sel.(type) {
			case *ast.Field:
				if isConnection(s.Definition) {
					args := s.ArgumentMap(oc.Variables)
					for _, name := range []string{"first", "last"} {
						if err == nil {
							err = l.checkArg(s, name, args[name])
						}
					}
				}
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if !seen[s.Name] && s.Definition != nil {
					seen[s.Name] = true
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	if oc.Operation != nil {
		walk(oc.Operation.SelectionSet)
	}
	return err
}

func (l PageLimits) checkArg(f *ast.Field, name string, v any) *apperr.Error {
	var n int64
	switch v := v.(type) {
	case int64:
		n = v
	case int:
		n = int64(v)
	case json.Number:
		i, err := v.Int64()
		if err != nil {
			return nil // not an Int: gqlgen's coercion reports it
		}
		n = i
	default:
		return nil
	}
	switch {
	case n < 0:
		return apperr.Invalid(name, "must not be negative on %s, got %d", f.Alias, n)
	case n > int64(l.Max):
		return apperr.Invalid(name, "at most %d items a page on %s, got %d", l.Max, f.Alias, n)
	}
	return nil
}
