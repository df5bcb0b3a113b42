package httpapi

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"

	"github.com/bri-tracker/bri-tracker/internal/outage"
)

// specStatuses adjusts gqlgen's answers to what GraphQL over HTTP
// recommends: with application/json, a request error (the document does
// not parse or validate, variables do not coerce, a limit refuses it) is
// answered 200, not 422; with application/graphql-response+json, a 4xx
// answer carries no data entry.
func specStatuses(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		held := newHeld()
		next.ServeHTTP(held, r)
		mt, _, _ := mime.ParseMediaType(held.header.Get("Content-Type"))
		switch {
		case mt == "application/json" && held.status == http.StatusUnprocessableEntity:
			held.status = http.StatusOK
		case mt == "application/graphql-response+json" && held.status >= 400 && held.status < 500:
			var body map[string]json.RawMessage
			if err := json.Unmarshal(held.body.Bytes(), &body); err == nil {
				if _, ok := body["data"]; ok {
					delete(body, "data")
					if b, err := json.Marshal(body); err == nil {
						held.body = *bytes.NewBuffer(b)
						held.header.Del("Content-Length")
					}
				}
			}
		}
		held.send(w)
	})
}

// outages answers HTTP 503 with Retry-After when the database could not
// serve the request (see internal/outage): whatever the response's media
// type, since the request did not fail for anything the client sent. The
// GraphQL errors say SERVICE_UNAVAILABLE.
func outages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, seen := outage.Track(r.Context())
		next.ServeHTTP(&outageWriter{ResponseWriter: w, seen: seen}, r.WithContext(ctx))
	})
}

type outageWriter struct {
	http.ResponseWriter
	seen  func() bool
	wrote bool
}

func (o *outageWriter) WriteHeader(status int) {
	if o.wrote {
		return
	}
	o.wrote = true
	if o.seen() && status < 500 {
		status = http.StatusServiceUnavailable
		o.Header().Set("Retry-After", strconv.Itoa(outage.RetryAfter))
	}
	o.ResponseWriter.WriteHeader(status)
}

func (o *outageWriter) Write(b []byte) (int, error) {
	if !o.wrote {
		o.WriteHeader(http.StatusOK)
	}
	return o.ResponseWriter.Write(b)
}

// Flush passes a streamed response's chunks on.
func (o *outageWriter) Flush() {
	if f, ok := o.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// writeUnavailable answers 503 SERVICE_UNAVAILABLE with Retry-After, for a
// database outage met before GraphQL runs.
func writeUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(outage.RetryAfter))
	writeError(w, http.StatusServiceUnavailable, outage.Code, "the database is unavailable: retry in "+strconv.Itoa(outage.RetryAfter)+" s")
}

// Unwrap gives http.ResponseController the writer underneath (a WebSocket
// upgrade hijacks the connection).
func (o *outageWriter) Unwrap() http.ResponseWriter { return o.ResponseWriter }
