// Package store opens the database: an embedded SQLite file by default, or
// PostgreSQL when a URL is given, and applies the schema.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/XSAM/otelsql"
	"github.com/lib/pq" // PostgreSQL driver
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite" // pure-Go SQLite driver

	"github.com/bri-tracker/bri-tracker/ent"
	_ "github.com/bri-tracker/bri-tracker/ent/runtime" // schema hooks and defaults
	"github.com/bri-tracker/bri-tracker/internal/live"
	"github.com/bri-tracker/bri-tracker/internal/replicas"
	"github.com/bri-tracker/bri-tracker/internal/search"
)

// Config says which database to open.
type Config struct {
	// DatabaseURL is a postgres:// URL; empty means SQLite.
	DatabaseURL string
	// DirectURL, when set, is the primary's own URL, and DatabaseURL
	// (and each replica URL) that of a transaction-pooling PgBouncer in
	// front of it: Setup runs the start-up jobs over a connection of
	// DirectURL's, and the pools keep no session state (see pooled.go).
	DirectURL string
	// SQLitePath is the SQLite file used when DatabaseURL is empty.
	SQLitePath string
	// MaxOpenConns bounds the PostgreSQL connection pool (0: 20), of the
	// primary and of each replica.
	MaxOpenConns int
	// MaxIdleConns is how many idle connections each pool keeps (0: as
	// many as MaxOpenConns; negative: none).
	MaxIdleConns int
	// ConnMaxLifetime closes connections older than this (0: never), so
	// that a pool follows a load balancer or PgBouncer that moves.
	ConnMaxLifetime time.Duration
	// ReplicaURLs are PostgreSQL streaming replicas of DatabaseURL that
	// serve the reads of query operations (see internal/replicas).
	ReplicaURLs []string
	// ReplicaMaxLag is how far behind a replica may be and still serve
	// reads (0: 30 s).
	ReplicaMaxLag time.Duration
	// ReplicaCheckInterval is how often each replica is checked (0: 1 s).
	ReplicaCheckInterval time.Duration
	// StatementTimeout makes PostgreSQL cancel any statement running longer
	// (0: none), unless the URL sets statement_timeout itself.
	StatementTimeout time.Duration
	// PreparedStatements is how many statements each PostgreSQL connection
	// keeps prepared for reuse (0: none); see prepared.go.
	PreparedStatements int
	// TracerProvider, when set, makes spans of the database calls (see
	// traced.go); nil leaves the database untraced.
	TracerProvider trace.TracerProvider
	// NoMigrate leaves pending PostgreSQL migrations to the migrate
	// command: Open then fails if any is pending.
	NoMigrate bool
	// StartupJobs run once the schema is ready, under the start-up lock
	// (the demo seed).
	StartupJobs func(context.Context, *ent.Client) error
	// Logger, when set, hears of the migrations applied.
	Logger *slog.Logger
	// WebhookAllowPrivate lets webhooks be registered for URLs of
	// loopback, private and link-local addresses (see internal/webhook).
	WebhookAllowPrivate bool
}

// DB is an open database and the ent dialect that speaks to it.
type DB struct {
	// SQL is the primary database.
	SQL     *sql.DB
	Dialect string
	// Replicas, when the configuration names any, are the primary's
	// streaming replicas, which Driver routes reads to.
	Replicas *replicas.Set
	// Committed is notified when this process commits audit events (see
	// live.Numbering); other processes' commits arrive by NOTIFY.
	Committed *live.Signal
	drv       dialect.Driver
}

// OpenDB opens the configured database.
func OpenDB(cfg Config) (*DB, error) {
	if cfg.DatabaseURL != "" {
		db, err := openPostgres(cfg, cfg.DatabaseURL, "DATABASE_URL")
		if err != nil {
			return nil, err
		}
		d := &DB{SQL: db, Dialect: dialect.Postgres, Committed: live.NewSignal(), drv: entsql.OpenDB(dialect.Postgres, db)}
		if len(cfg.ReplicaURLs) > 0 {
			if err := d.openReplicas(cfg); err != nil {
				db.Close()
				return nil, err
			}
		}
		return d, nil
	}
	if len(cfg.ReplicaURLs) > 0 {
		return nil, fmt.Errorf("DATABASE_REPLICA_URLS needs DATABASE_URL: replicas are PostgreSQL's")
	}
	if cfg.DirectURL != "" {
		return nil, fmt.Errorf("DATABASE_DIRECT_URL needs DATABASE_URL: it is the direct URL of the primary that DATABASE_URL reaches through PgBouncer")
	}
	registerSQLiteFunctions()
	path := cfg.SQLitePath
	if path == "" {
		path = "bri-tracker.db"
	}
	var db *sql.DB
	var err error
	if cfg.TracerProvider != nil {
		db, err = otelsql.Open("sqlite", sqliteDSN(path), tracing(cfg.TracerProvider, systemSQLite)...)
	} else {
		db, err = sql.Open("sqlite", sqliteDSN(path))
	}
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{SQL: db, Dialect: dialect.SQLite, Committed: live.NewSignal(), drv: entsql.OpenDB(dialect.SQLite, db)}, nil
}

// openPostgres opens a pool of connections to the PostgreSQL server at
// rawURL (named by setting in errors), as the configuration says.
func openPostgres(cfg Config, rawURL, setting string) (*sql.DB, error) {
	if !strings.HasPrefix(rawURL, "postgres://") && !strings.HasPrefix(rawURL, "postgresql://") {
		return nil, fmt.Errorf("%s must start with postgres:// or postgresql://", setting)
	}
	pooled := cfg.DirectURL != ""
	dsn, err := withParams(rawURL, cfg.StatementTimeout, pooled)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", setting, err)
	}
	base, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", setting, err)
	}
	var conn driver.Connector = base
	switch {
	case pooled:
		conn = pooledConnector{base: base}
	case cfg.PreparedStatements > 0:
		conn = preparingConnector{base: base, max: cfg.PreparedStatements}
	}
	var db *sql.DB
	if cfg.TracerProvider != nil {
		db = otelsql.OpenDB(conn, tracing(cfg.TracerProvider, systemPostgres)...)
	} else {
		db = sql.OpenDB(conn)
	}
	n := cfg.MaxOpenConns
	if n == 0 {
		n = 20
	}
	db.SetMaxOpenConns(n)
	idle := cfg.MaxIdleConns
	if idle == 0 {
		idle = n
	}
	db.SetMaxIdleConns(max(idle, 0))
	db.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	return db, nil
}

// withParams adds statement_timeout to a PostgreSQL URL (lib/pq
// sends it as a run-time parameter of every connection), and a
// connect_timeout of half of it. A pooled URL, a transaction-pooling
// PgBouncer's, gets no statement_timeout (PgBouncer refuses run-time
// parameters it does not know, and would not pass them on to the server
// connections it shares), but binary_parameters (see pooled.go).
func withParams(rawURL string, d time.Duration, pooled bool) (string, error) {
	if d <= 0 && !pooled {
		return rawURL, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL is not a valid URL")
	}
	q := u.Query()
	if pooled && q.Get("binary_parameters") == "" {
		q.Set("binary_parameters", "yes")
	}
	if d <= 0 {
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	if q.Get("statement_timeout") == "" && !pooled {
		q.Set("statement_timeout", strconv.FormatInt(d.Milliseconds(), 10))
	}
	if q.Get("connect_timeout") == "" {
		// A database the network cannot reach (packets dropped, not
		// refused) fails a connection attempt within the statement
		// timeout rather than the operating system's minutes.
		q.Set("connect_timeout", strconv.Itoa(max(1, int(d.Seconds()/2))))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// sqliteDSN turns on foreign keys (off by default in SQLite), write-ahead
// logging, and a busy timeout so that concurrent writers wait, not fail.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Driver returns the ent driver over the database: with replicas, the one
// that routes reads to them.
func (d *DB) Driver() dialect.Driver {
	return d.drv
}

// Migrate applies the schema by ent's auto-migration: creates missing
// tables, columns and indexes. SQLite's schema is kept this way; PostgreSQL's
// by the versioned migrations (see Setup).
func Migrate(ctx context.Context, client *ent.Client) error {
	if err := client.Schema.Create(ctx); err != nil {
		return fmt.Errorf("apply schema: %w", err)
	}
	return nil
}

// Open opens the database, returns an ent client over it, and sets the
// database up (see Setup).
func Open(ctx context.Context, cfg Config, opts ...ent.Option) (*ent.Client, *DB, error) {
	db, err := OpenDB(cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := db.SQL.PingContext(ctx); err != nil {
		_ = db.drv.Close()
		return nil, nil, fmt.Errorf("connect to %s database: %w", db.Dialect, err)
	}
	client := ent.NewClient(append([]ent.Option{ent.Driver(db.Driver())}, opts...)...)
	if err := Setup(ctx, db, client, cfg); err != nil {
		client.Close()
		return nil, nil, err
	}
	return client, db, nil
}

// edgeIndexes are the indexes of edge pages that ent's migration does not
// manage. The link tables are indexed from their second column (ent's
// schema indexes only the pair, policy first), in the order of the other
// side's id: a project's (or partner's) page of policies, ordered by policy
// id, reads its first rows from the index in order rather than all of them
// to sort. Indexes of earlier versions that newer ones replace are dropped
// (those without a statement): the link tables' second-column ones, and
// those the schema now declares as (parent key, id): partners (country_id),
// policies (superseded_by_id) and audit events (entity_type, entity_id, at).
var edgeIndexes = []search.Index{
	{Name: "partner_country_id"},
	{Name: "openingpolicy_superseded_by_id"},
	{Name: "auditevent_entity_type_entity_id_at"},
	{Name: "opening_policy_projects_project_id_policy", Create: `CREATE INDEX IF NOT EXISTS opening_policy_projects_project_id_policy ON opening_policy_projects (project_id, opening_policy_id)`},
	{Name: "opening_policy_projects_project_id"},
	{Name: "opening_policy_partners_partner_id_policy", Create: `CREATE INDEX IF NOT EXISTS opening_policy_partners_partner_id_policy ON opening_policy_partners (partner_id, opening_policy_id)`},
	{Name: "opening_policy_partners_partner_id"},
}

// Prepare does what the ent migration cannot: participations of earlier
// versions linked, their located projects boxed, the link tables' reverse
// indexes, the search indexes, and
// the search columns of rows that lack them.
func Prepare(ctx context.Context, db *DB) error {
	if err := migrateParticipations(ctx, db); err != nil {
		return err
	}
	if err := migrateLocations(ctx, db); err != nil {
		return err
	}
	if err := ensureIndexes(ctx, db, edgeIndexes); err != nil {
		return fmt.Errorf("edge index: %w", err)
	}
	if db.Dialect == dialect.Postgres {
		if err := ensureExtension(ctx, db, search.Extension); err != nil {
			return fmt.Errorf("search: enable %s (run CREATE EXTENSION %s as a superuser once): %w", search.Extension, search.Extension, err)
		}
		if err := ensureIndexes(ctx, db, search.Indexes()); err != nil {
			return fmt.Errorf("search: %w", err)
		}
	}
	_, err := search.Backfill(ctx, db.SQL, db.Dialect)
	return err
}
