package store

import (
	"context"
	"database/sql/driver"
	"sync"
)

// A GraphQL request sends a few short statements of a few hundred shapes;
// an import sends hundreds of thousands of a few dozen. lib/pq sends each
// statement with parameters in two round trips, and PostgreSQL parses and
// plans it every time, which for these statements takes longer than running
// them. Connections opened with Config.PreparedStatements prepare each shape
// once, the first time it runs on the connection, and then execute it in one
// round trip without parsing, and, once PostgreSQL settles on a generic
// plan, without planning. The statements, their parameters and results are
// the same. A connection keeps at most that many statements prepared;
// shapes beyond it run unprepared. Behind a connection pooler that does not
// keep a session per client connection (PgBouncer in transaction mode,
// Config.DirectURL set), connections prepare nothing (see pooled.go).

// preparingConnector opens lib/pq connections that keep their statements
// prepared, at most max each.
type preparingConnector struct {
	base driver.Connector
	max  int
}

// Connect opens a lib/pq connection with an empty set of prepared statements.
func (c preparingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &preparingConn{Conn: conn, max: c.max, prepared: map[string]driver.Stmt{}}, nil
}

// Driver is lib/pq's driver.
func (c preparingConnector) Driver() driver.Driver { return c.base.Driver() }

// preparingConn runs statements with parameters through statements it
// prepared on first use. database/sql uses a connection from one goroutine
// at a time; the mutex is for Close.
type preparingConn struct {
	driver.Conn
	max      int
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
	if len(c.prepared) >= c.max {
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
