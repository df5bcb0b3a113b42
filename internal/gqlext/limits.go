package gqlext

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

// Limits refuses operations too deep, too aliased, too costly or asking for
// pages too large, before any resolver runs, in one walk of the operation.
//
//   - Depth counts field levels, leaves included: a connection and its
//     `edges { node }` count as one, so partners → projects → policies →
//     partners → name is 5.
//   - Aliases counts fields requested under an alias.
//   - Complexity counts the fields the answer may hold: a connection's
//     selection counts once per item it may return (`first`, `last`, or
//     PageDefault).
//     Each substring predicate of a `where` (titleContainsFold,
//     nameHasPrefix, ...), which no index serves and which PostgreSQL
//     answers by reading every row it filters, adds FilterCost and
//     FilterCharCost per character of its pattern, once wherever it stands
//     (under a list of parents, one statement runs it for them all).
//   - Pages: a connection asked for without `first` or `last` returns
//     PageDefault items (QueryCache writes that into the document), and
//     neither argument may be negative or exceed PageMax.
//   - Strings: see StringLimits.
//
// These are the server's only page sizes: the resolvers read no other.
type Limits struct {
	MaxDepth       int
	MaxAliases     int
	MaxComplexity  int
	PageDefault    int
	PageMax        int
	FilterCost     int
	FilterCharCost int
	Strings        StringLimits
}

// DefaultLimits are the limits unless configured otherwise.
var DefaultLimits = Limits{
	MaxDepth: 10, MaxAliases: 30, MaxComplexity: 100000, PageDefault: 20, PageMax: 100,
	FilterCost: 20000, FilterCharCost: 60,
	Strings: StringLimits{Filter: 1000, Data: 50000},
}

// CodeQueryTooComplex is the code of operations refused for their depth,
// aliases or complexity.
const CodeQueryTooComplex = "QUERY_TOO_COMPLEX"

var (
	_ graphql.HandlerExtension        = Limits{}
	_ graphql.OperationContextMutator = Limits{}
)

// ExtensionName names the extension for gqlgen.
func (Limits) ExtensionName() string { return "Limits" }

// Validate checks the limits when the server is built.
func (l Limits) Validate(graphql.ExecutableSchema) error {
	if l.MaxDepth < 1 || l.MaxAliases < 0 || l.MaxComplexity < 1 {
		return fmt.Errorf("query limits: depth and complexity must be positive, aliases not negative: %+v", l)
	}
	if l.PageDefault < 1 || l.PageMax < l.PageDefault {
		return fmt.Errorf("page limits: need 1 <= default (%d) <= max (%d)", l.PageDefault, l.PageMax)
	}
	if l.FilterCost < 0 || l.FilterCharCost < 0 || l.Strings.Filter < 1 || l.Strings.Data < l.Strings.Filter {
		return fmt.Errorf("filter limits: need a cost >= 0 and 1 <= filter length (%d) <= data length (%d)", l.Strings.Filter, l.Strings.Data)
	}
	return nil
}

// isConnection reports whether a field returns a paged connection.
func isConnection(def *ast.FieldDefinition) bool {
	return def != nil && strings.HasSuffix(def.Type.Name(), "Connection") && def.Arguments.ForName("first") != nil
}

// QueryCache wraps a cache of validated documents so that each document,
// when first parsed, gets an explicit `first: PageDefault` on every
// connection field that names neither `first` nor `last`. Rewriting the
// document, rather than each resolver's arguments, lets ent's eager loading
// of nested connections see the limit too. The rewrite happens once, before
// the document is shared.
func (l Limits) QueryCache(next graphql.Cache[*ast.QueryDocument]) graphql.Cache[*ast.QueryDocument] {
	return &pageDefaultsCache{Cache: next, limits: l}
}

type pageDefaultsCache struct {
	graphql.Cache[*ast.QueryDocument]
	limits Limits
}

func (c *pageDefaultsCache) Add(ctx context.Context, key string, doc *ast.QueryDocument) {
	first := &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(c.limits.PageDefault)}
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

// MutateOperationContext measures the operation and refuses it when a page
// argument is out of range (BAD_USER_INPUT, naming the argument) or when
// the operation is over a limit (QUERY_TOO_COMPLEX).
func (l Limits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	m := measurer{vars: oc.Variables, limits: l, mutation: oc.Operation.Operation == ast.Mutation}
	cost := min(m.selection(oc.Operation.SelectionSet, 1)+m.filterCost, costCap)
	oc.Stats.SetExtension(complexityStat, cost)
	if m.argErr != nil {
		return &gqlerror.Error{
			Message:    m.argErr.Error(),
			Extensions: map[string]any{"code": string(m.argErr.Code), "field": m.argErr.Field},
		}
	}
	var msg string
	switch {
	case m.tooDeep:
		msg = fmt.Sprintf("the query is nested more than %d levels deep", l.MaxDepth)
	case m.aliases > l.MaxAliases:
		msg = fmt.Sprintf("the query uses %d aliases; at most %d are allowed", m.aliases, l.MaxAliases)
	case cost > l.MaxComplexity && m.filters > 0:
		msg = fmt.Sprintf("the query costs %d; at most %d is allowed: each substring filter (such as titleContainsFold) costs %d and %d per character of its pattern, and it has %d: use fewer or shorter ones, or equality and range filters, which indexes serve", cost, l.MaxComplexity, l.FilterCost, l.FilterCharCost, m.filters)
	case cost > l.MaxComplexity:
		msg = fmt.Sprintf("the query may return %d fields; at most %d are allowed: ask for smaller pages or fewer nested connections", cost, l.MaxComplexity)
	default:
		return nil
	}
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": CodeQueryTooComplex}}
}

// complexityStat keys an operation's complexity in its statistics.
const complexityStat = "Limits.complexity"

// OperationComplexity returns the complexity Limits measured for the
// operation of ctx (refused operations included), and false when it measured
// none (no operation, or one that failed to parse or validate).
func OperationComplexity(ctx context.Context) (int, bool) {
	if !graphql.HasOperationContext(ctx) {
		return 0, false
	}
	cost, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(complexityStat).(int)
	return cost, ok
}

// measurer walks an operation once: its depth, aliases and cost, and the
// first argument refused (a page out of range, a string too long or that
// PostgreSQL cannot store).
type measurer struct {
	vars     map[string]any
	limits   Limits
	mutation bool
	aliases  int
	filters  int
	// filterCost is what the substring predicates cost, each once: a
	// connection's filter under a list of parents runs in one statement
	// for them all, and reads only their edges.
	filterCost int
	tooDeep    bool
	argErr     *apperr.Error
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
	m.arguments(f, depth)
	if depth > m.limits.MaxDepth {
		m.tooDeep = true
		return 1
	}
	if isConnection(f.Definition) {
		page := m.page(f)
		// edges { node { ... } } sit at the connection's own level
		return 1 + page*m.connectionSelection(f.SelectionSet, depth)
	}
	if len(f.SelectionSet) == 0 {
		return 1
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

// page checks a connection field's first and last, and returns the number
// of items it may return.
func (m *measurer) page(f *ast.Field) int {
	args := f.ArgumentMap(m.vars)
	n := int64(0)
	for _, name := range []string{"first", "last"} {
		v, ok := intArg(args[name])
		if !ok {
			continue // absent, null or not an Int: gqlgen's coercion reports the last
		}
		switch {
		case v < 0 && m.argErr == nil:
			m.argErr = apperr.Invalid(name, "must not be negative on %s, got %d", f.Alias, v)
		case v > int64(m.limits.PageMax) && m.argErr == nil:
			m.argErr = apperr.Invalid(name, "at most %d items a page on %s, got %d", m.limits.PageMax, f.Alias, v)
		}
		n = max(n, min(v, costCap))
	}
	if n <= 0 {
		return m.limits.PageDefault
	}
	return int(n)
}

// intArg reads an Int argument as the document or the variables give it.
func intArg(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case int:
		return int64(v), true
	case json.Number:
		i, err := v.Int64()
		return i, err == nil
	}
	return 0, false
}
