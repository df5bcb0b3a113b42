package pagination

import (
	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// The Cursor scalar (gqlgen.yml binds it to these functions): entgql's
// cursor, whose own decoder answers a client's malformed cursor with a
// plain error, which the server could only report as its own fault.

// MarshalCursor writes a cursor as entgql does.
func MarshalCursor(c entgql.Cursor[int]) graphql.Marshaler { return c }

// UnmarshalCursor reads a cursor a client sends back. One that this API did
// not give out is a client error (BAD_USER_INPUT) naming the argument (the
// error presenter adds it from the path), without echoing the value.
func UnmarshalCursor(v any) (entgql.Cursor[int], error) {
	var c entgql.Cursor[int]
	s, ok := v.(string)
	if !ok {
		return c, apperr.Invalid("", "a cursor must be a string, not %T", v)
	}
	if err := c.UnmarshalGQL(s); err != nil || c.ID <= 0 {
		return entgql.Cursor[int]{}, apperr.Invalid("", "not a cursor this API gave out; use a pageInfo cursor or an edge's cursor unchanged")
	}
	return c, nil
}
