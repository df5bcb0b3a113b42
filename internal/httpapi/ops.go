package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/bri-tracker/bri-tracker/internal/replicas"
	"github.com/bri-tracker/bri-tracker/internal/sharedstate"
)

// healthz answers 200 while the process serves.
func healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
}

// readyz answers 200 when the database answers, 503 otherwise, and 503 at
// once when draining says the server is shutting down. Its body lists each
// replica's state and lag.
func readyz(drv dialect.Driver, draining *atomic.Bool, set *replicas.Set, rdb *sharedstate.Redis) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if draining != nil && draining.Load() {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("shutting down\n"))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		rows := &entsql.Rows{}
		err := drv.Query(ctx, "SELECT 1", []any{}, rows)
		if err == nil {
			err = rows.Close()
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		// Replicas only share the reads: the server is ready while the
		// primary answers, whatever their state.
		var b strings.Builder
		b.WriteString("ready\n")
		if set != nil {
			for _, rep := range set.Replicas() {
				st := rep.State()
				if st.Serving() {
					fmt.Fprintf(&b, "replica %s: serving reads, lag %s (%d bytes), replayed %s", rep.Name, st.Lag.Round(time.Millisecond), st.LagBytes, st.Replayed)
					if st.Paused {
						b.WriteString(", replay paused")
					}
				} else {
					fmt.Fprintf(&b, "replica %s: skipped, %s", rep.Name, st.Error)
				}
				b.WriteString("\n")
			}
		}
		// Nor does Redis: without it each process limits on its own.
		if rdb != nil {
			if st := rdb.State(); st.Up {
				fmt.Fprintf(&b, "redis %s: rate limits and persisted queries shared\n", rdb.Name())
			} else {
				fmt.Fprintf(&b, "redis %s: not answering, each process on its own state: %s\n", rdb.Name(), st.Error)
			}
		}
		_, _ = w.Write([]byte(b.String()))
	})
}

// schemaSDL serves the schema in the GraphQL schema language, for clients'
// code generators.
func schemaSDL(s *ast.Schema) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		formatter.NewFormatter(w, formatter.WithComments()).FormatSchema(s)
	})
}
