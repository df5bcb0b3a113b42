package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/ent/webhookdelivery"
	"github.com/bri-tracker/bri-tracker/internal/audit"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
	"github.com/bri-tracker/bri-tracker/internal/pagination"
)

// Config are the workers' settings (the server's --webhook-* flags).
type Config struct {
	// Workers is how many deliveries a process sends at once.
	Workers int
	// Timeout is how long an attempt may take, connection included.
	Timeout time.Duration
	// RetryBase is the wait after the first failed attempt; each further
	// failure doubles it, up to RetryMax.
	RetryBase, RetryMax time.Duration
	// MaxAttempts is how many attempts are made before a delivery FAILS.
	MaxAttempts int
	// Poll is how often the workers look for due deliveries; a commit in
	// this process wakes them at once.
	Poll time.Duration
	// AllowPrivate lets webhooks reach loopback, private and link-local
	// addresses (for tests and closed networks).
	AllowPrivate bool
	// Retention is how long a DELIVERED or FAILED delivery is kept (from
	// its creation); 0 keeps them all.
	Retention time.Duration
}

// Defaults are the settings the server starts with.
var Defaults = Config{
	Workers:     4,
	Timeout:     10 * time.Second,
	RetryBase:   30 * time.Second,
	RetryMax:    6 * time.Hour,
	MaxAttempts: 15,
	Poll:        time.Second,
	Retention:   30 * 24 * time.Hour,
}

// pruneEvery is how often each process deletes the deliveries past their
// retention.
const pruneEvery = time.Hour

// leaseFor is how long a claim holds a delivery: its attempt's timeout and
// as long again (at least 5 s) for loading and recording it. A delivery
// leased by a process that died is claimed again when the lease ends.
func leaseFor(timeout time.Duration) time.Duration { return timeout + max(timeout, 5*time.Second) }

// maxKept is how many attempts a delivery keeps (the latest).
const maxKept = 20

// Backoff is the wait after the n-th failed attempt (n ≥ 1): base·2^(n−1),
// at most max, plus up to a tenth at random so that a receiver that comes
// back is not hit by every delivery at once.
func Backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d + rand.N(d/10+1)
}

// Worker sends the deliveries of one process.
type Worker struct {
	client  *ent.Client
	drv     dialect.Driver
	dialect string
	cfg     Config
	http    *http.Client
	wake    func() <-chan struct{}
	log     *slog.Logger

	delivered, failed, attempted atomic.Int64
}

// NewWorker returns the workers of a process over client, whose driver is
// drv (claims are written in SQL). wake, when set, gives a channel closed
// at the process's next commit of audit events.
func NewWorker(client *ent.Client, drv dialect.Driver, cfg Config, wake func() <-chan struct{}, log *slog.Logger) *Worker {
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.Poll <= 0 {
		cfg.Poll = Defaults.Poll
	}
	if wake == nil {
		wake = func() <-chan struct{} { return nil }
	}
	return &Worker{client: client, drv: drv, dialect: drv.Dialect(), cfg: cfg, http: NewHTTPClient(cfg.Timeout, cfg.AllowPrivate), wake: wake, log: log}
}

// Stats are counts since the process started.
type Stats struct{ Attempts, Delivered, Failed int64 }

// Stats returns the process's counts.
func (w *Worker) Stats() Stats {
	return Stats{Attempts: w.attempted.Load(), Delivered: w.delivered.Load(), Failed: w.failed.Load()}
}

// Run sends due deliveries until ctx ends, then waits for the attempts
// under way (each ends within Timeout).
func (w *Worker) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	free := make(chan struct{}, w.cfg.Workers)
	for range w.cfg.Workers {
		free <- struct{}{}
	}
	done := make(chan struct{}, w.cfg.Workers)
	failing := false
	nextPrune := time.Now()
	for {
		if w.cfg.Retention > 0 && !time.Now().Before(nextPrune) {
			nextPrune = time.Now().Add(pruneEvery)
			if n, err := w.Prune(ctx); err != nil && ctx.Err() == nil {
				w.log.Error("webhooks: delete the deliveries past their retention", "err", err)
			} else if n > 0 {
				w.log.Info("webhooks: deleted the deliveries past their retention", "deleted", n, "retention", w.cfg.Retention)
			}
		}
		wake := w.wake()
		n := len(free)
		if n > 0 {
			claimed, lease, err := w.claim(ctx, n)
			switch {
			case err != nil && ctx.Err() == nil && !failing:
				failing = true // logged once, until claims succeed again
				w.log.Error("webhooks: cannot claim deliveries; retrying each poll", "err", err)
			case err == nil && failing:
				failing = false
				w.log.Info("webhooks: claiming deliveries again")
			}
			for _, d := range claimed {
				<-free
				wg.Add(1)
				go func() {
					defer wg.Done()
					w.deliver(context.WithoutCancel(ctx), d, lease)
					free <- struct{}{}
					select {
					case done <- struct{}{}:
					default:
					}
				}()
			}
			if len(claimed) == n {
				// perhaps more are due: look again once one is sent
				select {
				case <-ctx.Done():
					return
				case <-done:
				}
				continue
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-done:
		case <-time.After(w.cfg.Poll):
		}
	}
}

// Prune deletes the DELIVERED and FAILED deliveries created longer than
// Retention ago, and returns how many.
func (w *Worker) Prune(ctx context.Context) (int, error) {
	if w.cfg.Retention <= 0 {
		return 0, nil
	}
	return w.client.WebhookDelivery.Delete().
		Where(webhookdelivery.StatusNEQ(webhookdelivery.StatusPENDING), webhookdelivery.CreatedAtLT(time.Now().UTC().Add(-w.cfg.Retention))).
		Exec(privacy.DecisionContext(ctx, privacy.Allow))
}

// The claim: lease up to n due deliveries of active webhooks, the longest
// due first, by setting their leased_until (and next_attempt_at) past the
// attempt's timeout; recording the attempt clears it. On PostgreSQL FOR
// UPDATE SKIP LOCKED lets processes claim at once without waiting for or
// taking each other's; SQLite has one writer at a time, so the statement
// alone claims.
const (
	claimPostgres = `UPDATE webhook_deliveries SET next_attempt_at = $1, leased_until = $1
WHERE id IN (SELECT d.id FROM webhook_deliveries AS d JOIN webhooks AS w ON w.id = d.webhook_id
  WHERE d.status = 'PENDING' AND d.next_attempt_at <= $2 AND w.active
  ORDER BY d.next_attempt_at, d.id LIMIT $3 FOR UPDATE OF d SKIP LOCKED)
RETURNING id`
	claimSQLite = `UPDATE webhook_deliveries SET next_attempt_at = ?1, leased_until = ?1
WHERE id IN (SELECT d.id FROM webhook_deliveries AS d JOIN webhooks AS w ON w.id = d.webhook_id
  WHERE d.status = 'PENDING' AND d.next_attempt_at <= ?2 AND w.active
  ORDER BY d.next_attempt_at, d.id LIMIT ?3)
RETURNING id`
)

// claim leases up to n due deliveries and loads them with their webhooks
// and audit events (three statements for the batch); it returns them and
// their lease.
func (w *Worker) claim(ctx context.Context, n int) ([]*ent.WebhookDelivery, time.Time, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	lease := now.Add(leaseFor(w.cfg.Timeout))
	q := claimPostgres
	if w.dialect != dialect.Postgres {
		q = claimSQLite
	}
	var rows entsql.Rows
	if err := w.drv.Query(ctx, q, []any{lease, now, n}, &rows); err != nil {
		return nil, lease, err
	}
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, lease, err
		}
		ids = append(ids, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil || len(ids) == 0 {
		return nil, lease, err
	}
	// a webhook deleted meanwhile takes its deliveries: those are not found
	out, err := w.client.WebhookDelivery.Query().
		Where(webhookdelivery.IDIn(ids...)).
		WithWebhook().WithAuditEvent().
		Order(ent.Asc(webhookdelivery.FieldID)).
		All(privacy.DecisionContext(ctx, privacy.Allow))
	return out, lease, err
}

// deliver makes one attempt at a claimed delivery and records it, if the
// lease is still this process's.
func (w *Worker) deliver(ctx context.Context, d *ent.WebhookDelivery, lease time.Time) {
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	body, err := Payload(d)
	if err != nil {
		w.log.Error("webhooks: build a delivery", "delivery", globalid.Encode(d.ID), "err", err)
		return
	}
	attempt := w.send(ctx, d, body)
	w.attempted.Add(1)
	n := d.AttemptCount + 1
	attempts := append(d.Attempts, attempt)
	if len(attempts) > maxKept {
		attempts = attempts[len(attempts)-maxKept:]
	}
	upd := w.client.WebhookDelivery.Update().
		Where(webhookdelivery.ID(d.ID), webhookdelivery.StatusEQ(webhookdelivery.StatusPENDING), webhookdelivery.LeasedUntil(lease)).
		ClearLeasedUntil().
		SetAttemptCount(n).
		SetAttempts(attempts)
	switch {
	case attempt.Error == nil:
		w.delivered.Add(1)
		upd.SetStatus(webhookdelivery.StatusDELIVERED).SetDeliveredAt(attempt.At).ClearNextAttemptAt()
	case n >= w.cfg.MaxAttempts:
		w.failed.Add(1)
		upd.SetStatus(webhookdelivery.StatusFAILED).ClearNextAttemptAt()
		w.log.Warn("webhooks: a delivery failed for good", "delivery", globalid.Encode(d.ID), "webhook", globalid.Encode(d.WebhookID), "attempts", n, "last_error", *attempt.Error)
	default:
		upd.SetNextAttemptAt(time.Now().UTC().Add(Backoff(n, w.cfg.RetryBase, w.cfg.RetryMax)))
	}
	changed, err := upd.Save(sys)
	switch {
	case err != nil:
		w.log.Error("webhooks: record an attempt", "delivery", globalid.Encode(d.ID), "err", err)
	case changed == 0:
		// the lease ran out and another process took the delivery over, or
		// it was redelivered or deleted meanwhile: theirs is the record
		w.log.Warn("webhooks: an attempt outlived its lease; not recorded", "delivery", globalid.Encode(d.ID))
	}
}

// send POSTs body to the delivery's webhook, signed, and says how it went.
func (w *Worker) send(ctx context.Context, d *ent.WebhookDelivery, body []byte) audit.DeliveryAttempt {
	start := time.Now()
	a := audit.DeliveryAttempt{At: start.UTC()}
	finish := func(msg string) audit.DeliveryAttempt {
		if msg != "" {
			a.Error = &msg
		}
		a.DurationMs = time.Since(start).Milliseconds()
		return a
	}
	id := globalid.Encode(d.ID)
	ts := start.Unix()
	hook := d.Edges.Webhook
	sig, err := Sign(hook.Secret, id, ts, body)
	if err != nil {
		return finish("the webhook's secret is unusable")
	}
	if hook.PreviousSecretExpiresAt != nil && start.Before(*hook.PreviousSecretExpiresAt) && hook.PreviousSecret != "" {
		// rotated: signed under the old secret too, until it expires
		if old, err := Sign(hook.PreviousSecret, id, ts, body); err == nil {
			sig += " " + old
		}
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return finish("the URL is unusable")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "bri-tracker-webhooks/1")
	req.Header.Set(HeaderID, id)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, sig)
	resp, err := w.http.Do(req)
	if err != nil {
		return finish(describe(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	code := resp.StatusCode
	a.StatusCode = &code
	switch {
	case code >= 200 && code < 300:
		return finish("")
	case code >= 300 && code < 400:
		return finish(fmt.Sprintf("HTTP %d: redirects are not followed (Location: %s)", code, resp.Header.Get("Location")))
	}
	return finish(fmt.Sprintf("HTTP %d", code))
}

// describe says why a request failed, without the Go error's internals.
func describe(err error) string {
	var ne net.Error
	var op *net.OpError
	var refused *refusedError
	switch {
	case errors.As(err, &refused):
		return "the address is not public: " + refused.reason + " (not sent)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer within the timeout"
	case errors.As(err, &op) && op.Op == "dial":
		var dns *net.DNSError
		if errors.As(err, &dns) {
			return "the host does not resolve"
		}
		return "connection refused or unreachable"
	}
	return "the request failed: " + strings.TrimPrefix(err.Error(), "Post ")
}

// Payload is the body of a delivery: the Standard Webhooks shape (type,
// timestamp, data), with the delivery's and the webhook's ids; data is the
// audit event as the API's AuditEvent type shows it, with its cursor.
func Payload(d *ent.WebhookDelivery) ([]byte, error) {
	e := d.Edges.AuditEvent
	if e == nil {
		return nil, errors.New("webhook: the delivery's audit event is not loaded")
	}
	var keyID *string
	if e.ActorKeyID != nil {
		s := globalid.Encode(*e.ActorKeyID)
		keyID = &s
	}
	changes := e.Changes
	if changes == nil {
		changes = []audit.Change{}
	}
	return json.Marshal(payload{
		ID:        globalid.Encode(d.ID),
		Type:      d.Event,
		Timestamp: e.At.UTC(),
		WebhookID: globalid.Encode(d.WebhookID),
		Data: eventData{
			ID:         globalid.Encode(e.ID),
			Cursor:     pagination.CursorString(entgql.Cursor[int]{ID: e.ID}),
			At:         e.At.UTC(),
			ActorName:  e.ActorName,
			ActorRole:  e.ActorRole.String(),
			ActorKeyID: keyID,
			Operation:  e.Operation.String(),
			EntityType: e.EntityType.String(),
			EntityID:   globalid.Encode(e.EntityID),
			Changes:    changes,
		},
	})
}

type payload struct {
	ID        string     `json:"id"`
	Type      audit.Kind `json:"type"`
	Timestamp time.Time  `json:"timestamp"`
	WebhookID string     `json:"webhookID"`
	Data      eventData  `json:"data"`
}

type eventData struct {
	ID         string         `json:"id"`
	Cursor     string         `json:"cursor"`
	At         time.Time      `json:"at"`
	ActorName  string         `json:"actorName"`
	ActorRole  string         `json:"actorRole"`
	ActorKeyID *string        `json:"actorKeyID"`
	Operation  string         `json:"operation"`
	EntityType string         `json:"entityType"`
	EntityID   string         `json:"entityID"`
	Changes    []audit.Change `json:"changes"`
}
