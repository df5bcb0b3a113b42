package store

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"

	"github.com/bri-tracker/bri-tracker/internal/search"
)

// Start-up DDL looks in the catalog first and runs only what is missing.
// CREATE INDEX IF NOT EXISTS takes its table's SHARE lock before it finds
// the index there, so on a restart it would wait behind any transaction
// writing the table, such as a killed server's last one, which PostgreSQL
// ends only when it notices the connection is gone; a read of the catalog
// waits for nothing.

// indexExists reports whether the current schema has an index of this name.
func indexExists(ctx context.Context, db *DB, name string) (bool, error) {
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
	if db.Dialect == dialect.Postgres {
		q = `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1`
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// ensureIndexes creates the indexes of the list that are missing and drops
// those listed without a statement that exist.
func ensureIndexes(ctx context.Context, db *DB, list []search.Index) error {
	for _, ix := range list {
		exists, err := indexExists(ctx, db, ix.Name)
		if err != nil {
			return fmt.Errorf("look for %s: %w", ix.Name, err)
		}
		q := ix.Create
		if q == "" {
			q = "DROP INDEX IF EXISTS " + ix.Name
		}
		if exists == (ix.Create != "") {
			continue
		}
		if _, err := db.SQL.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", ix.Name, err)
		}
	}
	return nil
}

// ensureExtension creates a PostgreSQL extension unless it is there.
func ensureExtension(ctx context.Context, db *DB, name string) error {
	var n int
	if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM pg_extension WHERE extname = $1`, name).Scan(&n); err != nil || n > 0 {
		return err
	}
	_, err := db.SQL.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS "+name+" WITH SCHEMA public")
	return err
}
