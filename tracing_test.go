package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace/noop"
)

// TestServeTraces: with OTEL_EXPORTER_OTLP_ENDPOINT set, the server exports
// the spans of its requests (HTTP, GraphQL operation, SQL) over OTLP/HTTP,
// the last of them flushed at shutdown, under its service name.
func TestServeTraces(t *testing.T) {
	var (
		mu      sync.Mutex
		exports [][]byte
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/v1/traces" {
			mu.Lock()
			exports = append(exports, body)
			mu.Unlock()
		}
	}))
	defer collector.Close()
	for k, v := range map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "OTEL_TRACES_EXPORTER": "", "OTEL_SDK_DISABLED": "",
		"OTEL_SERVICE_NAME": "", "OTEL_RESOURCE_ATTRIBUTES": "", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "",
		"OTEL_EXPORTER_OTLP_PROTOCOL": "", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "", "OTEL_TRACES_SAMPLER": "",
	} {
		t.Setenv(k, v)
	}
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })

	base, stop := startServer(t, config{SQLitePath: filepath.Join(t.TempDir(), "bri.db"), PublicRead: true, TraceResolvers: true})
	if status, out := postGraphQL(t, base, `query CountPartners { partners { totalCount } }`); status != http.StatusOK || out["errors"] != nil {
		t.Fatalf("query: %d %v", status, out)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	all := bytes.Join(exports, nil)
	for _, want := range []string{"bri-tracker", "POST /graphql", "query CountPartners", "Query.partners", "sql.conn.query", "graphql.complexity"} {
		if !bytes.Contains(all, []byte(want)) {
			t.Errorf("the exported spans lack %q", want)
		}
	}
}

// TestUntracedInstrumentsNothing: without tracing configured the database
// and the handler get no tracer provider, so neither is wrapped; with it,
// both get the global one.
func TestUntracedInstrumentsNothing(t *testing.T) {
	if tp := tracerProvider(false); tp != nil {
		t.Errorf("tracing off: provider %T, want none", tp)
	}
	if tp := tracerProvider(true); tp == nil {
		t.Error("tracing on: no provider")
	}
}
