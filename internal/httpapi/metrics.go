package httpapi

import (
	"context"
	"database/sql"
	"regexp"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/bri-tracker/bri-tracker/internal/replicas"
	"github.com/bri-tracker/bri-tracker/internal/sharedstate"
	"github.com/bri-tracker/bri-tracker/internal/stats"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
)

// metrics counts GraphQL operations by name and outcome and times them, for
// Prometheus at /metrics, beside the Go runtime and the database pool.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	mu    sync.Mutex
	names map[string]bool
}

// maxOperationNames bounds the label values clients can create.
const maxOperationNames = 200

var operationName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

func newMetrics(db *sql.DB, cache *stats.Cache, admit *admission, set *replicas.Set, rdb *sharedstate.Redis, hooks *webhook.Worker) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bri_graphql_operations_total",
			Help: "GraphQL operations by operation name, type and outcome (ok or error).",
		}, []string{"operation", "type", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bri_graphql_operation_duration_seconds",
			Help:    "Time to answer GraphQL operations, by operation name and type.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15},
		}, []string{"operation", "type"}),
		names: map[string]bool{},
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.registry.MustRegister(collectors.NewDBStatsCollector(db, "main"))
	}
	if cache != nil {
		m.registry.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "bri_stats_cache_hits_total",
				Help: "Statistics statements answered from the cache (the data unchanged since they were computed).",
			}, func() float64 { return float64(cache.Stats().Hits) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "bri_stats_cache_misses_total",
				Help: "Statistics statements that computed their answer in the database.",
			}, func() float64 { return float64(cache.Stats().Misses) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "bri_stats_cache_entries",
				Help: "Statistics results held in the cache.",
			}, func() float64 { return float64(cache.Stats().Entries) }))
	}
	if admit != nil {
		m.registry.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "bri_graphql_requests_waiting",
				Help: "GraphQL requests waiting for their turn to run (see --max-concurrent).",
			}, func() float64 { return float64(admit.waiting.Load()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "bri_graphql_requests_waited_total",
				Help: "GraphQL requests that found --max-concurrent requests running and waited for their turn.",
			}, func() float64 { return float64(admit.waited.Load()) }))
	}
	if set != nil {
		m.registry.MustRegister(replicaCollector{set})
		for _, r := range set.Replicas() {
			m.registry.MustRegister(collectors.NewDBStatsCollector(r.DB(), "replica "+r.Name))
		}
	}
	if rdb != nil {
		m.registry.MustRegister(redisCollector{rdb})
	}
	if hooks != nil {
		m.registry.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "bri_webhook_attempts_total",
				Help: "Webhook delivery attempts this process made.",
			}, func() float64 { return float64(hooks.Stats().Attempts) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "bri_webhook_delivered_total",
				Help: "Webhook deliveries this process sent that the receiver answered 2xx.",
			}, func() float64 { return float64(hooks.Stats().Delivered) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "bri_webhook_failed_total",
				Help: "Webhook deliveries whose last attempt (--webhook-max-attempts) this process made and that failed.",
			}, func() float64 { return float64(hooks.Stats().Failed) }))
	}
	return m
}

// redisCollector reports whether Redis answers and how many decisions each
// process made on its own while it did not.
type redisCollector struct{ r *sharedstate.Redis }

var (
	redisUp = prometheus.NewDesc("bri_redis_up",
		"1 when the last Redis command succeeded; 0 while the process falls back to its own rate limits and persisted-query cache.", nil, nil)
	redisErrors = prometheus.NewDesc("bri_redis_errors_total",
		"Redis commands that failed (each made the process fall back for a moment).", nil, nil)
	redisFallbacks = prometheus.NewDesc("bri_redis_fallbacks_total",
		"Decisions made on the process's own state because Redis could not be asked, by use: ratelimit (a request limited per process), apq (a persisted query looked up or registered in this process only).", []string{"use"}, nil)
)

func (redisCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- redisUp
	ch <- redisErrors
	ch <- redisFallbacks
}

func (c redisCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.r.State()
	up := 0.0
	if st.Up {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(redisUp, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(redisErrors, prometheus.CounterValue, float64(st.Errors))
	for _, use := range []string{"ratelimit", "apq"} {
		ch <- prometheus.MustNewConstMetric(redisFallbacks, prometheus.CounterValue, float64(st.Fallbacks[use]), use)
	}
}

// replicaCollector reports each replica's state and lag, and where reads
// went, as the watcher and the routes saw them.
type replicaCollector struct{ set *replicas.Set }

var (
	replicaUp = prometheus.NewDesc("bri_replica_up",
		"1 when the replica serves reads (it answers as a hot standby within --replica-max-lag), 0 when it is skipped.", []string{"replica"}, nil)
	replicaLag = prometheus.NewDesc("bri_replica_lag_seconds",
		"How old the replica's data is: the time since the primary was last seen at a WAL position the replica has replayed.", []string{"replica"}, nil)
	replicaLagBytes = prometheus.NewDesc("bri_replica_lag_bytes",
		"WAL the replica has yet to replay, at the last check.", []string{"replica"}, nil)
	replicaPaused = prometheus.NewDesc("bri_replica_replay_paused",
		"1 when the replica's WAL replay is paused.", []string{"replica"}, nil)
	replicaReads = prometheus.NewDesc("bri_replica_read_requests_total",
		"Read requests by where they read (replica or primary) and why: replica, replica_caught_up (had replayed the client's token when asked), token_ahead (no replica had replayed the token), no_replica (none usable), failover (the replica failed mid-request).", []string{"target", "reason"}, nil)
)

func (replicaCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- replicaUp
	ch <- replicaLag
	ch <- replicaLagBytes
	ch <- replicaPaused
	ch <- replicaReads
}

func (c replicaCollector) Collect(ch chan<- prometheus.Metric) {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	for _, r := range c.set.Replicas() {
		st := r.State()
		ch <- prometheus.MustNewConstMetric(replicaUp, prometheus.GaugeValue, b(st.Serving()), r.Name)
		ch <- prometheus.MustNewConstMetric(replicaLag, prometheus.GaugeValue, st.Lag.Seconds(), r.Name)
		ch <- prometheus.MustNewConstMetric(replicaLagBytes, prometheus.GaugeValue, float64(st.LagBytes), r.Name)
		ch <- prometheus.MustNewConstMetric(replicaPaused, prometheus.GaugeValue, b(st.Paused), r.Name)
	}
	for reason, n := range c.set.Routed() {
		target := "primary"
		if reason.OnReplica() {
			target = "replica"
		}
		ch <- prometheus.MustNewConstMetric(replicaReads, prometheus.CounterValue, float64(n), target, reason.String())
	}
}

var (
	_ graphql.HandlerExtension    = (*metrics)(nil)
	_ graphql.ResponseInterceptor = (*metrics)(nil)
)

// ExtensionName names the extension for gqlgen.
func (*metrics) ExtensionName() string { return "Metrics" }

// Validate has nothing to check.
func (*metrics) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse times each operation and counts its outcome.
func (m *metrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	rsp := next(ctx)
	name, typ := "unknown", "unknown"
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		name = m.label(oc.OperationName)
		if oc.Operation != nil {
			typ = string(oc.Operation.Operation)
			if name == "anonymous" && oc.Operation.Name != "" {
				name = m.label(oc.Operation.Name)
			}
		}
	}
	outcome := "ok"
	if rsp == nil || len(rsp.Errors) > 0 {
		outcome = "error"
	}
	m.requests.WithLabelValues(name, typ, outcome).Inc()
	m.duration.WithLabelValues(name, typ).Observe(time.Since(start).Seconds())
	return rsp
}

// label is the operation's name as a label: names are the client's choice,
// so odd ones and any past the first maxOperationNames become "other".
func (m *metrics) label(name string) string {
	if name == "" {
		return "anonymous"
	}
	if !operationName.MatchString(name) {
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.names[name] {
		if len(m.names) >= maxOperationNames {
			return "other"
		}
		m.names[name] = true
	}
	return name
}
