package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/bri-tracker/bri-tracker/internal/replicas"
)

// ConsistencyHeader carries a consistency token: the response to a request
// that wrote sends the primary's WAL position after its commit (also in the
// GraphQL extensions, as consistency.token); a request that sends it back
// reads only from a replica that has replayed that far, else from the
// primary, so a client always reads its own writes.
const ConsistencyHeader = "X-BRI-Consistency"

// consistencyExtension is the key of the token in a response's extensions.
const consistencyExtension = "consistency"

// consistency gives each request its route to the database (see
// internal/replicas), honouring the token it presents, and sends the token
// of its write back in ConsistencyHeader. Without replicas it does nothing.
func consistency(set *replicas.Set, next http.Handler) http.Handler {
	if set == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var token replicas.LSN
		if v := strings.TrimSpace(r.Header.Get(ConsistencyHeader)); v != "" {
			t, err := replicas.ParseLSN(v)
			if err != nil {
				writeError(w, http.StatusBadRequest, "BAD_CONSISTENCY_TOKEN",
					ConsistencyHeader+": "+err.Error()+"; send back the token of an earlier response unchanged")
				return
			}
			token = t
		}
		ctx, route := replicas.WithRoute(r.Context(), set, token)
		next.ServeHTTP(&headerHook{ResponseWriter: w, hook: func(h http.Header, status int) int {
			if lsn := route.Produced(); lsn != 0 {
				h.Set(ConsistencyHeader, lsn.String()) // the token of the request's write
			}
			return status
		}}, r.WithContext(ctx))
	})
}

// readRouting lets query operations read from replicas, and gives the
// response to a successful write its consistency token. It wraps the
// Transactions extension, so that the token is read after the commit.
type readRouting struct {
	set    *replicas.Set
	logger *slog.Logger
}

var (
	_ graphql.HandlerExtension    = readRouting{}
	_ graphql.ResponseInterceptor = readRouting{}
)

// ExtensionName names the extension for gqlgen.
func (readRouting) ExtensionName() string { return "ReadRouting" }

// Validate has nothing to check.
func (readRouting) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse routes the operation and adds the token of its write.
func (x readRouting) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	route := replicas.FromContext(ctx)
	if route == nil || !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Query {
		route.AllowReplica()
	}
	rsp := next(ctx)
	if rsp == nil || len(rsp.Errors) > 0 || !route.Wrote() {
		return rsp
	}
	lsn, err := x.set.PrimaryLSN(context.WithoutCancel(ctx))
	if err != nil {
		// The write committed; only the token is missing, and a client
		// without one may read from a replica that has not replayed it.
		x.logger.WarnContext(ctx, "no consistency token for a committed write", "error", err)
		return rsp
	}
	route.SetProduced(lsn)
	if rsp.Extensions == nil {
		rsp.Extensions = map[string]any{}
	}
	rsp.Extensions[consistencyExtension] = map[string]any{"token": lsn.String()}
	return rsp
}
