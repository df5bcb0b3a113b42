package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
	"github.com/bri-tracker/bri-tracker/internal/seed"
)

// benchQuery is a nested page of the demo dataset: 10 partners with 5 of
// their projects each, two statements.
const benchQuery = `{"query":"{ partners(first: 10) { edges { node { name projects(first: 5) { edges { node { title } } } } } } }"}`

// BenchmarkHandler measures what tracing costs a request through the whole
// handler (SQLite, the demo dataset, no API key):
//   - off: no instrumentation at all (TracerProvider nil, database unwrapped);
//   - noop: everything instrumented over otel's no-op provider, which is
//     what the server runs when no OTEL_* variable is set;
//   - noop+resolvers: the same with resolver spans on;
//   - sampled-out: an SDK provider whose sampler drops every trace;
//   - recording: an SDK provider that records every span (exporting
//     nowhere), for scale.
func BenchmarkHandler(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.db")
	if _, err := seed.Run(context.Background(), apitest.OpenSQLiteFile(b, path).Client); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		tp        trace.TracerProvider
		resolvers bool
	}{
		{"off", nil, false},
		{"noop", noop.NewTracerProvider(), false},
		{"noop+resolvers", noop.NewTracerProvider(), true},
		{"sampled-out", sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample())), false},
		{"recording", sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample())), false},
	} {
		b.Run(c.name, func(b *testing.B) {
			var opts []apitest.Option
			if c.tp != nil {
				opts = append(opts, apitest.Traced(c.tp))
			}
			db := apitest.OpenSQLiteFile(b, path, opts...)
			o := httpapi.Defaults(db.Client, db.Counter)
			o.TracerProvider = c.tp
			o.TraceResolvers = c.resolvers
			o.Logger = discardLogger
			h, err := httpapi.New(o)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(benchQuery))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"title"`) || strings.Contains(rec.Body.String(), `"errors"`) {
					b.Fatalf("%d %s", rec.Code, rec.Body.String())
				}
			}
		})
	}
}
