package store

import (
	"context"
	"database/sql/driver"

	"github.com/XSAM/otelsql"
	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/bri-tracker/bri-tracker/internal/telemetry"
)

// tracing makes a client span of each statement, transaction start, commit
// and rollback, and new connection, a child of the caller's span. A
// statement's span carries its text (db.query.text), which holds no values:
// every statement the server sends is parameterised, and its arguments are
// never recorded. Spans for reading rows and for resetting a connection
// between uses are left out: a request has many and they tell little. The
// pool's metrics are Prometheus' (/metrics), so otelsql records none.
// Background work marked telemetry.Untraced makes no spans.
func tracing(tp trace.TracerProvider, system attribute.KeyValue) []otelsql.Option {
	return []otelsql.Option{
		otelsql.WithTracerProvider(tp),
		otelsql.WithMeterProvider(metricnoop.NewMeterProvider()),
		otelsql.WithAttributes(system),
		otelsql.WithSpanOptions(otelsql.SpanOptions{
			DisableErrSkip:       true,
			OmitRows:             true,
			OmitConnResetSession: true,
			SpanFilter: func(ctx context.Context, _ otelsql.Method, _ string, _ []driver.NamedValue) bool {
				return !telemetry.IsUntraced(ctx)
			},
		}),
	}
}

var (
	systemPostgres = semconv.DBSystemNamePostgreSQL
	systemSQLite   = semconv.DBSystemNameSQLite
)
