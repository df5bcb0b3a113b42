package httpapi

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/txretry"
)

// retryConflicts runs a request again when its transaction failed on a
// serialization failure or deadlock (see internal/txretry), up to attempts
// times in all, after a short random pause. The request rolled back, so
// running it again is safe; the client sees only the last answer.
func retryConflicts(next http.Handler, attempts int) http.Handler {
	if attempts < 2 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body) // already read into memory by limitBody
		for attempt := 1; ; attempt++ {
			ctx, retryable := txretry.Track(r.Context())
			held := newHeld()
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(held, r.WithContext(ctx))
			if !retryable() || attempt == attempts || r.Context().Err() != nil {
				held.send(w)
				return
			}
			pause := time.Duration(5+rand.IntN(20*attempt)) * time.Millisecond
			select {
			case <-time.After(pause):
			case <-r.Context().Done():
				held.send(w)
				return
			}
		}
	})
}
