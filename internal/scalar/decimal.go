package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/bri-tracker/bri-tracker/internal/apperr"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"
)

// decimalText is the only form a Decimal accepts from clients: an optional
// minus sign, digits, and an optional fraction. No exponents, no separators,
// nothing a float could have produced.
var decimalText = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// maxDecimalDigits bounds the digits a client may send, so that a hostile
// value cannot make arithmetic on it expensive.
const maxDecimalDigits = 40

// ParseDecimal parses an exact decimal written as plain digits.
func ParseDecimal(s string) (decimal.Decimal, error) {
	if len(s) > maxDecimalDigits+2 || !decimalText.MatchString(s) {
		return decimal.Decimal{}, apperr.Invalid("", "%q is not a decimal number such as \"1234567.89\"", s)
	}
	return decimal.NewFromString(s)
}

// MarshalDecimal writes a decimal as a JSON string that keeps every digit.
func MarshalDecimal(d decimal.Decimal) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(d.String()))
	})
}

// UnmarshalDecimal reads a decimal from a string. JSON numbers are refused:
// a client that sends 0.1 as a number has already lost exactness.
func UnmarshalDecimal(v any) (decimal.Decimal, error) {
	switch v := v.(type) {
	case string:
		return ParseDecimal(v)
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return ParseDecimal(v.String())
		}
		return decimal.Decimal{}, apperr.Invalid("", "a Decimal with a fraction must be sent as a string, such as \"%s\"", v.String())
	case int, int32, int64:
		return decimal.NewFromString(fmt.Sprint(v))
	default:
		return decimal.Decimal{}, apperr.Invalid("", "a Decimal must be a string such as \"1234567.89\", not %T", v)
	}
}
