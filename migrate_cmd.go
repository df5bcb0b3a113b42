package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"entgo.io/ent/dialect"

	"github.com/bri-tracker/bri-tracker/internal/store"
)

const migrateUsage = `usage:
  bri-tracker migrate status   list the migrations applied and pending
  bri-tracker migrate up       apply the pending ones (and the start-up backfills)
(each takes --database-url, or DATABASE_URL, and runs over --database-direct-url, or
DATABASE_DIRECT_URL, when set: the primary itself, not PgBouncer; versioned
migrations are PostgreSQL's; the SQLite file keeps its schema by itself)`

// runMigrate shows or applies the versioned migrations of a PostgreSQL
// database, for deployments that start their servers with --migrate=false.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "status" && args[0] != "up") {
		return fmt.Errorf("%s", migrateUsage)
	}
	verb, args := args[0], args[1:]
	fs := flag.NewFlagSet("bri-tracker migrate "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var cfg store.Config
	fs.StringVar(&cfg.DatabaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL URL")
	direct := fs.String("database-direct-url", getenv("DATABASE_DIRECT_URL"), "the primary's own URL when DATABASE_URL is PgBouncer's")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\n%s", err, migrateUsage)
	}
	if *direct != "" {
		// the migrations' advisory lock is a session's: not through
		// PgBouncer in transaction mode
		cfg.DatabaseURL = *direct
	}
	if cfg.DatabaseURL == "" {
		return fmt.Errorf("no PostgreSQL database: set --database-url or DATABASE_URL\n%s", migrateUsage)
	}
	db, err := store.OpenDB(cfg)
	if err != nil {
		return err
	}
	defer db.SQL.Close()
	if db.Dialect != dialect.Postgres {
		return fmt.Errorf("%s", migrateUsage)
	}
	if verb == "up" {
		client, _, err := store.Open(ctx, store.Config{
			DatabaseURL: cfg.DatabaseURL,
			Logger:      slog.New(slog.NewTextHandler(out, nil)),
		})
		if err != nil {
			return err
		}
		client.Close()
	}
	st, err := store.Status(ctx, db)
	if err != nil {
		return err
	}
	if st.Adopt {
		fmt.Fprintln(out, "made by auto-migration: `migrate up` records the baseline "+store.BaselineVersion+" as applied, then applies what follows")
	}
	for _, f := range st.Applied {
		fmt.Fprintln(out, "applied  "+f)
	}
	for _, f := range st.Pending {
		fmt.Fprintln(out, "pending  "+f)
	}
	fmt.Fprintf(out, "%d applied, %d pending\n", len(st.Applied), len(st.Pending))
	return nil
}
