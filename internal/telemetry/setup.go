// Package telemetry traces the server with OpenTelemetry: Setup installs a
// tracer provider configured by the standard OTEL_* environment variables
// (none set: none installed, and every span is otel's no-op), Handler makes
// a span of each HTTP request, Operations one of each GraphQL operation and
// Resolvers, when asked for, one of each resolver.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// ServiceName is the service.name of the server's spans unless
// OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES name another.
const ServiceName = "bri-tracker"

// Exporter says where spans go as the environment configures it: "" when
// tracing is off, else "otlp" (OTLP over HTTP/protobuf, the only exporter
// built in).
func Exporter(getenv func(string) string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return "", nil
	}
	switch exp := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))); exp {
	case "none":
		return "", nil
	case "":
		// The SDK's default exporter is otlp, but a server that nobody
		// asked to trace exports nothing: an endpoint is the request.
		if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
			return "", nil
		}
	case "otlp":
	default:
		return "", fmt.Errorf("OTEL_TRACES_EXPORTER=%q: only otlp and none are built in", exp)
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p := strings.TrimSpace(getenv(name)); p != "" {
			if p != "http/protobuf" {
				return "", fmt.Errorf("%s=%q: only http/protobuf is built in (OTLP over HTTP, port 4318)", name, p)
			}
			break // the traces setting wins over the general one
		}
	}
	return "otlp", nil
}

// Setup installs the global tracer provider and propagators (W3C trace
// context and baggage) when the environment asks for tracing (see
// Exporter), and returns a function that flushes and stops it, to call
// once the server has stopped serving. Otherwise it installs nothing and
// returns a function that does nothing, and enabled is false.
//
// Beyond the choice of exporter, the OpenTelemetry SDK reads its own
// variables: OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout, TLS),
// OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, OTEL_BSP_* (batching),
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
func Setup(ctx context.Context) (shutdown func(context.Context) error, enabled bool, err error) {
	noop := func(context.Context) error { return nil }
	exp, err := Exporter(os.Getenv)
	if err != nil || exp == "" {
		return noop, false, err
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return noop, false, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res, err := newResource(ctx)
	if err != nil {
		return noop, false, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return func(ctx context.Context) error {
		if err := tp.Shutdown(ctx); err != nil {
			return fmt.Errorf("flush traces: %w", err)
		}
		return nil
	}, true, nil
}

// newResource describes the process: the service's name and version,
// overridden by what the environment says.
func newResource(ctx context.Context) (*resource.Resource, error) {
	version := "devel"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		version = info.Main.Version
	}
	base := resource.NewSchemaless(semconv.ServiceName(ServiceName), semconv.ServiceVersion(version))
	env, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithProcessPID())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	res, err := resource.Merge(base, env)
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	return res, nil
}
