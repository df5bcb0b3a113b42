// Package apitest runs tests through the real HTTP handler against real
// databases: a fresh SQLite file and, when PostgreSQL answers, a fresh
// PostgreSQL schema, so every database test runs on both.
package apitest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel/trace"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/live"
	"github.com/bri-tracker/bri-tracker/internal/replicas"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

// DefaultPostgresURL is used when TEST_DATABASE_URL is unset: the local
// PostgreSQL with trust authentication.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// DB is one test database.
type DB struct {
	Dialect string
	Client  *ent.Client
	Counter *Counter
	SQL     *sql.DB
	// Replicas are the database's streaming replicas, with WithReplica.
	Replicas *replicas.Set
	// Committed is notified when this process commits audit events.
	Committed *live.Signal
	// URL is the PostgreSQL database's URL ("" on SQLite).
	URL string
}

var (
	pgOnce sync.Once
	pgURL  string
	pgErr  error
)

// postgresURL returns the server URL for PostgreSQL tests, or why there is
// none.
func postgresURL() (string, error) {
	pgOnce.Do(func() {
		pgURL = os.Getenv("TEST_DATABASE_URL")
		if pgURL == "" {
			pgURL = DefaultPostgresURL
		}
		db, err := sql.Open("postgres", pgURL)
		if err != nil {
			pgErr = err
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pgErr = db.PingContext(ctx)
	})
	return pgURL, pgErr
}

// Option adjusts how a test database is opened.
type Option func(*store.Config)

// AllowPrivateWebhooks lets webhooks be registered for loopback URLs, such
// as a test receiver's (--webhook-allow-private).
func AllowPrivateWebhooks() Option {
	return func(c *store.Config) { c.WebhookAllowPrivate = true }
}

// Traced makes spans of the database's calls with tp.
func Traced(tp trace.TracerProvider) Option {
	return func(c *store.Config) { c.TracerProvider = tp }
}

// DefaultReplicaURL is the streaming replica of the local PostgreSQL that
// .ci/replica.sh makes, used when TEST_REPLICA_URL is unset.
const DefaultReplicaURL = "postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable"

// ReplicaURL returns the URL of the test PostgreSQL's streaming replica for
// the database of primaryURL (a URL of PostgresURL: the same schema), or
// skips the test when no replica answers, except under CI=true, where that
// fails.
func ReplicaURL(t testing.TB, primaryURL string) string {
	t.Helper()
	base := os.Getenv("TEST_REPLICA_URL")
	if base == "" {
		base = DefaultReplicaURL
	}
	db, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var standby bool
	if err := db.QueryRowContext(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil || !standby {
		if os.Getenv("CI") == "true" {
			t.Fatalf("a streaming replica is required under CI=true (.ci/replica.sh makes one) but %s is not one: %v", base, err)
		}
		t.Skipf("no streaming replica at %s (%v); run .ci/replica.sh or set TEST_REPLICA_URL", base, err)
	}
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = b.Host
	u.User = b.User
	return u.String()
}

// WithReplica serves the reads of query operations from the streaming
// replica at replicaURL, checked every 50 ms, skipped when it lags by more
// than maxLag.
func WithReplica(replicaURL string, maxLag time.Duration) Option {
	return func(c *store.Config) {
		c.ReplicaURLs = append(c.ReplicaURLs, replicaURL)
		c.ReplicaMaxLag = maxLag
		c.ReplicaCheckInterval = 50 * time.Millisecond
	}
}

// Each runs fn once per database: SQLite, then PostgreSQL. PostgreSQL is
// skipped when it does not answer, except under CI=true, where that fails.
func Each(t *testing.T, fn func(t *testing.T, db *DB), opts ...Option) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, OpenSQLite(t, opts...))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, OpenPostgres(t, opts...))
	})
}

// OpenSQLite opens a fresh SQLite database in a temporary directory.
func OpenSQLite(t testing.TB, opts ...Option) *DB {
	t.Helper()
	return OpenSQLiteFile(t, filepath.Join(t.TempDir(), "test.db"), opts...)
}

// OpenSQLiteFile opens the SQLite database at path.
func OpenSQLiteFile(t testing.TB, path string, opts ...Option) *DB {
	t.Helper()
	return open(t, store.Config{SQLitePath: path}, opts)
}

// OpenPostgresURL opens the PostgreSQL database at url (from PostgresURL,
// with parameters of the test's own).
func OpenPostgresURL(t testing.TB, url string, opts ...Option) *DB {
	t.Helper()
	return open(t, store.Config{DatabaseURL: url, MaxOpenConns: 20, PreparedStatements: 256}, opts)
}

// OpenPostgres opens a fresh schema of its own in the test PostgreSQL
// server, dropped when the test ends.
func OpenPostgres(t testing.TB, opts ...Option) *DB {
	t.Helper()
	return open(t, store.Config{DatabaseURL: PostgresURL(t), MaxOpenConns: 10, PreparedStatements: 256}, opts)
}

// PostgresURL creates a fresh schema in the test PostgreSQL server, dropped
// when the test ends, and returns a URL whose connections use it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base, err := postgresURL()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true but does not answer at %s: %v", base, err)
		}
		t.Skipf("PostgreSQL does not answer (%v); set TEST_DATABASE_URL to run the PostgreSQL half", err)
	}
	schema := create(t, base, "SCHEMA", "t_", "CASCADE")
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// create makes a schema or database (what) of a fresh name that starts with
// prefix on the PostgreSQL server at base, dropped (with the drop options)
// when the test ends, and returns its name.
func create(t testing.TB, base, what, prefix, drop string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := prefix + hex.EncodeToString(b[:])
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE ` + what + ` ` + name); err != nil {
		t.Fatalf("create %s: %v", strings.ToLower(what), err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP ` + what + ` ` + name + ` ` + drop)
		admin.Close()
	})
	return name
}

func open(t testing.TB, cfg store.Config, opts []Option) *DB {
	t.Helper()
	for _, o := range opts {
		o(&cfg)
	}
	db, err := store.OpenDB(cfg)
	if err != nil {
		t.Fatal(err)
	}
	counter := NewCounter(db.Driver())
	client := ent.NewClient(ent.Driver(counter))
	ctx := context.Background()
	if err := store.Setup(ctx, db, client, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return &DB{Dialect: db.Dialect, Client: client, Counter: counter, SQL: db.SQL, Replicas: db.Replicas, Committed: db.Committed, URL: cfg.DatabaseURL}
}

// Reopen opens another fresh database of db's kind.
func Reopen(t testing.TB, db *DB) *DB {
	t.Helper()
	if db.IsPostgres() {
		return OpenPostgres(t)
	}
	return OpenSQLite(t)
}

// IsPostgres reports whether db is PostgreSQL.
func (d *DB) IsPostgres() bool { return d.Dialect == dialect.Postgres }

// MigrationFiles are the migration files, in order.
func MigrationFiles(t testing.TB) []migrate.File {
	t.Helper()
	dir, err := store.MigrationDir()
	if err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	return files
}
