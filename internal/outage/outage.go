// Package outage recognises the errors that mean the database cannot be
// reached right now (it is stopped, restarting, or the network to it is
// cut), as opposed to errors of the request or of the server. Such a
// request answers SERVICE_UNAVAILABLE with HTTP 503 and Retry-After: the
// client may send it again once the database is back, which the server
// notices by itself (database/sql drops the broken connections and dials
// new ones).
package outage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/bri-tracker/bri-tracker/internal/ctxflag"
)

// Code is the extensions.code of a request the database could not serve.
const Code = "SERVICE_UNAVAILABLE"

// RetryAfter is the Retry-After, in seconds, sent with Code.
const RetryAfter = 1

// Is reports whether err means the database is unreachable or not
// accepting work: a refused, reset or dropped connection, a connection
// database/sql or the driver gave up as broken, or PostgreSQL's own
// connection-exception (class 08), shutdown and start-up errors (57P01
// admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now) and
// too_many_connections (53300).
func Is(err error) bool {
	if err == nil {
		return false
	}
	var state interface{ SQLState() string }
	if errors.As(err, &state) {
		s := state.SQLState()
		return strings.HasPrefix(s, "08") || s == "57P01" || s == "57P02" || s == "57P03" || s == "53300"
	}
	var netErr net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.As(err, &netErr):
		return true
	}
	return false
}

var flag ctxflag.Flag

// Track returns a context in which Note records an outage, and a function that
// reports whether one was recorded.
func Track(ctx context.Context) (context.Context, func() bool) { return flag.Track(ctx) }

// Note records that err, met while serving ctx's request, is an outage; it
// reports whether it is.
func Note(ctx context.Context, err error) bool {
	if !Is(err) {
		return false
	}
	flag.Set(ctx)
	return true
}
