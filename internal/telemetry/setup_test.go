package telemetry_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/bri-tracker/bri-tracker/internal/telemetry"
)

func TestExporter(t *testing.T) {
	for _, c := range []struct {
		env     map[string]string
		want    string
		wantErr bool
	}{
		{env: nil, want: ""},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, want: "otlp"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, want: "otlp"},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, want: "otlp"},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, want: ""},
		{env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, want: ""},
		{env: map[string]string{"OTEL_SDK_DISABLED": "false", "OTEL_TRACES_EXPORTER": "otlp"}, want: "otlp"},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, want: "otlp"},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, wantErr: true},
		// the traces setting wins over the general one
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}, want: "otlp"},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, wantErr: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "console"}, wantErr: true},
	} {
		got, err := telemetry.Exporter(func(k string) string { return c.env[k] })
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("%v: %q, %v; want %q, error %v", c.env, got, err, c.want, c.wantErr)
		}
	}
}

// collector is an OTLP/HTTP receiver that keeps the bodies posted to it.
type collector struct {
	mu     sync.Mutex
	bodies [][]byte
	paths  []string
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.bodies = append(c.bodies, body)
	c.paths = append(c.paths, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
}

// TestSetup: with no variable set, Setup installs nothing; with an OTLP
// endpoint, it installs a provider whose spans reach the endpoint over
// OTLP/HTTP when shut down, named after the service, and the W3C
// propagators.
func TestSetup(t *testing.T) {
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		t.Setenv(k, "")
	}
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	ctx := context.Background()

	shutdown, enabled, err := telemetry.Setup(ctx)
	if err != nil || enabled {
		t.Fatalf("no variables: enabled %v, %v", enabled, err)
	}
	if _, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider); ok {
		t.Fatal("no variables, yet a provider was installed")
	}
	_, span := otel.Tracer("test").Start(ctx, "unseen")
	if span.IsRecording() {
		t.Fatal("no variables, yet spans record")
	}
	span.End()
	if err := shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	t.Setenv("OTEL_TRACES_EXPORTER", "zipkin")
	if _, _, err := telemetry.Setup(ctx); err == nil {
		t.Fatal("an exporter not built in was accepted")
	}

	recv := &collector{}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	t.Setenv("OTEL_TRACES_EXPORTER", "")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_SERVICE_NAME", "bri-tracker-test")
	shutdown, enabled, err = telemetry.Setup(ctx)
	if err != nil || !enabled {
		t.Fatalf("with an endpoint: enabled %v, %v", enabled, err)
	}
	_, span = otel.Tracer("test").Start(ctx, "exported-span")
	if !span.IsRecording() {
		t.Fatal("spans do not record")
	}
	span.End()
	if got := strings.Join(otel.GetTextMapPropagator().Fields(), ","); !strings.Contains(got, "traceparent") || !strings.Contains(got, "baggage") {
		t.Errorf("propagator fields %s", got)
	}
	if err := shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	all := bytes.Join(recv.bodies, nil)
	if len(recv.paths) == 0 || recv.paths[0] != "POST /v1/traces application/x-protobuf" {
		t.Fatalf("collector got %v", recv.paths)
	}
	for _, want := range []string{"exported-span", "bri-tracker-test"} {
		if !bytes.Contains(all, []byte(want)) {
			t.Errorf("the export lacks %q", want)
		}
	}
}
