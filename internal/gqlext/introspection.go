package gqlext

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// CodeIntrospectionDisabled refuses an operation that asks for __schema or
// __type where introspection is off.
const CodeIntrospectionDisabled = "INTROSPECTION_DISABLED"

func init() {
	errcode.RegisterErrorType(CodeIntrospectionDisabled, errcode.KindProtocol)
}

// NoIntrospection refuses, before anything runs, an operation that selects
// __schema or __type anywhere (fragments included), as a request error with
// the code INTROSPECTION_DISABLED. Without it, gqlgen runs the rest of the
// operation and answers the introspection fields with an error that carries
// no code, which the client cannot tell from a fault of the server's.
// __typename stays allowed: clients need it to read unions and interfaces.
type NoIntrospection struct{}

var (
	_ graphql.HandlerExtension        = NoIntrospection{}
	_ graphql.OperationContextMutator = NoIntrospection{}
)

// ExtensionName names the extension for gqlgen.
func (NoIntrospection) ExtensionName() string { return "NoIntrospection" }

// Validate accepts any schema.
func (NoIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses an operation that introspects.
func (NoIntrospection) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	f := introspects(oc.Operation.SelectionSet, map[string]bool{})
	if f == nil {
		return nil
	}
	return &gqlerror.Error{
		Message:    "introspection is disabled on this server: " + f.Name + " cannot be queried (the schema is published with the API's documentation)",
		Locations:  []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}},
		Extensions: map[string]any{"code": CodeIntrospectionDisabled},
	}
}

// introspects returns the first __schema or __type field of a selection,
// looking into each named fragment once.
func introspects(set ast.SelectionSet, seen map[string]bool) *ast.Field {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return s
			}
			if f := introspects(s.SelectionSet, seen); f != nil {
				return f
			}
		case *ast.InlineFragment:
			if f := introspects(s.SelectionSet, seen); f != nil {
				return f
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if f := introspects(s.Definition.SelectionSet, seen); f != nil {
				return f
			}
		}
	}
	return nil
}
