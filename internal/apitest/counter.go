package apitest

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Counter is an ent driver that counts (and keeps) the SQL statements sent through it,
// inside transactions too, so tests can assert that a query shape costs a
// bounded number of statements (no N+1).
type Counter struct {
	dialect.Driver
	n atomic.Int64

	mu    sync.Mutex
	texts []string
	args  []any
}

var _ dialect.Driver = (*Counter)(nil)

// NewCounter wraps drv.
func NewCounter(drv dialect.Driver) *Counter { return &Counter{Driver: drv} }

// Count returns the statements sent since the last Reset.
func (c *Counter) Count() int { return int(c.n.Load()) }

// Reset sets the count to zero and forgets the statements.
func (c *Counter) Reset() {
	c.n.Store(0)
	c.mu.Lock()
	c.texts = nil
	c.args = nil
	c.mu.Unlock()
}

// Statements returns the text of the statements sent since the last Reset.
func (c *Counter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.texts...)
}

// Args returns the arguments of the statements sent since the last Reset,
// in the order of Statements.
func (c *Counter) Args() []any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]any(nil), c.args...)
}

func (c *Counter) count(query string, args any) {
	c.n.Add(1)
	c.mu.Lock()
	c.texts = append(c.texts, query)
	c.args = append(c.args, args)
	c.mu.Unlock()
}

// Exec counts and runs a statement.
func (c *Counter) Exec(ctx context.Context, query string, args, v any) error {
	c.count(query, args)
	return c.Driver.Exec(ctx, query, args, v)
}

// Query counts and runs a query.
func (c *Counter) Query(ctx context.Context, query string, args, v any) error {
	c.count(query, args)
	return c.Driver.Query(ctx, query, args, v)
}

// Tx starts a transaction whose statements are counted too.
func (c *Counter) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := c.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: c}, nil
}

// BeginTx starts a transaction with options whose statements are counted.
func (c *Counter) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := c.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return c.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: c}, nil
}

type countingTx struct {
	dialect.Tx
	c *Counter
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.count(query, args)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.count(query, args)
	return t.Tx.Query(ctx, query, args, v)
}

// ExecContext counts and runs a statement of the server's own SQL (such as
// the audit events' numbering), as the ent driver under it does.
func (t *countingTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ex, ok := t.Tx.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("apitest: the transaction of %T runs no ExecContext", t.Tx)
	}
	t.c.count(query, args)
	return ex.ExecContext(ctx, query, args...)
}
