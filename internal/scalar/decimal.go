package scalar

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// Decimal is an exact decimal number, for money and shares. It never passes
// through a float: clients send it as a string, PostgreSQL stores it as
// numeric, SQLite as text.
type Decimal struct {
	decimal.Decimal
}

// intDigits is the widest integer part a Decimal may have. The database
// text of a Decimal pads its integer part to this width so that, in SQLite's
// text column, comparing and sorting the text compares and sorts the numbers
// (for the non-negative values that amounts are).
const intDigits = 30

// maxFracDigits bounds the fraction a client may send.
const maxFracDigits = 18

// decimalText is the only form a Decimal accepts from clients: an optional
// minus sign, digits, and an optional fraction. No exponents, no separators,
// nothing a float could have produced.
var decimalText = regexp.MustCompile(`^-?([0-9]+)(?:\.([0-9]+))?$`)

// NewDecimal wraps a shopspring decimal.
func NewDecimal(d decimal.Decimal) Decimal { return Decimal{d} }

// ParseDecimal parses an exact decimal written as plain digits.
func ParseDecimal(s string) (Decimal, error) {
	m := decimalText.FindStringSubmatch(s)
	if m == nil {
		return Decimal{}, apperr.Invalid("", "%q is not a decimal number such as \"1234567.89\"", truncate(s))
	}
	if len(strings.TrimLeft(m[1], "0")) > intDigits || len(m[2]) > maxFracDigits {
		return Decimal{}, apperr.Invalid("", "%q has too many digits: at most %d before the point and %d after", truncate(s), intDigits, maxFracDigits)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Decimal{}, apperr.Invalid("", "%q is not a decimal number", truncate(s))
	}
	return Decimal{d}, nil
}

// MustParseDecimal is ParseDecimal for literals known to be valid.
func MustParseDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// Value writes the decimal with its integer part zero-padded to a fixed
// width and no trailing fraction zeros, e.g. 000…00012.5. PostgreSQL reads
// it as the number it is; SQLite keeps the text, which sorts numerically.
func (d Decimal) Value() (driver.Value, error) {
	s := d.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	if len(intPart) > intDigits {
		return nil, fmt.Errorf("decimal %s: more than %d integer digits", d.String(), intDigits)
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(strings.Repeat("0", intDigits-len(intPart)))
	b.WriteString(intPart)
	if frac = strings.TrimRight(frac, "0"); frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String(), nil
}

// Scan reads a decimal from numeric (PostgreSQL) or text (SQLite).
func (d *Decimal) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		return d.scanText(string(v))
	case string:
		return d.scanText(v)
	case int64:
		d.Decimal = decimal.NewFromInt(v)
		return nil
	default:
		return fmt.Errorf("scalar: cannot scan %T into Decimal", src)
	}
}

func (d *Decimal) scanText(s string) error {
	v, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("scalar: stored decimal %q: %w", s, err)
	}
	d.Decimal = v
	return nil
}

// MarshalGQL writes the decimal as a JSON string that keeps every digit.
func (d Decimal) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(d.String()))
}

// UnmarshalGQL reads a decimal from a string. A JSON number is taken only
// when it is an integer: a client that sends 0.1 as a number has already
// lost exactness.
func (d *Decimal) UnmarshalGQL(v any) error {
	var (
		p   Decimal
		err error
	)
	switch v := v.(type) {
	case string:
		p, err = ParseDecimal(v)
	case json.Number:
		if _, ierr := v.Int64(); ierr != nil {
			return apperr.Invalid("", "a Decimal with a fraction must be sent as a string, such as \"%s\"", truncate(v.String()))
		}
		p, err = ParseDecimal(v.String())
	case float64, float32:
		return apperr.Invalid("", "a Decimal must be sent as a string, such as \"%v\", so that no digit is lost", v)
	case int64:
		p = Decimal{decimal.NewFromInt(v)}
	case int:
		p = Decimal{decimal.NewFromInt(int64(v))}
	default:
		return apperr.Invalid("", "a Decimal must be a string such as \"1234567.89\", not %T", v)
	}
	if err != nil {
		return err
	}
	*d = p
	return nil
}
