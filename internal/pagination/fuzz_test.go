package pagination

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"entgo.io/contrib/entgql"

	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

func cursorText(t testing.TB, c entgql.Cursor[int]) string {
	t.Helper()
	var buf bytes.Buffer
	MarshalCursor(c).MarshalGQL(&buf)
	s, err := strconv.Unquote(buf.String())
	if err != nil {
		t.Fatalf("cursor %#v marshals to %s, not a JSON string: %v", c, buf.String(), err)
	}
	return s
}

// FuzzCursor: UnmarshalCursor never panics; a cursor it refuses is
// BAD_USER_INPUT with a bounded message; one it
// accepts has a positive id and reads back the same after MarshalCursor.
func FuzzCursor(f *testing.F) {
	for _, c := range []entgql.Cursor[int]{
		{ID: 1}, {ID: 42, Value: "Malaysia"}, {ID: 7, Value: int64(2015)}, {ID: 3, Value: 1.5},
		{ID: 9, Value: "000000000000000000000000001234.5"}, {ID: 2, Value: []any{"a", int64(1)}},
		{ID: 1 << 40, Value: map[string]any{"k": true}}, {ID: 0}, {ID: -5, Value: "x"},
	} {
		f.Add(cursorText(f, c))
	}
	for _, s := range []string{"", "gaFp", "not a cursor", "====", "gaFpzwAAAAAAAAAB", "\x00", strings.Repeat("A", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := UnmarshalCursor(s)
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.BadUserInput {
				t.Fatalf("%q refused with %T %v, want BAD_USER_INPUT", s, err, err)
			}
			if len(e.Message) > 200 {
				t.Fatalf("%q: refused with a message of %d bytes", s, len(e.Message))
			}
			return
		}
		if c.ID <= 0 {
			t.Fatalf("%q accepted with id %d", s, c.ID)
		}
		wire := cursorText(t, c)
		back, err := UnmarshalCursor(wire)
		if err != nil {
			t.Fatalf("%q accepted as %#v, whose marshalled form %q is refused: %v", s, c, wire, err)
		}
		// %#v prints maps sorted and NaN as NaN, so equal cursors print the same.
		if got, want := fmt.Sprintf("%#v", back), fmt.Sprintf("%#v", c); got != want {
			t.Fatalf("%q: accepted as %s, re-marshalled as %q, read back as %s", s, want, wire, got)
		}
		if again := cursorText(t, back); len(again) != len(wire) {
			t.Fatalf("%q: marshalled %q, then %q", s, wire, again)
		}
		// A non-string value is refused, whatever it holds.
		if _, err := UnmarshalCursor([]byte(s)); err == nil {
			t.Fatalf("a []byte cursor accepted")
		}
	})
}
