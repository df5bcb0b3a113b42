// Package txretry marks requests whose transaction failed for a reason that
// a new attempt may not meet: a PostgreSQL serialization failure (SQLSTATE
// 40001) or deadlock (40P01), or a busy SQLite database. The HTTP layer
// runs such a request again, a bounded number of times.
package txretry

import (
	"context"
	"errors"
	"strings"

	"github.com/bri-tracker/bri-tracker/internal/ctxflag"
)

var flag ctxflag.Flag

// Track returns a context in which Note records a retryable failure, and a
// function that reports whether one was recorded.
func Track(ctx context.Context) (context.Context, func() bool) { return flag.Track(ctx) }

// Note records that err, met while serving ctx's request, is retryable; it
// reports whether it is.
func Note(ctx context.Context, err error) bool {
	if !Retryable(err) {
		return false
	}
	flag.Set(ctx)
	return true
}

// Retryable reports whether err is a serialization failure, a deadlock or a
// busy database.
func Retryable(err error) bool {
	var state interface{ SQLState() string }
	if errors.As(err, &state) {
		switch state.SQLState() {
		case "40001", "40P01":
			return true
		}
	}
	return err != nil && (strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked"))
}
