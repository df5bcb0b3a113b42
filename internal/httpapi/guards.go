package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/ratelimit"
	"github.com/bri-tracker/bri-tracker/internal/sharedstate"
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
// cancelled at the deadline (a mutation's transaction rolls back), and the
// client gets 503 with REQUEST_TIMEOUT rather than a partial answer. The
// answer is held until the handler returns so that it can be replaced;
// a mutation that committed before the deadline passed keeps its answer,
// however late it is: the write happened, and the client must know it.
func withTimeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		ctx, committed := gqlext.TrackCommit(ctx)
		held := newHeld()
		next.ServeHTTP(held, r.WithContext(ctx))
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && !committed() {
			writeError(w, http.StatusServiceUnavailable, "REQUEST_TIMEOUT", "the request took too long and was stopped")
			return
		}
		held.send(w)
	})
}

// heldResponse keeps a response until it is sent, replaced or dropped.
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newHeld() *heldResponse {
	return &heldResponse{header: http.Header{}, status: http.StatusOK}
}

// send writes the held response to w. When w holds responses too (the
// guards nest), the body moves over rather than being copied; h is not
// used again.
func (h *heldResponse) send(w http.ResponseWriter) {
	if outer, ok := w.(*heldResponse); ok && outer.body.Len() == 0 {
		for k, v := range h.header {
			outer.header[k] = v
		}
		outer.status = h.status
		outer.body = h.body
		h.body = bytes.Buffer{}
		return
	}
	for k, v := range h.header {
		w.Header()[k] = v
	}
	// The whole body is here: its length goes first, so that it is sent
	// as is rather than in chunks (which took one more write to the
	// connection, for the last chunk).
	if bodyAllowed(h.status) {
		w.Header().Set("Content-Length", strconv.Itoa(h.body.Len()))
	}
	w.WriteHeader(h.status)
	_, _ = w.Write(h.body.Bytes())
}

// bodyAllowed reports whether a response with status may have a body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

func (h *heldResponse) Header() http.Header         { return h.header }
func (h *heldResponse) Write(b []byte) (int, error) { return h.body.Write(b) }
func (h *heldResponse) WriteHeader(status int)      { h.status = status }

// byAddress keys the rate limit by the client's address.
func byAddress(c ClientAddress) func(*http.Request) string {
	return func(r *http.Request) string { return "addr:" + c.Of(r) }
}

// byKey keys the rate limit by API key; requests without one are limited
// by address alone.
func byKey(r *http.Request) string {
	if a := auth.FromContext(r.Context()); a != nil && a.KeyID != 0 {
		return "key:" + globalid.Encode(a.KeyID)
	}
	return ""
}

// limiter is a rate limit: the process's own (ratelimit.Limiter) or one
// shared through Redis (sharedstate.Limiter).
type limiter interface {
	Allow(ctx context.Context, key string) (bool, time.Duration)
}

// localLimiter adapts the process's own limiter.
type localLimiter struct{ *ratelimit.Limiter }

func (l localLimiter) Allow(_ context.Context, key string) (bool, time.Duration) {
	return l.Limiter.Allow(key)
}

// newLimiter is the limit of rate requests a second (bursts of twice that)
// under name, shared through r when there is one; nil for no limit.
func newLimiter(r *sharedstate.Redis, name string, rate float64) limiter {
	if r != nil {
		if l := sharedstate.NewLimiter(r, name, rate, int(2*rate)); l != nil {
			return l
		}
		return nil
	}
	if l := ratelimit.New(rate, int(2*rate)); l != nil {
		return localLimiter{l}
	}
	return nil
}

// rateLimit refuses requests over the limit with 429 and Retry-After.
func rateLimit(next http.Handler, l limiter, key func(*http.Request) string) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k := key(r); k != "" {
			if ok, wait := l.Allow(r.Context(), k); !ok {
				secs := int(math.Ceil(wait.Seconds()))
				w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
				writeError(w, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests: retry after "+strconv.Itoa(max(secs, 1))+" s")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// methodAndMediaType admits what the GraphQL endpoint accepts, so that a
// browser cannot send a write cross-site without a preflight: queries by GET,
// anything by POST with a JSON body. Mutations by GET get 405; other bodies
// get 415.
func methodAndMediaType(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "send GraphQL requests as Content-Type: application/json")
				return
			}
		case http.MethodGet:
			q, err := url.ParseQuery(r.URL.RawQuery)
			if err != nil {
				writeError(w, http.StatusBadRequest, CodeBadRequest, "the URL's query string is malformed (a bad %-escape or a semicolon)")
				return
			}
			for _, p := range []string{"variables", "extensions"} {
				if v := q.Get(p); v != "" && !isJSONObject(v) {
					writeError(w, http.StatusBadRequest, CodeBadRequest, "the "+p+" parameter must be a JSON object")
					return
				}
			}
			if op := getOperation(q); op != "" && op != ast.Query {
				w.Header().Set("Allow", "POST")
				writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "a "+string(op)+" must be sent by POST")
				return
			}
		case http.MethodOptions:
		default:
			w.Header().Set("Allow", "GET, POST")
			writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use GET for queries and POST for everything")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isJSONObject reports whether s is one JSON object (or null).
func isJSONObject(s string) bool {
	var v map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(s))
	return dec.Decode(&v) == nil && !dec.More()
}

// getOperation is the type of the operation a GET request selects, or ""
// when the document does not parse (the GraphQL transport reports that).
func getOperation(q url.Values) ast.Operation {
	doc, err := parser.ParseQuery(&ast.Source{Input: q.Get("query")})
	if err != nil {
		return ""
	}
	name := q.Get("operationName")
	if op := doc.Operations.ForName(name); op != nil {
		return op.Operation
	}
	if name == "" && len(doc.Operations) > 0 {
		return doc.Operations[0].Operation
	}
	return ""
}
