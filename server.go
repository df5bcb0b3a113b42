// Command bri-tracker is the BRI Tracker server: a GraphQL API over the record
// of Belt and Road cooperation. Run without arguments it serves.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/dashboard"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
	"github.com/bri-tracker/bri-tracker/internal/live"
	"github.com/bri-tracker/bri-tracker/internal/requestid"
	"github.com/bri-tracker/bri-tracker/internal/seed"
	"github.com/bri-tracker/bri-tracker/internal/sharedstate"
	"github.com/bri-tracker/bri-tracker/internal/store"
	"github.com/bri-tracker/bri-tracker/internal/telemetry"
	"github.com/bri-tracker/bri-tracker/internal/webhook"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

func main() {
	logger := slog.New(requestid.LogHandler(slog.NewTextHandler(os.Stderr, nil)))
	slog.SetDefault(logger)
	tuneRuntime()
	if err := run(os.Args[1:], logger); err != nil {
		logger.Error("bri-tracker stopped", "error", err)
		os.Exit(1)
	}
}

func run(args []string, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			args = args[1:]
		case "keys":
			return runKeys(ctx, args[1:], os.Getenv, os.Stdout)
		case "import":
			return runImport(ctx, args[1:], os.Getenv, os.Stdout, os.Stderr)
		case "export":
			return runExport(ctx, args[1:], os.Getenv, os.Stdout)
		case "migrate":
			return runMigrate(ctx, args[1:], os.Getenv, os.Stdout)
		}
	}
	cfg, err := parseConfig(args, os.Getenv)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, logger, nil)
}

// tuneRuntime trades memory the server has to spare for CPU: a request allocates
// about 100 KB over a live heap of a few MB, so the default GOGC=100 makes
// the collector run all the time. Unless GOGC or GOMEMLIMIT is set, collect
// at 4x the live heap, and hard at 256 MiB.
//
// It also turns off the runtime's sampling of allocations for heap profiles,
// which the server does not serve: each sample walks the allocating
// goroutine's stack, deep in gqlgen's executor, a few times per request
// (about 3% of the server's CPU on list queries).
func tuneRuntime() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(400)
		debug.SetMemoryLimit(256 << 20)
	}
	runtime.MemProfileRate = 0
}

// tracerProvider is the provider the database and the handler are
// instrumented with: none unless tracing is configured, since otelhttp's and
// otelsql's wrappers cost every request their work even over otel's no-op
// provider (docs/operations.md).
func tracerProvider(tracing bool) trace.TracerProvider {
	if !tracing {
		return nil
	}
	return otel.GetTracerProvider()
}

// serve runs the server until ctx ends, then shuts down gracefully: /readyz
// answers 503 at once, the server serves on for cfg.Drain, then stops
// accepting connections and lets in-flight requests finish within
// cfg.ShutdownTimeout. When ready is
// not nil it receives the listening address.
func serve(ctx context.Context, cfg config, logger *slog.Logger, ready chan<- string) error {
	flushTraces, tracing, err := telemetry.Setup(ctx)
	if err != nil {
		return err
	}
	if tracing {
		logger.Info("tracing on: exporting spans over OTLP/HTTP", "resolver_spans", cfg.TraceResolvers)
	}
	defer func() {
		// the last spans, those of the requests finished during shutdown
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := flushTraces(ctx); err != nil {
			logger.Warn("tracing stopped", "error", err)
		}
	}()

	storeCfg := cfg.store()
	storeCfg.TracerProvider = tracerProvider(tracing)
	storeCfg.Logger = logger
	if cfg.Seed {
		// under the start-up lock: of processes starting at once on an
		// empty database, one seeds
		storeCfg.StartupJobs = func(ctx context.Context, client *ent.Client) error {
			stats, err := seed.Run(ctx, client)
			if err == nil && stats.Created {
				logger.Info("seeded the empty database with the demo dataset",
					"partners", stats.Partners, "projects", stats.Projects, "policies", stats.Policies)
			}
			return err
		}
	}
	client, db, err := store.Open(ctx, storeCfg)
	if err != nil {
		return err
	}
	defer client.Close()
	logger.Info("database ready", "dialect", db.Dialect, "target", cfg.databaseLabel())

	opts := cfg.handlerOptions(client, db.Driver())
	draining := &atomic.Bool{}
	opts.Draining = draining
	opts.TracerProvider = tracerProvider(tracing)
	opts.Logger = logger
	opts.SQL = db.SQL
	opts.Replicas = db.Replicas
	if db.Replicas != nil {
		for _, r := range db.Replicas.Replicas() {
			logger.Info("reads of query operations go to a replica", "replica", r.Name, "max_lag", db.Replicas.MaxLag())
		}
	}
	listenURL := cfg.DatabaseURL
	if cfg.DirectURL != "" {
		listenURL = cfg.DirectURL // LISTEN needs a session: not through PgBouncer
	}
	hub, err := live.NewHub(ctx, client, db.Dialect, live.Options{ListenURL: listenURL, Committed: db.Committed, Logger: logger})
	if err != nil {
		return err
	}
	hubCtx, stopHub := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); hub.Run(hubCtx) }()
	defer func() { stopHub(); <-hubDone }()
	opts.Live = hub
	workersCtx, stopWorkers := context.WithCancel(context.Background())
	workersDone := make(chan struct{})
	if cfg.Webhooks.Workers > 0 {
		worker := webhook.NewWorker(client, db.Driver(), cfg.Webhooks, db.Committed.C, logger)
		go func() { defer close(workersDone); worker.Run(workersCtx) }()
		opts.Webhooks = worker
	} else {
		close(workersDone)
		logger.Info("this process sends no webhook deliveries (--webhook-workers 0)")
	}
	defer func() { stopWorkers(); <-workersDone }()
	if cfg.RedisURL != "" {
		ro := sharedstate.Defaults
		ro.Prefix, ro.Logger = cfg.RedisPrefix, logger
		rdb, err := sharedstate.Open(cfg.RedisURL, ro)
		if err != nil {
			return err
		}
		defer rdb.Close()
		opts.Redis = rdb
	} else if cfg.Production && (cfg.RatePerIP > 0 || cfg.RatePerKey > 0) {
		logger.Info("rate limits are per process: with several processes, set REDIS_URL to share them")
	}
	if cfg.PersistedOnly != "" {
		if opts.TrustedDocuments, err = gqlext.LoadManifest(cfg.PersistedOnly, dashboard.TrustedDocuments); err != nil {
			return err
		}
	}
	h, err := httpapi.New(opts)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	logger.Info("serving", "addr", ln.Addr().String(), "graphql", "/graphql", "playground", cfg.Playground, "production", cfg.Production)
	if ready != nil {
		ready <- ln.Addr().String()
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Drain: /readyz says 503 so that load balancers stop sending, while
	// the server goes on serving what still comes; without keep-alives, so
	// that clients move to other servers with their next request.
	draining.Store(true)
	srv.SetKeepAlivesEnabled(false)
	logger.Info("shutting down: /readyz answers 503, serving on for the drain period", "drain", cfg.Drain)
	if cfg.Drain > 0 {
		select {
		case <-time.After(cfg.Drain):
		case err := <-errc:
			return err
		}
	}
	logger.Info("drained: accepting no more connections, finishing in-flight requests", "timeout", cfg.ShutdownTimeout)
	// subscriptions end now, each told the cursor to resume after (on
	// another process), rather than hold the shutdown to its timeout
	stopHub()
	<-hubDone
	// webhook workers claim nothing more and finish their attempts (each
	// within --webhook-timeout) while the requests finish
	stopWorkers()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-workersDone
	logger.Info("stopped")
	return nil
}
