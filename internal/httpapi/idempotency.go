package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/idempotencyrecord"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
)

// IdempotencyHeader names the header that makes a request run once.
const IdempotencyHeader = "Idempotency-Key"

const (
	// idempotencyTTL is how long a key is remembered, at least.
	idempotencyTTL = 24 * time.Hour
	// idempotencySweep is how often records past twice the TTL are deleted.
	idempotencySweep = 10 * time.Minute
)

// idempotency runs a POST sent with an Idempotency-Key once: the response is
// stored, and a retry with the same key and the same body gets it back
// (with Idempotent-Replayed: true) without running again. The same key with
// another body is refused with 422; a retry while the first request still
// runs gets 409. Keys belong to the API key that sent them (or the client
// address without one). Responses to failures that a retry might not meet
// (5xx, timeouts) are not stored.
func idempotency(client *ent.Client, log *slog.Logger, next http.Handler) http.Handler {
	var (
		mu        sync.Mutex
		lastSweep time.Time
	)
	sweep := func(ctx context.Context) {
		mu.Lock()
		due := time.Since(lastSweep) > idempotencySweep
		if due {
			lastSweep = time.Now()
		}
		mu.Unlock()
		if due {
			_, err := client.IdempotencyRecord.Delete().
				Where(idempotencyrecord.CreatedAtLT(time.Now().Add(-2 * idempotencyTTL))).
				Exec(ctx)
			if err != nil {
				log.WarnContext(ctx, "sweeping idempotency records", "error", err)
			}
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(IdempotencyHeader)
		if key == "" || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 || !printable(key) {
			writeError(w, http.StatusBadRequest, "BAD_REQUEST", "Idempotency-Key must be 1 to 255 printable ASCII characters")
			return
		}
		ctx := privacy.DecisionContext(r.Context(), privacy.Allow) // the table is the server's own
		sweep(ctx)
		body, _ := io.ReadAll(r.Body) // already read into memory by limitBody
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		scope := byKey(r)
		if scope == "" {
			scope = byAddress(r)
		}

		rec, err := client.IdempotencyRecord.Create().SetScope(scope).SetKey(key).SetRequestHash(hash).Save(ctx)
		if ent.IsConstraintError(err) {
			replay(ctx, w, client, scope, key, hash)
			return
		}
		if err != nil {
			log.ErrorContext(ctx, "storing idempotency key", "error", err)
			writeError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "internal server error")
			return
		}

		held := newHeld()
		next.ServeHTTP(held, r)
		if held.status >= 500 || failedTransiently(held.body.Bytes()) {
			// let a retry run it again
			if err := client.IdempotencyRecord.DeleteOne(rec).Exec(context.WithoutCancel(ctx)); err != nil {
				log.ErrorContext(ctx, "releasing idempotency key", "error", err)
			}
		} else {
			err := client.IdempotencyRecord.UpdateOne(rec).
				SetStatus(held.status).
				SetResponse(held.body.Bytes()).
				SetContentType(held.header.Get("Content-Type")).
				Exec(context.WithoutCancel(ctx))
			if err != nil {
				log.ErrorContext(ctx, "storing idempotent response", "error", err)
			}
		}
		held.send(w)
	})
}

// replay answers a request whose key was seen before.
func replay(ctx context.Context, w http.ResponseWriter, client *ent.Client, scope, key, hash string) {
	rec, err := client.IdempotencyRecord.Query().
		Where(idempotencyrecord.Scope(scope), idempotencyrecord.Key(key)).
		Only(ctx)
	switch {
	case err != nil:
		// deleted between our insert and this read: the first attempt failed
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusConflict, "IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is being processed: retry shortly")
	case rec.RequestHash != hash:
		writeError(w, http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was already used for a different request: use a new key for a new request")
	case rec.Status == nil:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusConflict, "IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is being processed: retry shortly")
	default:
		w.Header().Set("Content-Type", rec.ContentType)
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(*rec.Status)
		_, _ = w.Write(*rec.Response)
	}
}

// failedTransiently reports whether a GraphQL response failed in a way a
// retry may not: timeouts, internal errors, write collisions.
func failedTransiently(body []byte) bool {
	var res struct {
		Errors []struct {
			Extensions struct {
				Code      string `json:"code"`
				Retryable bool   `json:"retryable"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &res) != nil {
		return false
	}
	for _, e := range res.Errors {
		switch {
		case e.Extensions.Retryable, e.Extensions.Code == "INTERNAL_SERVER_ERROR", e.Extensions.Code == "REQUEST_TIMEOUT":
			return true
		}
	}
	return false
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
