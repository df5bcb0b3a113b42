package telemetry

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Resolvers is a gqlgen extension that makes a span of each field that runs
// code of its own (a resolver or a method, e.g. Query.partners or
// Partner.projects), named after the type and field and carrying the
// field's path. Fields read from a struct get none. A large answer has
// hundreds of such fields, so the server turns it on only when asked
// (--trace-resolvers).
type Resolvers struct {
	tracer trace.Tracer
}

var (
	_ graphql.HandlerExtension = Resolvers{}
	_ graphql.FieldInterceptor = Resolvers{}
)

// NewResolvers makes resolver spans with tp.
func NewResolvers(tp trace.TracerProvider) Resolvers {
	return Resolvers{tracer: tp.Tracer(instrumentation)}
}

// ExtensionName names the extension for gqlgen.
func (Resolvers) ExtensionName() string { return "ResolverSpans" }

// Validate has nothing to check.
func (Resolvers) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptField runs a resolver in its span.
func (r Resolvers) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !(fc.IsResolver || fc.IsMethod) {
		return next(ctx)
	}
	// named in full only once it records: an unsampled field costs no
	// string
	ctx, span := r.tracer.Start(ctx, fc.Field.Name)
	defer span.End()
	if span.IsRecording() {
		span.SetName(fc.Object + "." + fc.Field.Name)
		span.SetAttributes(FieldPathKey.String(fc.Path().String()))
	}
	res, err := next(ctx)
	if err != nil && span.IsRecording() {
		// the error's message may quote the request; its code is in the
		// operation's span
		span.SetStatus(otelcodes.Error, "resolver failed")
	}
	return res, err
}
