// Package scalar holds the value types that the API exposes as custom GraphQL
// scalars and that ent stores: calendar dates and exact decimals.
package scalar

import (
	"database/sql/driver"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// dateLayout is the ISO 8601 calendar date, the only form a Date takes on the
// wire and in SQLite.
const dateLayout = "2006-01-02"

// Date is a calendar date without a time of day or a zone.
type Date struct {
	t time.Time // always midnight UTC
}

// NewDate returns the date year-month-day.
func NewDate(year int, month time.Month, day int) Date {
	return Date{t: time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// ParseDate parses "YYYY-MM-DD" strictly: the text must name a real day.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, apperr.Invalid("", "%q is not a date in the form YYYY-MM-DD", truncate(s))
	}
	return Date{t: t}, nil
}

// MustParseDate is ParseDate for literals known to be valid.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return d.t.Format(dateLayout) }

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time { return d.t }

// Year returns the date's year.
func (d Date) Year() int { return d.t.Year() }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Before reports whether d falls on an earlier day than o.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }

// Value stores the date as its ISO text, which PostgreSQL casts to date and
// SQLite keeps as sortable text.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a date from PostgreSQL (time.Time) or SQLite (text).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		y, m, day := v.Date()
		*d = NewDate(y, m, day)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("scalar: cannot scan %T into Date", src)
	}
}

func (d *Date) scanText(s string) error {
	if len(s) > len(dateLayout) { // a timestamp written by another tool
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			y, m, day := t.Date()
			*d = NewDate(y, m, day)
			return nil
		}
		s = s[:len(dateLayout)]
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalGQL writes the date as a JSON string.
func (d Date) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(d.String()))
}

// UnmarshalGQL reads a date from a GraphQL string value.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return apperr.Invalid("", "a Date must be a string in the form YYYY-MM-DD, not %T", v)
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalJSON writes the date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(d.String())), nil
}

// UnmarshalJSON reads a date from "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("scalar: a Date must be a JSON string")
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
