package main

import (
	"flag"

	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
	"github.com/bri-tracker/bri-tracker/internal/store"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
)

// config is the server's configuration, from flags and environment variables
// (a flag wins over its variable).
type config struct {
	Addr             string
	Production       bool
	DatabaseURL      string
	DirectURL        string
	SQLitePath       string
	Seed             bool
	Playground       bool
	PublicRead       bool
	CORSOrigins      []string
	ShutdownTimeout  time.Duration
	Drain            time.Duration
	Migrate          bool
	StatementTimeout time.Duration
	RequestTimeout   time.Duration
	MaxBodyBytes     int64
	ParserTokenLimit int
	MaxDepth         int
	MaxAliases       int
	MaxComplexity    int
	RatePerIP        float64
	RatePerKey       float64
	PersistedOnly    string
	StatsCache       int
	Prepared         int
	MaxConcurrent    int
	TraceResolvers   bool
	ReplicaURLs      []string
	ReplicaMaxLag    time.Duration
	MaxOpenConns     int
	MaxIdleConns     int
	ConnMaxLifetime  time.Duration
	RedisURL         string
	RedisPrefix      string
	TrustedProxies   []netip.Prefix
	ClientAddrHeader string
	SubsPerConn      int
	SubsPerKey       int
	WriteTimeout     time.Duration
	Webhooks         webhook.Config
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("bri-tracker", flag.ContinueOnError)
	var (
		c                            config
		port, origins, env, replicas string
		errs                         []error
	)
	str := func(p *string, name, envName, def, usage string) {
		if v := getenv(envName); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" (env "+envName+")")
	}
	boolean := func(p *bool, name, envName string, def bool, usage string) {
		if v := getenv(envName); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: want true or false", envName, v))
			}
			def = b
		}
		fs.BoolVar(p, name, def, usage+" (env "+envName+")")
	}
	duration := func(p *time.Duration, name, envName string, def time.Duration, usage string) {
		if v := getenv(envName); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: want a duration such as 15s", envName, v))
			}
			def = d
		}
		fs.DurationVar(p, name, def, usage+" (env "+envName+")")
	}
	integer := func(p *int, name, envName string, def int, usage string) {
		if v := getenv(envName); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: want a whole number", envName, v))
			}
			def = n
		}
		fs.IntVar(p, name, def, usage+" (env "+envName+")")
	}
	float := func(p *float64, name, envName string, def float64, usage string) {
		if v := getenv(envName); v != "" {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: want a number", envName, v))
			}
			def = n
		}
		fs.Float64Var(p, name, def, usage+" (env "+envName+")")
	}

	str(&env, "env", "APP_ENV", "development", "development or production: production turns introspection, suggestions and (unless set) the playground off")
	str(&port, "port", "PORT", "8080", "TCP port to listen on")
	str(&c.DatabaseURL, "database-url", "DATABASE_URL", "", "PostgreSQL URL; empty uses the SQLite file")
	str(&c.SQLitePath, "sqlite-path", "SQLITE_PATH", "./bri-tracker.db", "SQLite database file")
	str(&c.DirectURL, "database-direct-url", "DATABASE_DIRECT_URL", "", "the primary's own PostgreSQL URL when DATABASE_URL (and the replica URLs) go through PgBouncer in transaction mode: start-up jobs and `migrate` use it, and pooled connections keep no session state (see docs/deploy.md)")
	str(&replicas, "database-replica-urls", "DATABASE_REPLICA_URLS", "", "comma-separated PostgreSQL URLs of streaming replicas of DATABASE_URL, to serve the reads of query operations (see docs/deploy.md)")
	duration(&c.ReplicaMaxLag, "replica-max-lag", "REPLICA_MAX_LAG", 30*time.Second, "how far behind the primary a replica may be and still serve reads; one further behind is skipped until it catches up")
	integer(&c.MaxOpenConns, "db-max-open-conns", "DB_MAX_OPEN_CONNS", 20, "most PostgreSQL connections each server process opens, to the primary and to each replica")
	integer(&c.MaxIdleConns, "db-max-idle-conns", "DB_MAX_IDLE_CONNS", 0, "most idle PostgreSQL connections each pool keeps; 0 for as many as --db-max-open-conns, -1 for none")
	duration(&c.ConnMaxLifetime, "db-conn-max-lifetime", "DB_CONN_MAX_LIFETIME", 0, "close PostgreSQL connections older than this (such as 30m); 0 for never")
	boolean(&c.Seed, "seed", "SEED", true, "fill an empty database with the demo dataset")
	boolean(&c.Migrate, "migrate", "MIGRATE", true, "on PostgreSQL, apply pending migrations at start; false leaves them to `bri-tracker migrate up` and refuses to start while any is pending")
	boolean(&c.Playground, "playground", "PLAYGROUND", true, "serve the GraphiQL playground at / (default off in production)")
	boolean(&c.PublicRead, "public-read", "PUBLIC_READ", true, "let requests without an API key read")
	str(&origins, "cors-origins", "CORS_ALLOWED_ORIGINS", "", "comma-separated origins allowed cross-origin access; * for any; empty for none")
	duration(&c.ShutdownTimeout, "shutdown-timeout", "SHUTDOWN_TIMEOUT", 30*time.Second, "how long in-flight requests may take to finish at shutdown, once the server stops accepting")
	duration(&c.Drain, "drain", "DRAIN", 5*time.Second, "at shutdown, how long to go on serving with /readyz answering 503, so that load balancers stop sending first")
	duration(&c.RequestTimeout, "request-timeout", "REQUEST_TIMEOUT", 15*time.Second, "how long a request may take")
	duration(&c.WriteTimeout, "write-timeout", "WRITE_TIMEOUT", 60*time.Second, "how long sending a response may take, so that a client reading slowly cannot hold a connection; subscriptions' event streams are exempt")
	duration(&c.StatementTimeout, "statement-timeout", "STATEMENT_TIMEOUT", 10*time.Second, "how long a PostgreSQL statement may run")
	var maxBody int
	integer(&maxBody, "max-body-bytes", "MAX_BODY_BYTES", 1<<20, "largest request body accepted (HTTP 413 beyond)")
	integer(&c.ParserTokenLimit, "parser-token-limit", "PARSER_TOKEN_LIMIT", 10000, "most tokens a query document may have")
	integer(&c.MaxDepth, "max-depth", "MAX_DEPTH", gqlext.DefaultLimits.MaxDepth, "deepest nesting of a query")
	integer(&c.MaxAliases, "max-aliases", "MAX_ALIASES", gqlext.DefaultLimits.MaxAliases, "most aliases in a query")
	integer(&c.MaxComplexity, "max-complexity", "MAX_COMPLEXITY", gqlext.DefaultLimits.MaxComplexity, "most fields a query's answer may hold (connections count per item)")
	float(&c.RatePerIP, "rate-limit-ip", "RATE_LIMIT_IP", 50, "requests a second per client address (bursts of twice that); 0 for no limit")
	str(&c.RedisURL, "redis-url", "REDIS_URL", "", "Redis URL (redis://host:6379/0) where every server process shares its rate limits and automatic persisted queries; empty: each process keeps its own (see docs/deploy.md)")
	str(&c.RedisPrefix, "redis-prefix", "REDIS_PREFIX", "bri:", "prefix of the keys written to Redis, to share one Redis between deployments")
	var trusted string
	str(&trusted, "trusted-proxies", "TRUSTED_PROXIES", "", "comma-separated CIDRs of the load balancers and proxies in front of the server: from those peers only, the client address comes from --client-address-header")
	str(&c.ClientAddrHeader, "client-address-header", "CLIENT_ADDRESS_HEADER", httpapi.HeaderXForwardedFor, "the header the trusted proxies write the client address in: X-Forwarded-For or Forwarded (RFC 7239)")
	integer(&c.SubsPerConn, "subscriptions-per-connection", "SUBSCRIPTIONS_PER_CONNECTION", httpapi.DefaultStreamLimits.PerConnection, "most subscriptions one WebSocket runs at once; 0 for no limit")
	integer(&c.SubsPerKey, "subscriptions-per-key", "SUBSCRIPTIONS_PER_KEY", httpapi.DefaultStreamLimits.PerKey, "most subscriptions one API key runs at once on each server process; 0 for no limit")
	float(&c.RatePerKey, "rate-limit-key", "RATE_LIMIT_KEY", 25, "requests a second per API key (bursts of twice that); 0 for no limit")
	integer(&c.Prepared, "prepared-statements", "PREPARED_STATEMENTS", 256, "how many statements each PostgreSQL connection keeps prepared for reuse; 0 for none (and none with DATABASE_DIRECT_URL, behind PgBouncer in transaction mode)")
	integer(&c.MaxConcurrent, "max-concurrent", "MAX_CONCURRENT", httpapi.DefaultMaxConcurrent(), "how many GraphQL requests run at once (default 3 per CPU); the others wait their turn, first come first served; 0 for no limit")
	integer(&c.StatsCache, "stats-cache", "STATS_CACHE", 256, "how many projectStats results to keep while the PostgreSQL data is unchanged; 0 for none")
	boolean(&c.TraceResolvers, "trace-resolvers", "TRACE_RESOLVERS", false, "when tracing (OTEL_EXPORTER_OTLP_ENDPOINT set; see docs/operations.md), add a span for each resolver")
	str(&c.PersistedOnly, "persisted-only", "PERSISTED_ONLY", "", "run only the operations of this manifest (JSON: hash to document, or an Apollo persisted query manifest)")
	wd := webhook.Defaults
	boolean(&c.Webhooks.AllowPrivate, "webhook-allow-private", "WEBHOOK_ALLOW_PRIVATE", false, "let webhooks reach loopback, private and link-local addresses (tests, closed networks); off, such URLs are refused")
	integer(&c.Webhooks.Workers, "webhook-workers", "WEBHOOK_WORKERS", wd.Workers, "how many webhook deliveries this process sends at once; 0 for none (other processes send them)")
	duration(&c.Webhooks.Timeout, "webhook-timeout", "WEBHOOK_TIMEOUT", wd.Timeout, "how long a webhook receiver has to answer one attempt")
	duration(&c.Webhooks.RetryBase, "webhook-retry-base", "WEBHOOK_RETRY_BASE", wd.RetryBase, "the wait after a delivery's first failed attempt; it doubles after each further one")
	duration(&c.Webhooks.RetryMax, "webhook-retry-max", "WEBHOOK_RETRY_MAX", wd.RetryMax, "the longest wait between two attempts at a delivery")
	duration(&c.Webhooks.Retention, "webhook-retention", "WEBHOOK_RETENTION", wd.Retention, "how long a DELIVERED or FAILED webhook delivery is kept, from its creation; 0 keeps them all")
	integer(&c.Webhooks.MaxAttempts, "webhook-max-attempts", "WEBHOOK_MAX_ATTEMPTS", wd.MaxAttempts, "attempts at a delivery before it is FAILED (redeliverWebhook sends it again)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if len(errs) > 0 {
		return config{}, errs[0]
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch env {
	case "development":
	case "production":
		c.Production = true
		if !isSet(fs, "playground") && getenv("PLAYGROUND") == "" {
			c.Playground = false
		}
	default:
		return config{}, fmt.Errorf("--env %q: want development or production", env)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return config{}, fmt.Errorf("port %q: want a number from 0 to 65535", port)
	}
	c.Addr = ":" + port
	for _, u := range strings.Split(replicas, ",") {
		if u = strings.TrimSpace(u); u != "" {
			c.ReplicaURLs = append(c.ReplicaURLs, u)
		}
	}
	if len(c.ReplicaURLs) > 0 && c.DatabaseURL == "" {
		return config{}, fmt.Errorf("DATABASE_REPLICA_URLS needs DATABASE_URL: replicas are PostgreSQL's, of the primary DATABASE_URL names")
	}
	if c.DirectURL != "" && c.DatabaseURL == "" {
		return config{}, fmt.Errorf("DATABASE_DIRECT_URL needs DATABASE_URL: it is the direct URL of the primary that DATABASE_URL reaches through PgBouncer")
	}
	if c.DirectURL != "" && c.Prepared > 0 && (isSet(fs, "prepared-statements") || getenv("PREPARED_STATEMENTS") != "") {
		return config{}, fmt.Errorf("--prepared-statements %d: connections through PgBouncer in transaction mode (DATABASE_DIRECT_URL set) keep no statements prepared; leave it unset", c.Prepared)
	}
	if c.ReplicaMaxLag <= 0 {
		return config{}, fmt.Errorf("--replica-max-lag %s: want a positive duration", c.ReplicaMaxLag)
	}
	if c.MaxOpenConns < 1 {
		return config{}, fmt.Errorf("--db-max-open-conns %d: want at least 1", c.MaxOpenConns)
	}
	if c.MaxIdleConns > c.MaxOpenConns {
		return config{}, fmt.Errorf("--db-max-idle-conns %d: want at most --db-max-open-conns (%d)", c.MaxIdleConns, c.MaxOpenConns)
	}
	if c.ConnMaxLifetime < 0 {
		return config{}, fmt.Errorf("--db-conn-max-lifetime %s: want 0 or a positive duration", c.ConnMaxLifetime)
	}
	c.MaxBodyBytes = int64(maxBody)
	if c.WriteTimeout <= 0 {
		return config{}, fmt.Errorf("--write-timeout %s: want a positive duration", c.WriteTimeout)
	}
	if c.SubsPerConn < 0 || c.SubsPerKey < 0 {
		return config{}, fmt.Errorf("--subscriptions-per-connection and --subscriptions-per-key: want 0 (no limit) or more")
	}
	switch {
	case c.Webhooks.Workers < 0:
		return config{}, fmt.Errorf("--webhook-workers %d: want 0 (none) or more", c.Webhooks.Workers)
	case c.Webhooks.Timeout <= 0 || c.Webhooks.RetryBase <= 0:
		return config{}, fmt.Errorf("--webhook-timeout and --webhook-retry-base: want positive durations")
	case c.Webhooks.RetryMax < c.Webhooks.RetryBase:
		return config{}, fmt.Errorf("--webhook-retry-max %s: want at least --webhook-retry-base (%s)", c.Webhooks.RetryMax, c.Webhooks.RetryBase)
	case c.Webhooks.Retention < 0:
		return config{}, fmt.Errorf("--webhook-retention %s: want 0 (keep all) or a positive duration", c.Webhooks.Retention)
	case c.Webhooks.MaxAttempts < 1:
		return config{}, fmt.Errorf("--webhook-max-attempts %d: want at least 1", c.Webhooks.MaxAttempts)
	}
	c.Webhooks.Poll = wd.Poll
	var err error
	if c.TrustedProxies, err = httpapi.ParseTrustedProxies(trusted); err != nil {
		return config{}, fmt.Errorf("--trusted-proxies: %w", err)
	}
	switch {
	case strings.EqualFold(c.ClientAddrHeader, httpapi.HeaderXForwardedFor):
		c.ClientAddrHeader = httpapi.HeaderXForwardedFor
	case strings.EqualFold(c.ClientAddrHeader, httpapi.HeaderForwarded):
		c.ClientAddrHeader = httpapi.HeaderForwarded
	default:
		return config{}, fmt.Errorf("--client-address-header %q: want X-Forwarded-For or Forwarded", c.ClientAddrHeader)
	}
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	return c, nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func (c config) store() store.Config {
	return store.Config{
		DatabaseURL: c.DatabaseURL, DirectURL: c.DirectURL, SQLitePath: c.SQLitePath, StatementTimeout: c.StatementTimeout,
		PreparedStatements: c.Prepared, NoMigrate: !c.Migrate,
		MaxOpenConns: c.MaxOpenConns, MaxIdleConns: c.MaxIdleConns, ConnMaxLifetime: c.ConnMaxLifetime,
		ReplicaURLs: c.ReplicaURLs, ReplicaMaxLag: c.ReplicaMaxLag,
		WebhookAllowPrivate: c.Webhooks.AllowPrivate,
	}
}

// handlerOptions are the HTTP handler's options for this configuration.
func (c config) handlerOptions(client *ent.Client, drv dialect.Driver) httpapi.Options {
	o := httpapi.Defaults(client, drv)
	o.CORSOrigins = c.CORSOrigins
	o.Playground = c.Playground
	o.PublicRead = c.PublicRead
	o.Introspection = !c.Production
	o.Suggestions = !c.Production
	o.Limits.MaxDepth = c.MaxDepth
	o.Limits.MaxAliases = c.MaxAliases
	o.Limits.MaxComplexity = c.MaxComplexity
	o.ParserTokenLimit = c.ParserTokenLimit
	o.MaxBodyBytes = c.MaxBodyBytes
	o.RequestTimeout = c.RequestTimeout
	o.RatePerIP = c.RatePerIP
	o.RatePerKey = c.RatePerKey
	o.ClientAddress = httpapi.ClientAddress{TrustedProxies: c.TrustedProxies, Header: c.ClientAddrHeader}
	o.StreamLimits.PerConnection, o.StreamLimits.PerKey = c.SubsPerConn, c.SubsPerKey
	o.StatsCacheEntries = c.StatsCache
	o.MaxConcurrent = c.MaxConcurrent
	o.TraceResolvers = c.TraceResolvers
	return o
}

// databaseLabel names the database for logs without its password.
func (c config) databaseLabel() string {
	if c.DatabaseURL == "" {
		return c.SQLitePath
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}
