package importer

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

// An import sends hundreds of thousands of short statements of a few dozen
// shapes (the rules' checks, the inserts, the audit events). lib/pq sends
// each in two round trips and PostgreSQL parses and plans it every time;
// on a small machine that is most of the import's time. Connections opened
// by Open prepare each shape once and then execute it in one round trip
// without parsing or planning: half the server's CPU and a third less wall
// time per statement. The statements, their parameters and results are the
// same.

// maxPrepared bounds the statements a connection keeps prepared; shapes
// beyond it run unprepared. An import uses well under a hundred.
const maxPrepared = 512

// Open opens the configured database for an import, as store.Open does
// (the schema applied, the search columns prepared), with PostgreSQL
// connections that reuse prepared statements. cfg.StatementTimeout is not
// applied: an import's statements are short, and the command sets none.
func Open(ctx context.Context, cfg store.Config) (*ent.Client, *store.DB, error) {
	if cfg.DatabaseURL == "" {
		return store.Open(ctx, cfg)
	}
	base, err := pq.NewConnector(cfg.DatabaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	sqlDB := sql.OpenDB(preparingConnector{base})
	n := cfg.MaxOpenConns
	if n == 0 {
		n = 20
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	db := &store.DB{SQL: sqlDB, Dialect: dialect.Postgres}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, nil, fmt.Errorf("connect to %s database: %w", db.Dialect, err)
	}
	client := ent.NewClient(ent.Driver(db.Driver()))
	if err := store.Migrate(ctx, client); err != nil {
		client.Close()
		return nil, nil, err
	}
	if err := store.Prepare(ctx, db); err != nil {
		client.Close()
		return nil, nil, err
	}
	return client, db, nil
}

// preparingConnector opens lib/pq connections that keep their statements
// prepared.
type preparingConnector struct{ base driver.Connector }

// Connect opens a lib/pq connection with an empty set of prepared statements.
func (c preparingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &preparingConn{Conn: conn, prepared: map[string]driver.Stmt{}}, nil
}

// Driver is lib/pq's driver.
func (c preparingConnector) Driver() driver.Driver { return c.base.Driver() }

// preparingConn runs statements with parameters through statements it
// prepared on first use. database/sql uses a connection from one goroutine
// at a time; the mutex is for Close.
type preparingConn struct {
	driver.Conn
	mu       sync.Mutex
	prepared map[string]driver.Stmt
}

var (
	_ driver.ExecerContext      = (*preparingConn)(nil)
	_ driver.QueryerContext     = (*preparingConn)(nil)
	_ driver.ConnBeginTx        = (*preparingConn)(nil)
	_ driver.ConnPrepareContext = (*preparingConn)(nil)
	_ driver.NamedValueChecker  = (*preparingConn)(nil)
	_ driver.Pinger             = (*preparingConn)(nil)
	_ driver.SessionResetter    = (*preparingConn)(nil)
	_ driver.Validator          = (*preparingConn)(nil)
)

// stmt returns the prepared statement for query, preparing it the first
// time; nil when the connection keeps no more.
func (c *preparingConn) stmt(ctx context.Context, query string) (driver.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.prepared[query]; ok {
		return st, nil
	}
	if len(c.prepared) >= maxPrepared {
		return nil, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.prepared[query] = st
	return st, nil
}

// ExecContext runs a statement with parameters prepared, one without as is.
func (c *preparingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) > 0 {
		st, err := c.stmt(ctx, query)
		if err != nil {
			return nil, err
		}
		if st != nil {
			return st.(driver.StmtExecContext).ExecContext(ctx, args)
		}
	}
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

// QueryContext runs a query with parameters prepared, one without as is.
func (c *preparingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) > 0 {
		st, err := c.stmt(ctx, query)
		if err != nil {
			return nil, err
		}
		if st != nil {
			return st.(driver.StmtQueryContext).QueryContext(ctx, args)
		}
	}
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

// The other methods hand over to lib/pq's connection.

// PrepareContext prepares a statement for database/sql's own use.
func (c *preparingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

// BeginTx starts a transaction.
func (c *preparingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// CheckNamedValue converts parameters as lib/pq does.
func (c *preparingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// Ping checks the connection.
func (c *preparingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// ResetSession readies the connection for reuse.
func (c *preparingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid reports whether the connection may be reused.
func (c *preparingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Close closes the connection; its prepared statements end with its session.
func (c *preparingConn) Close() error {
	c.mu.Lock()
	c.prepared = nil
	c.mu.Unlock()
	return c.Conn.Close()
}
