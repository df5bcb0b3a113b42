// Package requestid gives every HTTP request an id, returned in the
// X-Request-ID header and carried in the context for logs and errors.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
)

// Header is the response (and accepted request) header.
const Header = "X-Request-ID"

type ctxKey struct{}

// acceptable limits the ids taken from clients to short, plain tokens.
var acceptable = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// From returns the request id in ctx, or "" outside a request.
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// New returns a fresh random id.
func New() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Middleware assigns the id: the client's X-Request-ID when it is a plain
// token, else a new one.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !acceptable.MatchString(id) {
			id = New()
		}
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}
