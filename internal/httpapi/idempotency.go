package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/idempotencyrecord"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/outage"
	"github.com/bri-tracker/bri-tracker/internal/replicas"
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
// (5xx, timeouts, outages) are not stored.
//
// A mutation's response is stored in the mutation's own transaction (see
// gqlext.WithBeforeCommit), so a write never commits without it: when the
// connection breaks during COMMIT, or the process dies right after it, a
// retry replays the committed answer instead of writing twice.
//
// A run holds the key for a lease of lease (the request timeout and a
// margin). A run that ends without storing a response releases its lease at
// once; one whose server crashed cannot, and its lease expires. A retry that
// finds an expired lease and no response takes the key over and runs the
// request: the first run did not commit (it would have stored its
// response), and can no longer (storing requires the attempt it started
// with, which the take-over changed).
func idempotency(client *ent.Client, set *replicas.Set, log *slog.Logger, lease time.Duration, byAddress func(*http.Request) string, next http.Handler) http.Handler {
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
	// run serves the request as the given attempt of the record.
	run := func(ctx context.Context, w http.ResponseWriter, r *http.Request, id, attempt int) {
		stored := false
		mediaType := responseMediaType(r.Header.Get("Accept"))
		ctx = gqlext.WithBeforeCommit(ctx, func(ctx context.Context, tx *ent.Tx, rsp *graphql.Response) error {
			var body bytes.Buffer
			writeResponse(&body, rsp)
			n, err := tx.IdempotencyRecord.Update().
				Where(idempotencyrecord.ID(id), idempotencyrecord.Attempt(attempt), idempotencyrecord.StatusIsNil()).
				SetStatus(http.StatusOK).SetResponse(body.Bytes()).SetContentType(mediaType).
				Save(privacy.DecisionContext(ctx, privacy.Allow))
			if err != nil {
				return err
			}
			if n != 1 {
				return apperr.Conflicting("", "a later retry with this Idempotency-Key took the request over: send it again to get that run's answer")
			}
			stored = true
			return nil
		})
		held := newHeld()
		next.ServeHTTP(held, r.WithContext(ctx))
		// mine updates the record unless another attempt took it over or a
		// response is stored
		mine := func() *ent.IdempotencyRecordUpdate {
			return client.IdempotencyRecord.Update().
				Where(idempotencyrecord.ID(id), idempotencyrecord.Attempt(attempt), idempotencyrecord.StatusIsNil())
		}
		bg := context.WithoutCancel(ctx)
		switch {
		case held.status >= 500 || failedTransiently(held.body.Bytes()):
			// Let a retry run it again at once. Safe even when the commit's
			// outcome is unknown: a committed run stored its response, and
			// the update waits for its transaction to end. If the database is
			// away, the lease expires by itself.
			if _, err := mine().SetLeaseExpiresAt(time.Now()).Save(bg); err != nil {
				go release(bg, log, mine, time.Now().Add(lease))
			}
		case stored: // with the write, in its transaction
		default:
			_, err := mine().SetStatus(held.status).
				SetResponse(held.body.Bytes()).
				SetContentType(held.header.Get("Content-Type")).
				Save(bg)
			if err != nil {
				log.ErrorContext(ctx, "storing idempotent response", "error", err)
			}
		}
		held.send(w)
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

		rec, err := client.IdempotencyRecord.Create().
			SetScope(scope).SetKey(key).SetRequestHash(hash).
			SetLeaseExpiresAt(time.Now().Add(lease)).
			Save(ctx)
		switch {
		case err == nil:
			run(ctx, w, r, rec.ID, rec.Attempt)
		case ent.IsConstraintError(err):
			if id, attempt, ok := seen(ctx, w, client, set, lease, scope, key, hash); ok {
				run(ctx, w, r, id, attempt)
			}
		case outage.Is(err):
			writeUnavailable(w)
		default:
			log.ErrorContext(ctx, "storing idempotency key", "error", err)
			writeError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "internal server error")
		}
	})
}

// release keeps trying to release a run's lease while the database is
// away, until the lease would expire anyway, so that a client retrying once
// the database is back does not wait out the lease.
func release(ctx context.Context, log *slog.Logger, mine func() *ent.IdempotencyRecordUpdate, until time.Time) {
	for time.Now().Before(until) {
		time.Sleep(200 * time.Millisecond)
		if _, err := mine().SetLeaseExpiresAt(time.Now()).Save(ctx); err == nil {
			return
		} else if !outage.Is(err) {
			log.WarnContext(ctx, "releasing idempotency key", "error", err)
			return
		}
	}
}

// seen answers a request whose key was seen before: it replays the stored
// response, refuses the key's reuse for another body, answers 409 while
// another run holds the key, or takes an expired lease over, in which case
// it reports the record and the attempt to run as.
func seen(ctx context.Context, w http.ResponseWriter, client *ent.Client, set *replicas.Set, lease time.Duration, scope, key, hash string) (int, int, bool) {
	rec, err := client.IdempotencyRecord.Query().
		Where(idempotencyrecord.Scope(scope), idempotencyrecord.Key(key)).
		Only(ctx)
	if err == nil && rec.RequestHash == hash && rec.Status == nil && !time.Now().Before(leaseEnd(rec, lease)) {
		n, uerr := client.IdempotencyRecord.Update().
			Where(idempotencyrecord.ID(rec.ID), idempotencyrecord.Attempt(rec.Attempt), idempotencyrecord.StatusIsNil()).
			SetAttempt(rec.Attempt + 1).SetLeaseExpiresAt(time.Now().Add(lease)).
			Save(ctx)
		if uerr == nil && n == 1 {
			return rec.ID, rec.Attempt + 1, true
		}
		// another retry took it over, or the run stored its answer: read again
		rec, err = client.IdempotencyRecord.Query().
			Where(idempotencyrecord.Scope(scope), idempotencyrecord.Key(key)).
			Only(ctx)
	}
	switch {
	case outage.Is(err):
		writeUnavailable(w)
	case err != nil:
		// deleted between our insert and this read: the first attempt failed
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusConflict, "IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is being processed: retry shortly")
	case rec.RequestHash != hash:
		writeError(w, http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was already used for a different request: use a new key for a new request")
	case rec.Status == nil:
		wait := max(1, int(math.Ceil(time.Until(leaseEnd(rec, lease)).Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		writeError(w, http.StatusConflict, "IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is being processed: retry shortly")
	default:
		w.Header().Set("Content-Type", rec.ContentType)
		w.Header().Set("Idempotent-Replayed", "true")
		if set != nil {
			// The stored answer was made before its commit, so without the
			// token; the primary's position now is past that commit and
			// serves as well: the client reads its write next.
			if lsn, err := set.PrimaryLSN(ctx); err == nil {
				w.Header().Set(ConsistencyHeader, lsn.String())
			}
		}
		w.WriteHeader(*rec.Status)
		_, _ = w.Write(*rec.Response)
	}
	return 0, 0, false
}

// leaseEnd is when a record's running attempt stops holding the key
// (records stored before leases existed: their start and one lease).
func leaseEnd(rec *ent.IdempotencyRecord, lease time.Duration) time.Time {
	if rec.LeaseExpiresAt != nil {
		return *rec.LeaseExpiresAt
	}
	return rec.CreatedAt.Add(lease)
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
		case e.Extensions.Retryable, e.Extensions.Code == "INTERNAL_SERVER_ERROR", e.Extensions.Code == "REQUEST_TIMEOUT", e.Extensions.Code == outage.Code:
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

// idempotencyLeaseMargin is added to the request timeout for a run's lease:
// time for a run cut at its deadline to roll back and release the key.
const idempotencyLeaseMargin = 5 * time.Second
