package graph

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// QueryLimits refuses operations too deep, too aliased or too costly, before
// any resolver runs.
//
//   - Depth counts field levels, leaves included: a connection and its
//     `edges { node }` count as one, so partners → projects → policies →
//     partners → name is 5.
//   - Aliases counts fields requested under an alias.
//   - Complexity counts the fields the answer may hold: a connection's
//     selection counts once per item it may return (`first`, `last`, or the
//     default page size).
type QueryLimits struct {
	MaxDepth      int
	MaxAliases    int
	MaxComplexity int
	// PageSize is the page a connection returns without first or last.
	PageSize int
}

// DefaultQueryLimits are the limits unless configured otherwise.
var DefaultQueryLimits = QueryLimits{MaxDepth: 10, MaxAliases: 30, MaxComplexity: 100000, PageSize: 20}

var (
	_ graphql.HandlerExtension        = QueryLimits{}
	_ graphql.OperationContextMutator = QueryLimits{}
)

// ExtensionName names the extension for gqlgen.
func (QueryLimits) ExtensionName() string { return "QueryLimits" }

// Validate checks the limits.
func (l QueryLimits) Validate(graphql.ExecutableSchema) error {
	if l.MaxDepth < 1 || l.MaxAliases < 0 || l.MaxComplexity < 1 || l.PageSize < 1 {
		return fmt.Errorf("query limits: depth, complexity and page size must be positive: %+v", l)
	}
	return nil
}

// MutateOperationContext measures the operation and refuses it when over a
// limit, with extensions.code QUERY_TOO_COMPLEX.
func (l QueryLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	m := measurer{vars: oc.Variables, pageSize: l.PageSize, limits: l}
	cost := m.selection(oc.Operation.SelectionSet, 1)
	oc.Stats.SetExtension(complexityStat, cost)
	var msg string
	switch {
	case m.tooDeep:
		msg = fmt.Sprintf("the query is nested more than %d levels deep", l.MaxDepth)
	case m.aliases > l.MaxAliases:
		msg = fmt.Sprintf("the query uses %d aliases; at most %d are allowed", m.aliases, l.MaxAliases)
	case cost > l.MaxComplexity:
		msg = fmt.Sprintf("the query may return %d fields; at most %d are allowed: ask for smaller pages or fewer nested connections", cost, l.MaxComplexity)
	default:
		return nil
	}
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": CodeQueryTooComplex}}
}

// complexityStat keys an operation's complexity in its statistics.
const complexityStat = "QueryLimits.complexity"

// OperationComplexity returns the complexity QueryLimits measured for the
// operation of ctx (refused operations included), and false when it measured
// none (no operation, or one that failed to parse or validate).
func OperationComplexity(ctx context.Context) (int, bool) {
	if !graphql.HasOperationContext(ctx) {
		return 0, false
	}
	cost, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(complexityStat).(int)
	return cost, ok
}

// CodeQueryTooComplex is the code of operations refused by QueryLimits.
const CodeQueryTooComplex = "QUERY_TOO_COMPLEX"

type measurer struct {
	vars     map[string]any
	pageSize int
	limits   QueryLimits
	aliases  int
	tooDeep  bool
}

// costCap keeps cost arithmetic from overflowing on absurd pages.
const costCap = 1 << 40

// selection returns the cost of a selection set at the given depth.
func (m *measurer) selection(set ast.SelectionSet, depth int) int {
	cost := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			cost += m.field(s, depth)
		case *ast.InlineFragment:
			cost += m.selection(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				cost += m.selection(s.Definition.SelectionSet, depth)
			}
		}
		if cost > costCap {
			return costCap
		}
	}
	return cost
}

func (m *measurer) field(f *ast.Field, depth int) int {
	if f.Name == "__schema" || f.Name == "__type" {
		// Introspection reads the schema, not the data: its standard query
		// nests ofType deeper than any data query, and costs no database
		// work. It is on only where introspection is allowed.
		return 1
	}
	if f.Alias != "" && f.Alias != f.Name {
		m.aliases++
	}
	if depth > m.limits.MaxDepth {
		m.tooDeep = true
		return 1
	}
	if len(f.SelectionSet) == 0 {
		return 1
	}
	if isConnection(f.Definition) {
		// edges { node { ... } } sit at the connection's own level
		inner := m.connectionSelection(f.SelectionSet, depth)
		return 1 + m.pageOf(f)*inner
	}
	return 1 + m.selection(f.SelectionSet, depth+1)
}

// connectionSelection costs a connection's selection, descending through
// edges and node without counting them as levels.
func (m *measurer) connectionSelection(set ast.SelectionSet, depth int) int {
	cost := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "edges" || s.Name == "node" {
				if s.Alias != "" && s.Alias != s.Name {
					m.aliases++
				}
				cost += 1 + m.connectionSelection(s.SelectionSet, depth)
				continue
			}
			cost += m.field(s, depth+1)
		case *ast.InlineFragment:
			cost += m.connectionSelection(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				cost += m.connectionSelection(s.Definition.SelectionSet, depth)
			}
		}
		if cost > costCap {
			return costCap
		}
	}
	return cost
}

// pageOf is the number of items a connection field may return.
func (m *measurer) pageOf(f *ast.Field) int {
	args := f.ArgumentMap(m.vars)
	n := 0
	for _, name := range []string{"first", "last"} {
		switch v := args[name].(type) {
		case int64:
			n = max(n, int(min(v, costCap)))
		case int:
			n = max(n, v)
		case json.Number:
			if i, err := v.Int64(); err == nil {
				n = max(n, int(min(i, costCap)))
			}
		}
	}
	if n <= 0 {
		return m.pageSize
	}
	return n
}
