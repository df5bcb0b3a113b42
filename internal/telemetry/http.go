package telemetry

import (
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// untraced are paths that probes and scrapers call every few seconds: their
// spans would drown the requests worth looking at.
var untraced = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// Handler makes a server span of each request h answers (those to
// untraced paths aside), with the attributes of the HTTP semantic
// conventions: method, path without its query string, status, sizes,
// client address and user agent, and no header else (Authorization
// included). A traceparent header from the client makes the span its
// child. Name each route with Route.
//
// The server's metrics are Prometheus' (/metrics), so otelhttp records
// none.
func Handler(h http.Handler, tp trace.TracerProvider) http.Handler {
	return otelhttp.NewHandler(h, "http",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()),
		otelhttp.WithFilter(func(r *http.Request) bool { return !untraced[r.URL.Path] }),
	)
}

// Route names the request's span after the route that pattern (a ServeMux
// pattern, such as "GET /healthz") matched: "POST /graphql", and sets
// http.route. The span of a request no route matched keeps the bare method
// as its name, so that clients cannot make names of their own.
func Route(pattern string, h http.Handler) http.Handler {
	route := pattern
	if _, path, ok := strings.Cut(pattern, " "); ok {
		route = path
	}
	attr := semconv.HTTPRoute(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			span.SetName(r.Method + " " + route)
			span.SetAttributes(attr)
		}
		h.ServeHTTP(w, r)
	})
}
