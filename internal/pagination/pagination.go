// Package pagination makes entgql's cursor pagination correct for order
// fields that may be null (amounts, dates, years...). entgql compares the
// cursor's value with the field, which drops rows whose field is NULL, and
// the databases disagree on where NULLs sort. Here NULL counts as larger
// than every value, on both databases (PostgreSQL's own default): NULLs come
// last in ascending order and first in descending order, and cursors that
// stop on or before them continue through them. The templates in
// ent/template point the generated pagination code at these functions.
package pagination

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
)

// NullsLargest is the ORDER BY option that sorts NULLs as the largest
// values in the given direction.
func NullsLargest(d entgql.OrderDirection) sql.OrderTermOption {
	if d == entgql.OrderDirectionAsc {
		return sql.OrderNullsLast()
	}
	return sql.OrderNullsFirst()
}

// NullsSQL is NullsLargest as SQL, for order expressions written by hand.
func NullsSQL(d entgql.OrderDirection) string {
	if d == entgql.OrderDirectionAsc {
		return " NULLS LAST"
	}
	return " NULLS FIRST"
}

// CursorsPredicate keeps the rows beyond each cursor in the order of field
// (then id) in direction, with NULL as the largest value. It replaces
// entgql.CursorsPredicate, with the same arguments and the same reading of
// them: the generated pager reverses direction when paging backwards, so
// "beyond" is the same way for both cursors.
func CursorsPredicate[T any](after, before *entgql.Cursor[T], idField, field string, direction entgql.OrderDirection) []func(s *sql.Selector) {
	var out []func(s *sql.Selector)
	for _, c := range []*entgql.Cursor[T]{after, before} {
		if c != nil {
			out = append(out, beyond(c, idField, field, direction == entgql.OrderDirectionAsc))
		}
	}
	return out
}

// beyond keeps the rows greater than the cursor (up) or smaller (!up), in
// the order (field, id) with NULL the largest field value.
func beyond[T any](c *entgql.Cursor[T], idField, field string, up bool) func(s *sql.Selector) {
	return func(s *sql.Selector) {
		col, id := s.C(field), s.C(idField)
		if field == idField {
			if up {
				s.Where(sql.GT(id, c.ID))
			} else {
				s.Where(sql.LT(id, c.ID))
			}
			return
		}
		var p *sql.Predicate
		switch {
		case c.Value != nil && up:
			p = sql.Or(sql.GT(col, c.Value), sql.And(sql.EQ(col, c.Value), sql.GT(id, c.ID)), sql.IsNull(col))
		case c.Value != nil:
			p = sql.Or(sql.LT(col, c.Value), sql.And(sql.EQ(col, c.Value), sql.LT(id, c.ID)))
		case up:
			p = sql.And(sql.IsNull(col), sql.GT(id, c.ID))
		default:
			p = sql.Or(sql.NotNull(col), sql.And(sql.IsNull(col), sql.LT(id, c.ID)))
		}
		s.Where(p)
	}
}
