package store

import (
	"database/sql/driver"
	"fmt"
	"sync"

	"github.com/shopspring/decimal"
	"modernc.org/sqlite"

	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

var registerOnce sync.Once

// registerSQLiteFunctions adds exact decimal aggregates to SQLite, which
// would otherwise sum the decimal text columns as floats: decimal_sum and
// decimal_avg (rounded to 6 places) return the storage text of a Decimal,
// which sorts as the numbers do.
func registerSQLiteFunctions() {
	registerOnce.Do(func() {
		for name, avg := range map[string]bool{"decimal_sum": false, "decimal_avg": true} {
			avg := avg
			sqlite.MustRegisterFunction(name, &sqlite.FunctionImpl{
				NArgs:         1,
				Deterministic: true,
				MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
					return &decimalAgg{avg: avg}, nil
				},
			})
		}
		// decimal_product_sum(a, b) is the exact sum of a×b over the rows
		// where both are set, as plain decimal text (the products of two
		// stored decimals can outgrow the storage format)
		sqlite.MustRegisterFunction("decimal_product_sum", &sqlite.FunctionImpl{
			NArgs:         2,
			Deterministic: true,
			MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
				return &productSum{}, nil
			},
		})
	})
}

type productSum struct {
	sum decimal.Decimal
	n   int64
}

func (a *productSum) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	x, okx, err := decimalArg(args[0])
	if err != nil {
		return err
	}
	y, oky, err := decimalArg(args[1])
	if err != nil || !okx || !oky {
		return err
	}
	a.sum = a.sum.Add(x.Mul(y))
	a.n++
	return nil
}

func (a *productSum) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("decimal aggregates are not window functions")
}

func (a *productSum) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	if a.n == 0 {
		return nil, nil
	}
	return a.sum.String(), nil
}

func (a *productSum) Final(*sqlite.FunctionContext) {}

type decimalAgg struct {
	avg bool
	sum decimal.Decimal
	n   int64
}

func (a *decimalAgg) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	d, ok, err := decimalArg(args[0])
	if err != nil || !ok {
		return err
	}
	a.sum = a.sum.Add(d)
	a.n++
	return nil
}

// decimalArg reads a decimal column's value; NULL is no value.
func decimalArg(arg driver.Value) (decimal.Decimal, bool, error) {
	var s string
	switch v := arg.(type) {
	case nil:
		return decimal.Decimal{}, false, nil
	case string:
		s = v
	case []byte:
		s = string(v)
	case int64:
		s = fmt.Sprint(v)
	case float64:
		return decimal.Decimal{}, false, fmt.Errorf("decimal aggregate: a float (%v) in a decimal column", v)
	default:
		return decimal.Decimal{}, false, fmt.Errorf("decimal aggregate: unexpected %T", v)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, false, fmt.Errorf("decimal aggregate: %w", err)
	}
	return d, true, nil
}

func (a *decimalAgg) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("decimal aggregates are not window functions")
}

func (a *decimalAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	if a.n == 0 {
		return nil, nil
	}
	v := a.sum
	if a.avg {
		v = v.DivRound(decimal.NewFromInt(a.n), 6)
	}
	return scalar.NewDecimal(v).Value()
}

func (a *decimalAgg) Final(*sqlite.FunctionContext) {}
