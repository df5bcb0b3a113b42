package apitest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/store"
)

// PgBouncerURLs creates a fresh database in the test PostgreSQL server,
// dropped when the test ends, and returns its URL through the PgBouncer in
// transaction mode at TEST_PGBOUNCER_URL (.ci/pgbouncer.sh starts one on
// 127.0.0.1:6432 that passes every database name through) and its direct
// URL. A database, not a schema as PostgresURL makes: PgBouncer does not
// pass search_path on. The test is skipped when TEST_PGBOUNCER_URL is
// unset, except under CI=true, where that fails; it fails when the
// PgBouncer there does not pool by transaction.
func PgBouncerURLs(t testing.TB) (pooled, direct string) {
	t.Helper()
	bouncer := os.Getenv("TEST_PGBOUNCER_URL")
	if bouncer == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_PGBOUNCER_URL is required under CI=true (.ci/pgbouncer.sh starts a PgBouncer)")
		}
		t.Skip("TEST_PGBOUNCER_URL is unset; run .ci/pgbouncer.sh and set it to run the PgBouncer tests")
	}
	base, err := postgresURL()
	if err != nil {
		t.Fatalf("TEST_PGBOUNCER_URL is set but PostgreSQL does not answer at %s: %v", base, err)
	}
	b, err := url.Parse(bouncer)
	if err != nil {
		t.Fatal(err)
	}
	if mode := poolMode(t, *b); mode != "transaction" {
		t.Fatalf("the PgBouncer at TEST_PGBOUNCER_URL pools by %q, not by transaction", mode)
	}
	// FORCE: PgBouncer keeps server connections to it open
	name := create(t, base, "DATABASE", "t_pgb_", "WITH (FORCE)")
	d, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	d.Path, b.Path = "/"+name, "/"+name
	return b.String(), d.String()
}

// poolMode asks the PgBouncer at u's admin console how it pools.
func poolMode(t testing.TB, u url.URL) string {
	t.Helper()
	u.Path = "/pgbouncer"
	console, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows, err := console.QueryContext(ctx, `SHOW CONFIG`)
	if err != nil {
		t.Fatalf("TEST_PGBOUNCER_URL: no PgBouncer admin console at %s: %v", u.Redacted(), err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if vals[0].String == "pool_mode" {
			return vals[1].String
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ""
}

// OpenPgBouncer opens a fresh database through PgBouncer in transaction
// mode (see PgBouncerURLs), as a server started with DATABASE_URL of the
// PgBouncer and DATABASE_DIRECT_URL of the primary: its start-up jobs run
// over the direct URL.
func OpenPgBouncer(t testing.TB, opts ...Option) *DB {
	t.Helper()
	pooled, direct := PgBouncerURLs(t)
	return open(t, store.Config{DatabaseURL: pooled, DirectURL: direct, MaxOpenConns: 20}, opts)
}
