package scalar

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// maxMessage bounds the message of a refused value: a decoder quotes at most
// a truncated prefix of what it was sent.
const maxMessage = 300

// checkRefusal fails unless err is a client error (BAD_USER_INPUT) with a
// bounded message.
func checkRefusal(t *testing.T, in string, err error) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("%q refused with %T %v, want an *apperr.Error", in, err, err)
	}
	if e.Code != apperr.BadUserInput {
		t.Fatalf("%q refused with code %s, want %s", in, e.Code, apperr.BadUserInput)
	}
	if len(e.Message) > maxMessage {
		t.Fatalf("%q refused with a message of %d bytes (at most %d): %.80q…", in, len(e.Message), maxMessage, e.Message)
	}
}

// FuzzDecimal: ParseDecimal and UnmarshalGQL never panic; a refused value is
// BAD_USER_INPUT with a bounded message; an accepted value survives
// MarshalGQL → UnmarshalGQL and Value → Scan unchanged.
func FuzzDecimal(f *testing.F) {
	for _, s := range []string{
		"0", "-0", "1234567.89", "-0.01", "007", "0.000000000000000001",
		"999999999999999999999999999999.999999999999999999",
		"1e9", "1,000", " 1", "", "1.", ".5", "--1", "0x10", "NaN", "Infinity",
		"1234567890123456789012345678901", "0.1234567890123456789",
		"000000000000000000000000000000000000000001", "١٢٣", "1\x00", strings.Repeat("9", 500),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			checkRefusal(t, s, err)
		} else {
			decimalRoundTrip(t, s, d)
		}

		// The same text as a JSON number (an integer is taken, a fraction
		// refused) and as a value of the wrong type.
		var n Decimal
		if err := n.UnmarshalGQL(json.Number(s)); err != nil {
			checkRefusal(t, s, err)
		} else {
			decimalRoundTrip(t, s, n)
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			var v Decimal
			if err := v.UnmarshalGQL(i); err != nil {
				t.Fatalf("int64 %d refused: %v", i, err)
			}
			decimalRoundTrip(t, s, v)
		}
		if fl, err := strconv.ParseFloat(s, 64); err == nil {
			var v Decimal
			checkRefusal(t, s, v.UnmarshalGQL(fl))
		}
		var b Decimal
		checkRefusal(t, s, b.UnmarshalGQL([]byte(s)))

		// Whatever the database holds, Scan returns a value or an error.
		var sc Decimal
		_ = sc.Scan(s)
		_ = sc.Scan([]byte(s))
	})
}

func decimalRoundTrip(t *testing.T, in string, d Decimal) {
	t.Helper()
	var buf bytes.Buffer
	d.MarshalGQL(&buf)
	wire, err := strconv.Unquote(buf.String())
	if err != nil {
		t.Fatalf("%q marshals to %s, not a JSON string: %v", in, buf.String(), err)
	}
	var back Decimal
	if err := back.UnmarshalGQL(wire); err != nil {
		t.Fatalf("%q accepted as %s, which is refused when sent back: %v", in, wire, err)
	}
	if !back.Equal(d.Decimal) {
		t.Fatalf("%q: marshalled %s, read back %s", in, wire, back.String())
	}
	v, err := d.Value()
	if err != nil {
		t.Fatalf("%q accepted as %s has no database text: %v", in, d.String(), err)
	}
	var stored Decimal
	if err := stored.Scan(v); err != nil {
		t.Fatalf("%q stored as %v does not scan back: %v", in, v, err)
	}
	if !stored.Equal(d.Decimal) {
		t.Fatalf("%q stored as %v scans back as %s", in, v, stored.String())
	}
	if err := stored.Scan([]byte(v.(string))); err != nil || !stored.Equal(d.Decimal) {
		t.Fatalf("%q stored as bytes %v scans back as %s, %v", in, v, stored.String(), err)
	}
}

// FuzzDate: ParseDate, UnmarshalGQL, UnmarshalJSON and Scan never panic; a
// refused client value is BAD_USER_INPUT with a bounded message; an accepted
// value survives MarshalGQL → UnmarshalGQL, MarshalJSON → UnmarshalJSON and
// Value → Scan unchanged.
func FuzzDate(f *testing.F) {
	for _, s := range []string{
		"2024-02-29", "2023-02-29", "0000-01-01", "9999-12-31", "29/02/2024", "2024-2-9",
		"2024-02-29T00:00:00Z", "2024-02-29T23:59:59+14:00", "2024-02-29 00:00:00",
		"", "2024-13-01", "2024-00-10", "+2024-01-01", "２０２４-０１-０１", "2024-01-01\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			checkRefusal(t, s, err)
		} else {
			dateRoundTrip(t, s, d)
		}
		var g Date
		if err := g.UnmarshalGQL(s); err != nil {
			checkRefusal(t, s, err)
		} else if g != d {
			t.Fatalf("%q: UnmarshalGQL gives %v, ParseDate %v", s, g, d)
		}
		var wrong Date
		checkRefusal(t, s, wrong.UnmarshalGQL([]byte(s)))

		var j Date
		if err := j.UnmarshalJSON([]byte(s)); err == nil {
			dateRoundTrip(t, s, j)
		}
		if utf8.ValidString(s) {
			var q Date
			qerr := q.UnmarshalJSON([]byte(strconv.Quote(s)))
			if (qerr == nil) != (err == nil) || q != d {
				t.Fatalf("%q: UnmarshalJSON gives %v, %v; ParseDate %v, %v", s, q, qerr, d, err)
			}
		}

		// Stored text (SQLite) or a timestamp written by another tool: a
		// value or an error, and an accepted one is a valid date.
		for _, src := range []any{s, []byte(s)} {
			var sc Date
			if err := sc.Scan(src); err == nil {
				dateRoundTrip(t, s, sc)
			}
		}
	})
}

func dateRoundTrip(t *testing.T, in string, d Date) {
	t.Helper()
	var buf bytes.Buffer
	d.MarshalGQL(&buf)
	wire, err := strconv.Unquote(buf.String())
	if err != nil {
		t.Fatalf("%q marshals to %s, not a JSON string: %v", in, buf.String(), err)
	}
	var back Date
	if err := back.UnmarshalGQL(wire); err != nil {
		t.Fatalf("%q accepted as %s, which is refused when sent back: %v", in, wire, err)
	}
	if back != d {
		t.Fatalf("%q: marshalled %s, read back %s", in, wire, back)
	}
	js, err := d.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON Date
	if err := fromJSON.UnmarshalJSON(js); err != nil || fromJSON != d {
		t.Fatalf("%q: JSON %s reads back as %v, %v", in, js, fromJSON, err)
	}
	v, err := d.Value()
	if err != nil {
		t.Fatalf("%q: %v", in, err)
	}
	var stored Date
	if err := stored.Scan(v); err != nil || stored != d {
		t.Fatalf("%q stored as %v scans back as %v, %v", in, v, stored, err)
	}
}
