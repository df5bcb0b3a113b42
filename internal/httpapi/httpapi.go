// Package httpapi assembles the HTTP handler the server runs: the GraphQL
// endpoint with its limits, authentication and transactions, the playground,
// CORS and request ids. Tests use the same handler.
package httpapi

import (
	"database/sql"
	"fmt"

	"log/slog"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/graph"
	"github.com/bri-tracker/bri-tracker/internal/dashboard"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/live"
	"github.com/bri-tracker/bri-tracker/internal/playground"
	"github.com/bri-tracker/bri-tracker/internal/replicas"
	"github.com/bri-tracker/bri-tracker/internal/requestid"
	"github.com/bri-tracker/bri-tracker/internal/sharedstate"
	"github.com/bri-tracker/bri-tracker/internal/stats"
	"github.com/bri-tracker/bri-tracker/internal/telemetry"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
)

// Options configure the handler. Start from Defaults.
type Options struct {
	Client *ent.Client
	// Driver is the ent driver under Client.
	Driver dialect.Driver
	Logger *slog.Logger
	// CORSOrigins lists the origins allowed cross-origin access; empty means
	// none, "*" any.
	CORSOrigins []string
	// Playground serves GraphiQL at /.
	Playground bool
	// PublicRead lets requests without an API key read.
	PublicRead bool
	// Introspection answers __schema and __type queries.
	Introspection bool
	// Suggestions adds "did you mean" hints to validation errors.
	Suggestions bool
	// Limits bound depth, aliases, complexity and pages.
	Limits gqlext.Limits
	// ParserTokenLimit bounds the tokens of a query document.
	ParserTokenLimit int
	// MaxBodyBytes bounds a request body (HTTP 413 beyond).
	MaxBodyBytes int64
	// RequestTimeout bounds the time a request may take.
	RequestTimeout time.Duration
	// WriteAttempts is how many times a request runs when its transaction
	// meets a serialization failure or deadlock (1: no retry).
	WriteAttempts int
	// SQL is the database under Driver, for the pool's metrics (optional).
	SQL *sql.DB
	// TrustedDocuments, when set, is the only operations the server runs;
	// otherwise clients may use automatic persisted queries.
	TrustedDocuments *gqlext.TrustedDocuments
	// RatePerIP and RatePerKey are requests a second allowed per client
	// address and per API key (bursts of twice that); 0 turns a limit off.
	RatePerIP, RatePerKey float64
	// ClientAddress finds the client address that RatePerIP limits: the
	// peer's, or behind trusted proxies the one they forwarded.
	ClientAddress ClientAddress
	// Redis, when set, holds the rate limits and the automatic persisted
	// queries that every server process shares; while it does not answer,
	// each process falls back to its own (see internal/sharedstate).
	Redis *sharedstate.Redis
	// StatsCacheEntries is how many statistics results to keep on
	// PostgreSQL while the data is unchanged (see stats.Cache); 0 for none.
	StatsCacheEntries int
	// Extensions are further handler extensions, installed after the
	// server's own. Field middleware (a graphql.FieldInterceptor) sees every
	// field, plain ones included.
	Extensions []graphql.HandlerExtension
	// MaxConcurrent is how many GraphQL requests run at once; the others
	// wait their turn, first come first served (see admission); 0 for no
	// limit.
	MaxConcurrent int
	// TracerProvider makes the spans of HTTP requests and GraphQL
	// operations (see internal/telemetry); nil makes none. Defaults sets
	// otel's global provider, a no-op unless telemetry.Setup installed one.
	TracerProvider trace.TracerProvider
	// TraceResolvers adds a span for each resolver to the operation's.
	TraceResolvers bool
	// Replicas, when set, are the streaming replicas that Driver routes the
	// reads of query operations to; the handler honours and sends
	// consistency tokens (ConsistencyHeader) and reports the replicas in
	// /readyz and /metrics.
	Replicas *replicas.Set
	// Live, when set, runs subscriptions (over graphql-ws and Server-Sent
	// Events at /graphql); its Run must be running.
	Live *live.Hub
	// Webhooks, when set, are this process's webhook workers, whose
	// counts /metrics reports.
	Webhooks *webhook.Worker
	// StreamLimits bound the subscriptions.
	StreamLimits StreamLimits
	// Draining, once true, makes /readyz answer 503 while the server goes
	// on serving: the server is shutting down (optional).
	Draining *atomic.Bool
}

// Defaults are the options of a development server: every limit on at its
// default, introspection and suggestions on, rate limits off.
func Defaults(client *ent.Client, drv dialect.Driver) Options {
	return Options{
		Client:            client,
		Driver:            drv,
		Logger:            slog.Default(),
		Playground:        true,
		PublicRead:        true,
		Introspection:     true,
		Suggestions:       true,
		Limits:            gqlext.DefaultLimits,
		ParserTokenLimit:  10000,
		MaxBodyBytes:      1 << 20,
		RequestTimeout:    15 * time.Second,
		WriteAttempts:     4,
		StatsCacheEntries: 256,
		MaxConcurrent:     DefaultMaxConcurrent(),
		TracerProvider:    otel.GetTracerProvider(),
		StreamLimits:      DefaultStreamLimits,
	}
}

// persistedQueryTTL is how long Redis keeps an automatic persisted query
// after it was last registered; a client whose hash is forgotten registers
// the query again (PersistedQueryNotFound), as Apollo's clients do.
const persistedQueryTTL = 24 * time.Hour

// DefaultMaxConcurrent is the default limit of GraphQL requests run at once:
// three per CPU the Go runtime uses, enough to keep the CPUs busy while some
// requests wait on the database, few enough that each runs at nearly full
// speed.
func DefaultMaxConcurrent() int { return 3 * runtime.GOMAXPROCS(0) }

// New returns the server's handler.
func New(o Options) (http.Handler, error) {
	if o.Client == nil || o.Driver == nil {
		return nil, fmt.Errorf("httpapi: no ent client or driver")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxBodyBytes <= 0 || o.ParserTokenLimit <= 0 || o.RequestTimeout <= 0 {
		return nil, fmt.Errorf("httpapi: body limit, token limit and request timeout must be positive")
	}
	resolver := &graph.Resolver{Client: o.Client, Driver: o.Driver, PageDefault: o.Limits.PageDefault, Live: o.Live}
	if o.StatsCacheEntries > 0 && o.Driver.Dialect() == dialect.Postgres {
		resolver.StatsCache = stats.NewCache(o.StatsCacheEntries, stats.MaxLimit+1)
	}
	gql := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: resolver}))
	if o.Live != nil { // first: the POST transport would take an event stream's request
		gql.AddTransport(websocketTransport(o.Client, o.PublicRead, o.CORSOrigins, o.StreamLimits, o.Logger))
		gql.AddTransport(transport.SSE{KeepAlivePingInterval: o.StreamLimits.KeepAlive})
	}
	gql.AddTransport(transport.Options{})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(postTransport{})
	gql.SetQueryCache(o.Limits.QueryCache(lru.New[*ast.QueryDocument](1000)))
	gql.SetParserTokenLimit(o.ParserTokenLimit)
	gql.SetDisableSuggestion(!o.Suggestions)
	var exts []graphql.HandlerExtension
	if o.TracerProvider != nil {
		// first, so that the work of the others is inside the operation's span
		exts = append(exts, telemetry.NewOperations(o.TracerProvider, gqlext.OperationComplexity))
		if o.TraceResolvers {
			exts = append(exts, telemetry.NewResolvers(o.TracerProvider))
		}
	}
	if o.Introspection {
		exts = append(exts, extension.Introspection{})
	} else {
		exts = append(exts, gqlext.NoIntrospection{})
	}
	if o.TrustedDocuments != nil {
		exts = append(exts, o.TrustedDocuments)
	} else {
		var apq graphql.Cache[string] = lru.New[string](1000)
		if o.Redis != nil {
			apq = &sharedstate.QueryCache{Local: apq, Redis: o.Redis, TTL: persistedQueryTTL}
		}
		exts = append(exts, extension.AutomaticPersistedQuery{Cache: apq})
	}
	admit := newAdmission(o.MaxConcurrent)
	m := newMetrics(o.SQL, resolver.StatsCache, admit, o.Replicas, o.Redis, o.Webhooks)
	present := gqlext.PresentError(o.Logger)
	exts = append(exts, m, o.Limits, gqlext.BatchLoaders{})
	if o.Replicas != nil {
		exts = append(exts, readRouting{set: o.Replicas, logger: o.Logger})
	}
	if o.Live != nil {
		exts = append(exts, live.Errors{}, streamOnly{limits: o.StreamLimits, keys: o.Live.Keys})
	}
	exts = append(exts, gqlext.Transactions{Client: o.Client, Present: present})
	exts = append(exts, o.Extensions...)
	resolver.DirectFields = true
	for _, e := range exts {
		gql.Use(e)
		if _, ok := e.(graphql.FieldInterceptor); ok {
			resolver.DirectFields = false // it must see every field
		}
	}
	gql.SetErrorPresenter(present)
	gql.SetRecoverFunc(gqlext.Recover(o.Logger))

	perIP := newLimiter(o.Redis, "ip", o.RatePerIP)
	perKey := newLimiter(o.Redis, "key", o.RatePerKey)
	guard := func(h http.Handler) http.Handler { // rate limits and authentication
		h = rateLimit(h, perKey, byKey)
		h = authenticate(o.Client, o.PublicRead, o.Logger, h)
		return rateLimit(h, perIP, byAddress(o.ClientAddress))
	}

	var endpoint http.Handler = consistency(o.Replicas, specStatuses(gql))
	endpoint = retryConflicts(endpoint, o.WriteAttempts)
	endpoint = admit.wrap(endpoint)
	endpoint = withTimeout(endpoint, o.RequestTimeout)
	endpoint = idempotency(o.Client, o.Replicas, o.Logger, o.RequestTimeout+idempotencyLeaseMargin, byAddress(o.ClientAddress), endpoint)
	endpoint = limitBody(endpoint, o.MaxBodyBytes)
	endpoint = methodAndMediaType(endpoint)
	endpoint = guard(endpoint)
	endpoint = outages(endpoint)

	// exports stream page after page through the GraphQL handler
	pages := pager{gql: gql, timeout: o.RequestTimeout}

	mux := http.NewServeMux()
	handle := mux.Handle
	if o.TracerProvider != nil {
		handle = func(pattern string, h http.Handler) { mux.Handle(pattern, telemetry.Route(pattern, h)) }
	}
	if o.Live != nil {
		// subscriptions: authenticated and rate-limited like any request,
		// but long-lived, so without the request timeout, the admission
		// queue and the held response
		sse := rateLimit(authenticate(o.Client, o.PublicRead, o.Logger, limitBody(endlessWrites(gql), o.MaxBodyBytes)), perIP, byAddress(o.ClientAddress))
		// a WebSocket authenticates in connection_init (browsers cannot
		// send its upgrade a header)
		ws := rateLimit(gql, perIP, byAddress(o.ClientAddress))
		endpoint = streams(endpoint, outages(sse), outages(ws))
	}
	handle("/graphql", endpoint)
	// an export reads all its pages from one replica
	handle("/geojson/projects", outages(guard(consistency(o.Replicas, geojsonProjects(pages, o.Logger)))))
	handle("/export/projects.csv", outages(guard(consistency(o.Replicas, exportProjects(pages, o.Logger, "csv")))))
	handle("/export/projects.json", outages(guard(consistency(o.Replicas, exportProjects(pages, o.Logger, "json")))))
	handle("GET /healthz", healthz())
	handle("GET /readyz", readyz(o.Driver, o.Draining, o.Replicas, o.Redis))
	handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	if o.Introspection {
		handle("GET /schema.graphql", schemaSDL(graph.NewExecutableSchema(graph.Config{}).Schema()))
	}
	// the dashboard: the page at /dashboard, its files below it
	dash := dashboard.Handler()
	handle(dashboard.Path, dash)
	handle(dashboard.Path+"/", dash)
	if o.Playground {
		pg, err := playground.Handler("/", "/graphql")
		if err != nil {
			return nil, fmt.Errorf("playground: %w", err)
		}
		handle("/", pg)
	} else {
		// without the playground, the dashboard is the page at /
		handle("GET /{$}", http.RedirectHandler(dashboard.Path, http.StatusFound))
	}

	var h http.Handler = mux
	// rs/cors reads an empty list as "allow all": with none configured,
	// send no CORS headers at all, so browsers refuse cross-origin use.
	if len(o.CORSOrigins) > 0 {
		h = cors.New(cors.Options{
			AllowedOrigins: o.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
			AllowedHeaders: []string{"Authorization", "Content-Type", "Idempotency-Key", requestid.Header, ConsistencyHeader},
			ExposedHeaders: []string{requestid.Header, "Retry-After", ConsistencyHeader},
			MaxAge:         600,
		}).Handler(h)
	}
	h = requestid.Middleware(requestid.AccessLog(o.Logger, h))
	if o.TracerProvider != nil {
		// outermost: the request's span is the parent of all others
		h = telemetry.Handler(h, o.TracerProvider)
	}
	return h, nil
}
