package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
)

// Behind PgBouncer in transaction mode (Config.DirectURL set), a client
// connection is given a server connection for one transaction, or for one
// statement outside a transaction, up to the statement's Sync, and may be
// given another for the next. Nothing a session keeps lasts:
//
//   - Statements are not kept prepared (Config.PreparedStatements does not
//     apply).
//   - lib/pq sends a statement with parameters in two round trips by
//     default, Parse and Describe, Sync, then Bind and Execute, Sync, so
//     the Bind may reach another server connection, one without that
//     unnamed statement or with another client's: "bind message supplies 2
//     parameters, but prepared statement "" requires 1". The pooled URL
//     sets lib/pq's binary_parameters, which sends all of it before one
//     Sync. It also sends []byte parameters in binary: right for bytea, but
//     jsonb's binary form is not its text, so pooledConn sends ent's JSON
//     values (json.RawMessage) as text.
//   - statement_timeout is not sent as a run-time parameter (see
//     withParams): set it on the role (ALTER ROLE ... SET statement_timeout)
//     or in PgBouncer's connect_query; Setup warns when it finds none.
//   - The start-up jobs' advisory lock and statement timeout are a
//     session's: Setup takes them on a connection of Config.DirectURL.

// pooledConnector opens lib/pq connections for a transaction pooler.
type pooledConnector struct {
	base driver.Connector
}

// Connect opens a lib/pq connection that prepares nothing.
func (c pooledConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	// a preparingConn with no room for statements runs each as lib/pq does
	return pooledConn{&preparingConn{Conn: conn, prepared: map[string]driver.Stmt{}}}, nil
}

// Driver is lib/pq's driver.
func (c pooledConnector) Driver() driver.Driver { return c.base.Driver() }

// pooledConn is a lib/pq connection with binary_parameters whose JSON
// parameters go as text.
type pooledConn struct {
	*preparingConn
}

// CheckNamedValue sends a json.RawMessage as text, so that a jsonb column
// parses it, and converts the others as lib/pq does.
func (c pooledConn) CheckNamedValue(nv *driver.NamedValue) error {
	if j, ok := nv.Value.(json.RawMessage); ok {
		if j == nil {
			nv.Value = nil
		} else {
			nv.Value = string(j)
		}
		return nil
	}
	return c.preparingConn.CheckNamedValue(nv)
}
