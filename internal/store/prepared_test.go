package store_test

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

// TestPreparedStatements: a statement with parameters is prepared once per
// connection and reused, with the same results as unprepared; statements
// without parameters, JSON parameters and errors inside a transaction
// behave as before. Traced, the same holds, and each statement has its
// span, with its text and without its arguments.
func TestPreparedStatements(t *testing.T) {
	t.Run("untraced", func(t *testing.T) { testPreparedStatements(t, nil) })
	t.Run("traced", func(t *testing.T) {
		exp := tracetest.NewInMemoryExporter()
		testPreparedStatements(t, sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)))
		var texts []string
		for _, s := range exp.GetSpans() {
			for _, a := range s.Attributes {
				if strings.Contains(a.Value.Emit(), "1016812036.74418") {
					t.Errorf("span %s records an argument: %s=%s", s.Name, a.Key, a.Value.Emit())
				}
				if a.Key == "db.query.text" && s.Name != "sql.conn.prepare" {
					texts = append(texts, a.Value.Emit())
				}
			}
		}
		// the table, five inserts, the query, the count, the duplicate,
		// the count after
		if len(texts) != 10 || !strings.HasPrefix(texts[1], "INSERT INTO t") {
			t.Errorf("statement spans: %q", texts)
		}
	})
}

func testPreparedStatements(t *testing.T, tp trace.TracerProvider) {
	// one connection: its prepared statements are the ones counted
	sdb, err := store.OpenDB(store.Config{DatabaseURL: apitest.PostgresURL(t), MaxOpenConns: 1, PreparedStatements: 16, TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	db := sdb.SQL
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id bigint PRIMARY KEY, doc jsonb, amount numeric)`); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (id, doc, amount) VALUES ($1, $2, $3)`, i, []byte(`{"n": [1, 2]}`), "1016812036.74418"); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	var n int
	var sum string
	if err := db.QueryRowContext(ctx, `SELECT count(*), sum(amount)::text FROM t WHERE id >= $1 AND doc->'n' @> '[2]'`, 0).Scan(&n, &sum); err != nil || n != 5 || sum != "5084060183.72090" {
		t.Fatalf("query: %d %s %v", n, sum, err)
	}
	var prepared int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_prepared_statements`).Scan(&prepared); err != nil || prepared != 2 {
		t.Fatalf("%d statements prepared (%v), want the insert and the query", prepared, err)
	}

	// an error in a transaction fails it, and the connection goes on
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO t (id, doc, amount) VALUES ($1, $2, $3)`, 1, []byte(`{}`), "1"); err == nil {
		t.Fatal("a duplicate key was accepted")
	}
	_ = tx.Rollback()
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE id >= $1`, 0).Scan(&n); err != nil || n != 5 {
		t.Fatalf("after a failed transaction: %d %v", n, err)
	}
}
