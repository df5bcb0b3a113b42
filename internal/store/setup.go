package store

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect"

	"github.com/bri-tracker/bri-tracker/ent"
)

// Setup brings a database's schema up to date and runs the start-up jobs:
// the data backfills of Prepare, then cfg.StartupJobs (the demo seed).
//
// On PostgreSQL everything happens under an advisory lock of the database's
// schema, held on one connection: of several processes starting at once,
// one applies the pending versioned migrations (unless cfg.NoMigrate, when
// pending migrations are an error), backfills and seeds, while the others
// wait, then find nothing left to do. The lock's connection runs without a
// statement timeout, so that a long migration is not cut short.
//
// SQLite, one process's file, keeps its schema by ent's auto-migration.
func Setup(ctx context.Context, db *DB, client *ent.Client, cfg Config) error {
	if db.Dialect != dialect.Postgres {
		if err := Migrate(ctx, client); err != nil {
			return err
		}
		return startupJobs(ctx, db, client, cfg)
	}
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("start-up: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET statement_timeout = 0`); err != nil {
		return fmt.Errorf("start-up: %w", err)
	}
	// The lock is the schema's: processes over other schemas of the same
	// database (tests) do not wait for each other.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext('bri-tracker start-up ' || current_schema()))`); err != nil {
		return fmt.Errorf("start-up: take the lock: %w", err)
	}
	defer func() {
		ctx := context.WithoutCancel(ctx)
		_, _ = conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtext('bri-tracker start-up ' || current_schema()))`)
		_, _ = conn.ExecContext(ctx, `RESET statement_timeout`)
	}()
	if cfg.NoMigrate {
		st, err := Status(ctx, db)
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		if len(st.Pending) > 0 {
			return fmt.Errorf("migrations: %d pending (%s): run `bri-tracker migrate up`, or start without --migrate=false", len(st.Pending), strings.Join(st.Pending, ", "))
		}
	} else {
		applied, err := migrateUp(ctx, conn)
		if err != nil {
			return err
		}
		if len(applied) > 0 && cfg.Logger != nil {
			cfg.Logger.Info("applied migrations", "files", strings.Join(applied, ", "))
		}
	}
	if err := startupJobs(ctx, db, client, cfg); err != nil {
		return err
	}
	if db.Replicas != nil {
		// No replica serves until it has the schema (and the seed) as
		// this process found or made it.
		lsn, err := db.Replicas.PrimaryLSN(ctx)
		if err != nil {
			return fmt.Errorf("start-up: %w", err)
		}
		db.Replicas.SetFloor(lsn)
	}
	return nil
}

func startupJobs(ctx context.Context, db *DB, client *ent.Client, cfg Config) error {
	if err := Prepare(ctx, db); err != nil {
		return err
	}
	if cfg.StartupJobs != nil {
		return cfg.StartupJobs(ctx, client)
	}
	return nil
}
