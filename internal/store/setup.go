package store

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/live"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
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
// With cfg.DirectURL, db is reached through PgBouncer in transaction mode,
// which keeps no session: the lock, the migrations and the start-up jobs
// then run over connections of their own to DirectURL, the primary itself.
//
// SQLite, one process's file, keeps its schema by ent's auto-migration.
//
// Setup also installs on client what every client of the database needs:
// the numbering of audit events in commit order (live.Numbering), which
// notifies db.Committed.
func Setup(ctx context.Context, db *DB, client *ent.Client, cfg Config) error {
	client.AuditEvent.Use(live.Numbering(db.Dialect, db.Committed.Notify), webhook.Outbox())
	client.Webhook.Use(webhook.URLGuard(cfg.WebhookAllowPrivate))
	if db.Dialect != dialect.Postgres {
		if err := Migrate(ctx, client); err != nil {
			return err
		}
		return startupJobs(ctx, db, client, cfg)
	}
	if cfg.DirectURL == "" {
		if err := setupLocked(ctx, db, client, cfg); err != nil {
			return err
		}
	} else {
		if err := setupDirect(ctx, cfg); err != nil {
			return err
		}
		warnStatementTimeout(ctx, db, cfg)
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

// setupDirect runs setupLocked over a pool of cfg.DirectURL's, closed
// when it is done.
func setupDirect(ctx context.Context, cfg Config) error {
	// the lock's connection, and a few for the jobs' statements
	sqlDB, err := openPostgres(Config{StatementTimeout: cfg.StatementTimeout, MaxOpenConns: 4, TracerProvider: cfg.TracerProvider}, cfg.DirectURL, "DATABASE_DIRECT_URL")
	if err != nil {
		return err
	}
	drv := entsql.OpenDB(dialect.Postgres, sqlDB)
	client := ent.NewClient(ent.Driver(drv))
	defer client.Close()
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("start-up: connect to DATABASE_DIRECT_URL: %w", err)
	}
	return setupLocked(ctx, &DB{SQL: sqlDB, Dialect: dialect.Postgres, Committed: live.NewSignal(), drv: drv}, client, cfg)
}

// warnStatementTimeout logs when connections through a transaction pooler
// run without the statement timeout cfg asks for, which the pooled URL
// cannot set (see pooled.go).
func warnStatementTimeout(ctx context.Context, db *DB, cfg Config) {
	if cfg.StatementTimeout <= 0 || cfg.Logger == nil {
		return
	}
	var v string
	if err := db.SQL.QueryRowContext(ctx, `SELECT current_setting('statement_timeout')`).Scan(&v); err != nil || v != "0" {
		return
	}
	cfg.Logger.Warn("connections through DATABASE_URL have no statement_timeout: behind PgBouncer, set it on the role (ALTER ROLE ... SET statement_timeout) or in PgBouncer's connect_query",
		"statement_timeout", cfg.StatementTimeout.String())
}

// setupLocked applies the migrations and runs the start-up jobs on db, a
// PostgreSQL database whose connections are sessions of their own.
func setupLocked(ctx context.Context, db *DB, client *ent.Client, cfg Config) error {
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
	return startupJobs(ctx, db, client, cfg)
}

func startupJobs(ctx context.Context, db *DB, client *ent.Client, cfg Config) error {
	if err := Prepare(ctx, db); err != nil {
		return err
	}
	if cfg.StartupJobs != nil {
		if err := cfg.StartupJobs(ctx, client); err != nil {
			return err
		}
	}
	// events written before numbering existed, or by a process that died
	// between an unnumbered write and its numbering
	if _, err := live.Number(ctx, client, db.Dialect); err != nil {
		return fmt.Errorf("start-up: %w", err)
	}
	return nil
}
