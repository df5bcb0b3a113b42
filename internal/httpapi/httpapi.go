// Package httpapi assembles the HTTP handler the server runs: the GraphQL
// endpoint, the playground, CORS and request ids. Tests use the same handler.
package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/graph"
	"github.com/bri-tracker/bri-tracker/internal/playground"
	"github.com/bri-tracker/bri-tracker/internal/requestid"
)

// Options configure the handler.
type Options struct {
	Client *ent.Client
	Logger *slog.Logger
	// CORSOrigins lists the origins allowed cross-origin access; empty means
	// none, "*" any.
	CORSOrigins []string
	// Playground serves GraphiQL at /.
	Playground bool
	// PageLimits bound connections; zero means graph.DefaultPageLimits.
	PageLimits graph.PageLimits
	// MaxBodyBytes bounds a request body; zero means 1 MiB.
	MaxBodyBytes int64
	// PublicRead lets requests without an API key read.
	PublicRead bool
}

// New returns the server's handler.
func New(o Options) (http.Handler, error) {
	if o.Client == nil {
		return nil, fmt.Errorf("httpapi: no ent client")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.PageLimits == (graph.PageLimits{}) {
		o.PageLimits = graph.DefaultPageLimits
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}

	gql := handler.New(graph.NewExecutableSchema(graph.Config{
		Resolvers: &graph.Resolver{Client: o.Client},
	}))
	gql.AddTransport(transport.Options{})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(o.PageLimits.QueryCache(lru.New[*ast.QueryDocument](1000)))
	gql.Use(extension.Introspection{})
	gql.Use(o.PageLimits)
	present := graph.PresentError(o.Logger)
	gql.Use(graph.Transactions{Client: o.Client, Present: present})
	gql.SetErrorPresenter(present)
	gql.SetRecoverFunc(graph.Recover(o.Logger))

	mux := http.NewServeMux()
	mux.Handle("/graphql", authenticate(o.Client, o.PublicRead, o.Logger, limitBody(gql, o.MaxBodyBytes)))
	if o.Playground {
		pg, err := playground.Handler("/", "/graphql")
		if err != nil {
			return nil, fmt.Errorf("playground: %w", err)
		}
		mux.Handle("/", pg)
	}

	if len(o.CORSOrigins) == 0 {
		// rs/cors reads an empty list as "allow all": with none configured,
		// send no CORS headers at all, so browsers refuse cross-origin use.
		return requestid.Middleware(mux), nil
	}
	c := cors.New(cors.Options{
		AllowedOrigins: o.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Idempotency-Key", requestid.Header},
		ExposedHeaders: []string{requestid.Header},
		MaxAge:         600,
	})
	return requestid.Middleware(c.Handler(mux)), nil
}

// limitBody caps the bytes a request body may have.
func limitBody(next http.Handler, n int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}
