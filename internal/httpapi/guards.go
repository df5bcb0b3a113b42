package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
	"github.com/bri-tracker/bri-tracker/internal/ratelimit"
)

// writeError answers with a GraphQL-shaped error and an HTTP status.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message":    msg,
		"extensions": map[string]any{"code": code},
	}}})
}

// limitBody reads the body, up to n bytes, before the GraphQL transport
// sees it: a larger body is refused with 413 and never parsed.
func limitBody(next http.Handler, n int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			writeError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "the request body is larger than "+strconv.FormatInt(n, 10)+" bytes")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, n))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "the request body is larger than "+strconv.FormatInt(n, 10)+" bytes")
				return
			}
			writeError(w, http.StatusBadRequest, "BAD_REQUEST", "the request body could not be read")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// withTimeout bounds the time a request may take: its database work is
// cancelled at the deadline.
func withTimeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// byAddress keys the rate limit by the client's address.
func byAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return "addr:" + r.RemoteAddr
	}
	return "addr:" + host
}

// byKey keys the rate limit by API key; requests without one are limited
// by address alone.
func byKey(r *http.Request) string {
	if a := auth.FromContext(r.Context()); a != nil && a.KeyID != 0 {
		return "key:" + globalid.Encode(a.KeyID)
	}
	return ""
}

// rateLimit refuses requests over the limit with 429 and Retry-After.
func rateLimit(next http.Handler, l *ratelimit.Limiter, key func(*http.Request) string) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k := key(r); k != "" {
			if ok, wait := l.Allow(k); !ok {
				secs := int(math.Ceil(wait.Seconds()))
				w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
				writeError(w, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests: retry after "+strconv.Itoa(max(secs, 1))+" s")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
