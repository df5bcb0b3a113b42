package telemetry

import (
	"context"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Attributes of GraphQL spans beyond the semantic conventions' own.
const (
	// ComplexityKey is the operation's complexity as the query limits
	// measured it.
	ComplexityKey = attribute.Key("graphql.complexity")
	// ErrorCodesKey lists the distinct extensions.code values of the
	// response's errors.
	ErrorCodesKey = attribute.Key("graphql.error.codes")
	// FieldPathKey is a resolver's path in the response, e.g.
	// partners.edges.0.node.projects.
	FieldPathKey = attribute.Key("graphql.field.path")
)

// instrumentation names the tracer of the GraphQL spans.
const instrumentation = "github.com/bri-tracker/bri-tracker/internal/telemetry"

// Operations is a gqlgen extension that makes one span of each GraphQL
// operation, named as the semantic conventions have it ("query
// PartnersPage", "mutation", or "GraphQL Operation" when the document did
// not parse or validate) and
// carrying the operation's name and type, its complexity and the codes of
// its errors. It holds neither the document nor the variables: they may
// carry what clients would not see in a trace. Install it first, so that the
// spans of other extensions' work (a mutation's transaction) are its
// children.
type Operations struct {
	tracer     trace.Tracer
	complexity func(context.Context) (int, bool)
}

var (
	_ graphql.HandlerExtension    = Operations{}
	_ graphql.ResponseInterceptor = Operations{}
)

// NewOperations makes operation spans with tp. complexity, when not nil,
// returns the operation's complexity.
func NewOperations(tp trace.TracerProvider, complexity func(context.Context) (int, bool)) Operations {
	return Operations{tracer: tp.Tracer(instrumentation), complexity: complexity}
}

// ExtensionName names the extension for gqlgen.
func (Operations) ExtensionName() string { return "OperationSpans" }

// Validate has nothing to check.
func (Operations) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse runs the operation in its span. The span starts when
// the request's GraphQL handling started, so it covers parsing and
// validation too. Nothing is computed for a span that records nothing.
func (o Operations) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	var oc *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		oc = graphql.GetOperationContext(ctx)
	}
	var span trace.Span
	if oc != nil && !oc.Stats.OperationStart.IsZero() {
		ctx, span = o.tracer.Start(ctx, operationType(oc), trace.WithTimestamp(oc.Stats.OperationStart))
	} else {
		ctx, span = o.tracer.Start(ctx, operationType(oc))
	}
	defer span.End()
	rsp := next(ctx)
	if !span.IsRecording() {
		return rsp
	}
	attrs := make([]attribute.KeyValue, 0, 4)
	if oc != nil && oc.Operation != nil {
		attrs = append(attrs, semconv.GraphQLOperationTypeKey.String(string(oc.Operation.Operation)))
		if name := oc.Operation.Name; name != "" {
			// named after starting, so that an unsampled operation costs
			// no string
			span.SetName(string(oc.Operation.Operation) + " " + name)
			attrs = append(attrs, semconv.GraphQLOperationName(name))
		}
	}
	if o.complexity != nil {
		if c, ok := o.complexity(ctx); ok {
			attrs = append(attrs, ComplexityKey.Int(c))
		}
	}
	if rsp != nil && len(rsp.Errors) > 0 {
		codes := errorCodes(rsp)
		attrs = append(attrs, ErrorCodesKey.StringSlice(codes))
		span.SetStatus(otelcodes.Error, strings.Join(codes, ","))
	}
	span.SetAttributes(attrs...)
	return rsp
}

// operationType is the operation span's name as it starts: the operation's
// type ("query"), or "GraphQL Operation" when no operation is known (the
// document did not parse or validate). InterceptResponse adds the
// operation's name, as the semantic conventions have it.
func operationType(oc *graphql.OperationContext) string {
	if oc == nil || oc.Operation == nil {
		return "GraphQL Operation"
	}
	return string(oc.Operation.Operation)
}

// errorCodes returns the distinct codes of the response's errors, sorted;
// an error without one counts as "UNKNOWN".
func errorCodes(rsp *graphql.Response) []string {
	var out []string
	for _, e := range rsp.Errors {
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			code = "UNKNOWN"
		}
		if !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out
}
