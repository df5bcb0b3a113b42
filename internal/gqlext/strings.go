package gqlext

import (
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// StringLimits bound, in characters, the strings a client may send as
// arguments, given in the query or through variables, at any depth of an
// input object or list. They are checked before anything runs, so no
// statement ever receives an oversized string.
//
//   - Data bounds the arguments of a mutation's top-level field (except its
//     `where`): the values it writes. Each stored field is bounded further by
//     its own maximum (docs/security.md lists them), which its
//     validator enforces, also before any SQL.
//   - Filter bounds every other string: filters (`where`), search terms,
//     ids and cursors. A substring filter is matched against every row it
//     reads, so its length is what its cost grows with.
type StringLimits struct {
	Filter int
	Data   int
}

// substringPredicates are the suffixes of the where-input fields that
// PostgreSQL can only answer by matching every row's text: entgql's
// Contains, ContainsFold, HasPrefix, HasSuffix and EqualFold predicates.
var substringPredicates = []string{"Contains", "ContainsFold", "HasPrefix", "HasSuffix", "EqualFold"}

// arguments checks a field's arguments (their strings' characters and
// lengths; the first fault becomes m.argErr) and adds what the substring
// predicates of its `where` cost, nested filters included, to
// m.filterCost.
func (m *measurer) arguments(f *ast.Field, depth int) {
	for _, a := range f.Arguments {
		if a.Value == nil {
			continue
		}
		v, err := a.Value.Value(m.vars)
		if err != nil {
			continue // the executor's own coercion reports it
		}
		if m.argErr == nil {
			m.argErr = literalShape(a.Value, a.Name)
		}
		limit := m.limits.Strings.Filter
		if m.mutation && depth == 1 && a.Name != "where" {
			limit = m.limits.Strings.Data
		}
		if m.argErr == nil {
			m.argErr = checkStrings(v, a.Name, limit)
		}
		if a.Name == "where" {
			cost, n := m.limits.substringCost(v)
			m.filterCost = min(m.filterCost+cost, costCap)
			m.filters += n
		}
	}
}

// literalShape refuses an object literal written where the argument's type
// is a built-in scalar or an enum (first: {}), at any depth of an input: the
// validator lets an empty one through, and the executor's coercion would
// then fail as the server's fault.
func literalShape(v *ast.Value, path string) *apperr.Error {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case ast.ObjectValue:
		if d := v.Definition; d != nil && (d.Kind == ast.Enum || d.Kind == ast.Scalar && builtinScalars[d.Name]) {
			return apperr.Invalid(path, "an object was given where %s is expected", v.ExpectedType.String())
		}
		for _, c := range v.Children {
			if err := literalShape(c.Value, path+"."+c.Name); err != nil {
				return err
			}
		}
	case ast.ListValue:
		for _, c := range v.Children {
			if err := literalShape(c.Value, path); err != nil {
				return err
			}
		}
	}
	return nil
}

// builtinScalars are GraphQL's own scalars, which never take an object
// (the API's JSON and GeoJSON scalars do).
var builtinScalars = map[string]bool{"Int": true, "Float": true, "String": true, "Boolean": true, "ID": true}

// checkStrings refuses the first string of an argument's value that is too
// long, holds a NUL character (PostgreSQL's text cannot store one, so the
// statement would fail as the server's fault) or is not UTF-8. The error
// names the argument's path (where.titleContains).
func checkStrings(v any, path string, limit int) *apperr.Error {
	switch v := v.(type) {
	case string:
		switch {
		case len(v) > limit && utf8.RuneCountInString(v) > limit:
			return apperr.Invalid(path, "is %d characters long; at most %d are allowed", utf8.RuneCountInString(v), limit)
		case strings.IndexByte(v, 0) >= 0:
			return apperr.Invalid(path, "contains a NUL character (U+0000), which text cannot hold")
		case !utf8.ValidString(v):
			return apperr.Invalid(path, "is not valid UTF-8")
		}
	case map[string]any:
		for k, e := range v {
			if err := checkStrings(e, path+"."+k, limit); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range v {
			if err := checkStrings(e, path, limit); err != nil {
				return err
			}
		}
	}
	return nil
}

// substringCost is what the substring predicates set in a where input
// cost, through its not, and, or and has...With members: each costs
// FilterCost, and FilterCharCost for each character of its pattern
// (PostgreSQL's ILIKE lowers the pattern again for every row it reads).
// It also returns how many there are.
func (l Limits) substringCost(v any) (cost, n int) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				continue
			}
			if s, ok := e.(string); ok && isSubstringPredicate(k) {
				cost += l.FilterCost + l.FilterCharCost*min(utf8.RuneCountInString(s), costCap/max(1, l.FilterCharCost))
				n++
				continue
			}
			c, m := l.substringCost(e)
			cost, n = min(cost+c, costCap), n+m
		}
	case []any:
		for _, e := range v {
			c, m := l.substringCost(e)
			cost, n = min(cost+c, costCap), n+m
		}
	}
	return cost, n
}

func isSubstringPredicate(name string) bool {
	for _, s := range substringPredicates {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}
