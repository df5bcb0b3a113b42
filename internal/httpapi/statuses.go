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
		next.ServeHTTP(&headerHook{ResponseWriter: w, hook: func(h http.Header, status int) int {
			if seen() && status < 500 {
				h.Set("Retry-After", strconv.Itoa(outage.RetryAfter))
				return http.StatusServiceUnavailable
			}
			return status
		}}, r.WithContext(ctx))
	})
}

// headerHook lets a layer adjust the status and the headers of a response
// once, as they are sent: hook gets the headers and the status and returns
// the status to send.
type headerHook struct {
	http.ResponseWriter
	hook  func(h http.Header, status int) int
	wrote bool
}

func (w *headerHook) WriteHeader(status int) {
	if w.wrote {
		return
	}
	w.wrote = true
	w.ResponseWriter.WriteHeader(w.hook(w.Header(), status))
}

func (w *headerHook) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Flush passes a streamed response's chunks on.
func (w *headerHook) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath (a WebSocket
// upgrade hijacks the connection).
func (w *headerHook) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writeUnavailable answers 503 SERVICE_UNAVAILABLE with Retry-After, for a
// database outage met before GraphQL runs.
func writeUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(outage.RetryAfter))
	writeError(w, http.StatusServiceUnavailable, outage.Code, "the database is unavailable: retry in "+strconv.Itoa(outage.RetryAfter)+" s")
}
