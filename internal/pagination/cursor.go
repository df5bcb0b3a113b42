package pagination

import (
	"encoding/base64"
	"io"
	"strings"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// The Cursor scalar (gqlgen.yml binds it to these functions): entgql's
// cursor, whose own decoder answers a client's malformed cursor with a
// plain error, which the server could only report as its own fault.

// MarshalCursor writes a cursor as entgql does, except that an order value
// that is its type's zero (0, "", false) is written too: entgql's
// "v,omitempty" drops it, and the cursor read back had no value at all,
// which the cursor predicate takes for NULL.
func MarshalCursor(c entgql.Cursor[int]) graphql.Marshaler {
	if c.Value == nil {
		return c
	}
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, `"`)
		wc := base64.NewEncoder(base64.RawStdEncoding, w)
		_ = msgpack.NewEncoder(wc).Encode(valueCursor{ID: c.ID, Value: c.Value})
		_ = wc.Close()
		_, _ = io.WriteString(w, `"`)
	})
}

// CursorString is c as the API writes it (MarshalCursor's JSON string
// without its quotes), for places outside a GraphQL value, such as an
// error's extensions.
func CursorString(c entgql.Cursor[int]) string {
	var b strings.Builder
	MarshalCursor(c).MarshalGQL(&b)
	return strings.Trim(b.String(), `"`)
}

// valueCursor is entgql.Cursor[int] with its value always written.
type valueCursor struct {
	ID    int `msgpack:"i"`
	Value any `msgpack:"v"`
}

// UnmarshalCursor reads a cursor a client sends back. One that this API did
// not give out is a client error (BAD_USER_INPUT) naming the argument (the
// error presenter adds it from the path), without echoing the value.
func UnmarshalCursor(v any) (entgql.Cursor[int], error) {
	var c entgql.Cursor[int]
	s, ok := v.(string)
	if !ok {
		return c, apperr.Invalid("", "a cursor must be a string, not %T", v)
	}
	if err := decodeCursor(s, &c); err != nil || c.ID <= 0 {
		return entgql.Cursor[int]{}, apperr.Invalid("", "not a cursor this API gave out; use a pageInfo cursor or an edge's cursor unchanged")
	}
	return c, nil
}

// wireCursor is entgql.Cursor[int] as msgpack writes it, with the value
// kept undecoded.
type wireCursor struct {
	ID    int                `msgpack:"i"`
	Value msgpack.RawMessage `msgpack:"v,omitempty"`
}

// decodeCursor reads the text entgql.Cursor's MarshalGQL writes, as its
// UnmarshalGQL does, except that the value is decoded into a fresh
// interface once the whole map is read: entgql decodes it straight into the
// struct's interface field, and a map that names "v" twice with integers
// ("gqF27aF270") makes msgpack set the integer already held there, which
// panics (reflect: SetInt using unaddressable value).
func decodeCursor(s string, c *entgql.Cursor[int]) error {
	var w wireCursor
	dec := msgpack.NewDecoder(base64.NewDecoder(base64.RawStdEncoding, strings.NewReader(s)))
	if err := dec.Decode(&w); err != nil {
		return err
	}
	c.ID = w.ID
	c.Value = nil
	if w.Value != nil {
		var v any
		if err := msgpack.Unmarshal(w.Value, &v); err != nil {
			return err
		}
		c.Value = v
	}
	return nil
}
