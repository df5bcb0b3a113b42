package httpapi

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
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
