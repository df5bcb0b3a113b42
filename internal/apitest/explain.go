package apitest

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// IndexOnlyConn returns a connection of the PostgreSQL database on which
// sequential and bitmap scans are off, so that EXPLAIN on a test's few rows
// shows the index a large table would be read by (or that there is none).
func IndexOnlyConn(t testing.TB, db *DB) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off; SET enable_bitmapscan = off`); err != nil {
		t.Fatal(err)
	}
	return conn
}

// Explain returns PostgreSQL's plan of a statement with its arguments.
func Explain(t testing.TB, conn *sql.Conn, query string, args ...any) string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}
