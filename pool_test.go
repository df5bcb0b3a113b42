package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

// openPool opens the PostgreSQL pool a server started with args and env
// would open.
func openPool(t *testing.T, args []string, env map[string]string) *sql.DB {
	t.Helper()
	c, err := parseConfig(args, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.OpenDB(c.store())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.SQL.Close() })
	return db.SQL
}

// The pool flags and variables reach the connection pool: at most
// max-open connections (a caller beyond them waits), at most max-idle
// kept once released, and none reused past its lifetime.
func TestPoolFlags(t *testing.T) {
	url := apitest.PostgresURL(t)
	ctx := t.Context()

	if got := openPool(t, []string{"--database-url", url}, nil).Stats().MaxOpenConnections; got != 20 {
		t.Fatalf("default max open: %d, want 20", got)
	}
	if got := openPool(t, nil, map[string]string{"DATABASE_URL": url, "DB_MAX_OPEN_CONNS": "5"}).Stats().MaxOpenConnections; got != 5 {
		t.Fatalf("DB_MAX_OPEN_CONNS=5: %d", got)
	}
	db := openPool(t, []string{"--database-url", url, "--db-max-open-conns", "3", "--db-max-idle-conns", "1", "--db-conn-max-lifetime", "300ms"},
		map[string]string{"DB_MAX_OPEN_CONNS": "7"}) // the flag wins
	if got := db.Stats().MaxOpenConnections; got != 3 {
		t.Fatalf("--db-max-open-conns 3: %d", got)
	}
	var held []*sql.Conn
	for range 3 {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := db.Conn(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a fourth connection beyond --db-max-open-conns 3: %v", err)
	}
	if st := db.Stats(); st.OpenConnections != 3 || st.WaitCount != 1 {
		t.Fatalf("three held, one waited: %+v", st)
	}
	for _, c := range held {
		c.Close()
	}
	if st := db.Stats(); st.OpenConnections != 1 || st.Idle != 1 || st.MaxIdleClosed != 2 {
		t.Fatalf("--db-max-idle-conns 1 after releasing three: %+v", st)
	}
	time.Sleep(400 * time.Millisecond)
	// the idle connection is past its lifetime: taking it closes it and
	// opens another
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	if st := db.Stats(); st.MaxLifetimeClosed != 1 || st.OpenConnections != 1 {
		t.Fatalf("--db-conn-max-lifetime 300ms, 400ms later: %+v", st)
	}

	// -1: no idle connections at all
	none := openPool(t, nil, map[string]string{"DATABASE_URL": url, "DB_MAX_IDLE_CONNS": "-1"})
	if err := none.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	if st := none.Stats(); st.Idle != 0 || st.OpenConnections != 0 || st.MaxIdleClosed != 1 {
		t.Fatalf("DB_MAX_IDLE_CONNS=-1: %+v", st)
	}
}

func TestPoolFlagsRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--db-max-open-conns", "0"}, nil, "--db-max-open-conns 0: want at least 1"},
		{nil, map[string]string{"DB_MAX_OPEN_CONNS": "many"}, `DB_MAX_OPEN_CONNS="many": want a whole number`},
		{[]string{"--db-max-open-conns", "3", "--db-max-idle-conns", "5"}, nil, "--db-max-idle-conns 5: want at most --db-max-open-conns (3)"},
		{[]string{"--db-conn-max-lifetime", "-1s"}, nil, "--db-conn-max-lifetime -1s: want 0 or a positive duration"},
		{nil, map[string]string{"DB_CONN_MAX_LIFETIME": "soon"}, `DB_CONN_MAX_LIFETIME="soon": want a duration`},
		{[]string{"--database-direct-url", "postgres://db/bri"}, nil, "DATABASE_DIRECT_URL needs DATABASE_URL"},
		{[]string{"--database-url", "postgres://bouncer/bri", "--database-direct-url", "postgres://db/bri", "--prepared-statements", "64"}, nil,
			"--prepared-statements 64: connections through PgBouncer in transaction mode (DATABASE_DIRECT_URL set) keep no statements prepared"},
		{nil, map[string]string{"DATABASE_URL": "postgres://bouncer/bri", "DATABASE_DIRECT_URL": "postgres://db/bri", "PREPARED_STATEMENTS": "256"}, "--prepared-statements 256:"},
	} {
		_, err := parseConfig(c.args, func(k string) string { return c.env[k] })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: %v, want %q", c.args, c.env, err, c.want)
		}
	}
	c, err := parseConfig(nil, func(k string) string {
		return map[string]string{"DATABASE_URL": "postgres://bouncer/bri", "DATABASE_DIRECT_URL": "postgres://db/bri"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.store(); s.DirectURL != "postgres://db/bri" || s.DatabaseURL != "postgres://bouncer/bri" {
		t.Fatalf("DATABASE_DIRECT_URL: %+v", s)
	}
}

// With DATABASE_DIRECT_URL, the migrate command works on the primary
// itself, never on DATABASE_URL's PgBouncer.
func TestMigrateCommandDirectURL(t *testing.T) {
	url := apitest.PostgresURL(t)
	env := map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?sslmode=disable", "DATABASE_DIRECT_URL": url}
	var out bytes.Buffer
	if err := runMigrate(t.Context(), []string{"up"}, func(k string) string { return env[k] }, &out); err != nil || !strings.Contains(out.String(), fmt.Sprintf("%d applied, 0 pending", migrationCount(t))) {
		t.Fatalf("migrate up over DATABASE_DIRECT_URL: %v\n%s", err, out.String())
	}
}
