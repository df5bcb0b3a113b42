package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
)

// received is one request a test receiver got.
type received struct {
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is a webhook receiver that answers each request with the next
// of its statuses (the last one from then on) and records what it got.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []received
	statuses []int
	arrived  chan struct{}
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses, arrived: make(chan struct{}, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body, at: time.Now()})
		status := r.statuses[min(len(r.got), len(r.statuses))-1]
		r.mu.Unlock()
		w.WriteHeader(status)
		r.arrived <- struct{}{}
	}))
	t.Cleanup(r.Close)
	return r
}

// wait waits for the n-th request.
func (r *receiver) wait(t *testing.T, n int, d time.Duration) []received {
	t.Helper()
	deadline := time.After(d)
	for {
		r.mu.Lock()
		got := append([]received(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.arrived:
		case <-deadline:
			t.Fatalf("%d requests within %v, want %d", len(got), d, n)
		}
	}
}

// fastRetries are worker settings for tests: retries within a second.
func fastRetries() webhook.Config {
	return webhook.Config{Workers: 2, Timeout: 2 * time.Second, RetryBase: 100 * time.Millisecond, RetryMax: 400 * time.Millisecond,
		MaxAttempts: 4, Poll: 50 * time.Millisecond, AllowPrivate: true}
}

// startWorker runs a process's webhook workers over db until the test ends.
func startWorker(t *testing.T, db *apitest.DB, cfg webhook.Config) *webhook.Worker {
	w := webhook.NewWorker(db.Client, db.Counter, cfg, db.Committed.C, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

const createWebhook = `mutation($url: String!, $events: [WebhookEvent!]!, $where: AuditEventWhereInput) {
  createWebhook(url: $url, events: $events, where: $where, description: "test") { webhook { id partnerID active } secret }
}`

type created struct {
	CreateWebhook struct {
		Webhook struct {
			ID        string
			PartnerID *string
			Active    bool
		}
		Secret string
	}
}

const deliveriesQuery = `query($id: ID!) { webhookDeliveries(webhookID: $id) { totalCount edges { node {
  id event status attemptCount nextAttemptAt deliveredAt auditEvent { entityID operation }
  attempts { statusCode error durationMs }
} } } }`

type deliveries struct {
	WebhookDeliveries struct {
		TotalCount int
		Edges      []struct{ Node deliveryNode }
	}
}

// deliveryNode is a delivery as deliveriesQuery reads it.
type deliveryNode struct {
	ID, Event, Status string
	AttemptCount      int
	NextAttemptAt     *string
	DeliveredAt       *string
	AuditEvent        struct{ EntityID, Operation string }
	Attempts          []struct {
		StatusCode *int
		Error      *string
		DurationMs int
	}
}

// TestRetriedUntilAccepted: a receiver that fails twice and then succeeds
// gets the delivery three times, each signed validly with the webhook's
// secret and carrying the same delivery id; the delivery then shows
// DELIVERED with the three attempts' status codes. redeliverWebhook sends
// it once more, with the same id.
func TestRetriedUntilAccepted(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		rcv := newReceiver(t, 500, 503, 200)
		var wh created
		s.MustOK(createWebhook, map[string]any{"url": rcv.URL + "/hook", "events": []string{"PARTNER_CREATED"}}, &wh)
		secret := wh.CreateWebhook.Secret
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("secret %q", secret)
		}
		startWorker(t, db, fastRetries())
		var p struct{ CreatePartner struct{ ID string } }
		s.MustOK(`mutation { createPartner(input: {name: "Weichai", kind: ENTERPRISE}) { id } }`, nil, &p)

		got := rcv.wait(t, 3, 15*time.Second)
		id := got[0].header.Get(webhook.HeaderID)
		for i, r := range got {
			if err := webhook.Verify(secret, r.header, r.body, 5*time.Minute, time.Now()); err != nil {
				t.Errorf("request %d: %v", i+1, err)
			}
			if r.header.Get(webhook.HeaderID) != id {
				t.Errorf("request %d has id %q, want %q as the first", i+1, r.header.Get(webhook.HeaderID), id)
			}
		}
		if gap := got[2].at.Sub(got[1].at); gap < 2*got[1].at.Sub(got[0].at)/3 {
			t.Logf("note: retry gaps %v then %v", got[1].at.Sub(got[0].at), gap)
		}
		// tampering and replay are refused
		last := got[2]
		if err := webhook.Verify(secret, last.header, append([]byte(" "), last.body...), 5*time.Minute, time.Now()); !errors.Is(err, webhook.ErrBadSignature) {
			t.Errorf("tampered body: %v, want ErrBadSignature", err)
		}
		if err := webhook.Verify(secret, last.header, last.body, 5*time.Minute, time.Now().Add(6*time.Minute)); !errors.Is(err, webhook.ErrOldTimestamp) {
			t.Errorf("replayed 6 minutes later: %v, want ErrOldTimestamp", err)
		}
		if err := webhook.Verify(webhook.NewSecret(), last.header, last.body, 5*time.Minute, time.Now()); !errors.Is(err, webhook.ErrBadSignature) {
			t.Errorf("another secret: %v, want ErrBadSignature", err)
		}
		var body struct {
			ID, Type, WebhookID string
			Data                struct {
				ID, Cursor, EntityType, EntityID, Operation, ActorName string
				Changes                                                []struct {
					Field string
					New   any
				}
			}
		}
		if err := json.Unmarshal(last.body, &body); err != nil {
			t.Fatal(err)
		}
		if body.ID != id || body.Type != "PARTNER_CREATED" || body.WebhookID != wh.CreateWebhook.Webhook.ID ||
			body.Data.EntityType != "Partner" || body.Data.EntityID != p.CreatePartner.ID || body.Data.Operation != "CREATE" ||
			body.Data.ActorName != "test-admin" || body.Data.Cursor == "" {
			t.Errorf("body %s", last.body)
		}
		if !strings.Contains(string(last.body), `{"field":"name","old":null,"new":"Weichai"}`) {
			t.Errorf("body lacks the name's change: %s", last.body)
		}

		d := waitStatus(t, s, wh.CreateWebhook.Webhook.ID, "DELIVERED")
		if d.ID != id || d.Event != "PARTNER_CREATED" || d.AttemptCount != 3 || d.NextAttemptAt != nil || d.DeliveredAt == nil ||
			d.AuditEvent.EntityID != p.CreatePartner.ID || len(d.Attempts) != 3 {
			t.Fatalf("delivery %+v", d)
		}
		for i, want := range []int{500, 503, 200} {
			a := d.Attempts[i]
			if a.StatusCode == nil || *a.StatusCode != want || (want == 200) != (a.Error == nil) {
				t.Errorf("attempt %d: %+v, want status %d", i+1, a, want)
			}
		}

		var re struct{ RedeliverWebhook struct{ ID, Status string } }
		s.MustOK(`mutation($id: ID!) { redeliverWebhook(deliveryID: $id) { id status } }`, map[string]any{"id": id}, &re)
		if re.RedeliverWebhook.ID != id || re.RedeliverWebhook.Status != "PENDING" {
			t.Fatalf("redeliver: %+v", re)
		}
		got = rcv.wait(t, 4, 10*time.Second)
		if got[3].header.Get(webhook.HeaderID) != id {
			t.Errorf("redelivery id %q, want %q", got[3].header.Get(webhook.HeaderID), id)
		}
		d = waitStatus(t, s, wh.CreateWebhook.Webhook.ID, "DELIVERED")
		if d.AttemptCount != 1 || len(d.Attempts) != 4 {
			t.Errorf("after the redelivery: %d attempts this round, %d kept; want 1 and 4", d.AttemptCount, len(d.Attempts))
		}
	}, apitest.AllowPrivateWebhooks())
}

// waitStatus waits for the webhook's one delivery to reach status.
func waitStatus(t *testing.T, s *apitest.Server, webhookID, status string) (node deliveryNode) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ds deliveries
		s.MustOK(deliveriesQuery, map[string]any{"id": webhookID}, &ds)
		if n := len(ds.WebhookDeliveries.Edges); n != 1 {
			t.Fatalf("%d deliveries, want 1", n)
		}
		node = ds.WebhookDeliveries.Edges[0].Node
		if node.Status == status {
			return node
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %+v, want %s", node, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// TestRotatedSecretSignsBesideTheOld: after rotateWebhookSecret, each
// delivery verifies under the new secret and, while the old one is kept,
// under the old one too; rotated with keepPreviousSeconds 0, under the new
// one only. The old secret is never shown again, the new one once.
func TestRotatedSecretSignsBesideTheOld(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		rcv := newReceiver(t, 204)
		var wh created
		s.MustOK(createWebhook, map[string]any{"url": rcv.URL, "events": []string{"PARTNER_CREATED"}}, &wh)
		first := wh.CreateWebhook.Secret
		startWorker(t, db, fastRetries())
		rotate := `mutation($id: ID!, $keep: Int) { rotateWebhookSecret(id: $id, keepPreviousSeconds: $keep) { secret webhook { id previousSecretExpiresAt } } }`
		var r struct {
			RotateWebhookSecret struct {
				Secret  string
				Webhook struct {
					ID                      string
					PreviousSecretExpiresAt *string
				}
			}
		}
		s.MustOK(rotate, map[string]any{"id": wh.CreateWebhook.Webhook.ID}, &r)
		second := r.RotateWebhookSecret.Secret
		if second == first || !strings.HasPrefix(second, "whsec_") || r.RotateWebhookSecret.Webhook.PreviousSecretExpiresAt == nil {
			t.Fatalf("rotation: %+v", r)
		}
		if exp, err := time.Parse(time.RFC3339, *r.RotateWebhookSecret.Webhook.PreviousSecretExpiresAt); err != nil || exp.Before(time.Now().Add(23*time.Hour)) || exp.After(time.Now().Add(25*time.Hour)) {
			t.Errorf("the old secret kept until %v (%v), want a day from now", exp, err)
		}
		s.MustOK(`mutation { createPartner(input: {name: "Signed twice", kind: ENTERPRISE}) { id } }`, nil, nil)
		got := rcv.wait(t, 1, 10*time.Second)
		if n := len(strings.Fields(got[0].header.Get(webhook.HeaderSignature))); n != 2 {
			t.Errorf("%d signatures, want 2", n)
		}
		for _, secret := range []string{first, second} {
			if err := webhook.Verify(secret, got[0].header, got[0].body, time.Minute, time.Now()); err != nil {
				t.Errorf("during the overlap: %v", err)
			}
		}

		s.MustOK(rotate, map[string]any{"id": wh.CreateWebhook.Webhook.ID, "keep": 0}, &r)
		third := r.RotateWebhookSecret.Secret
		if r.RotateWebhookSecret.Webhook.PreviousSecretExpiresAt != nil {
			t.Errorf("keepPreviousSeconds 0 keeps the old secret until %v", *r.RotateWebhookSecret.Webhook.PreviousSecretExpiresAt)
		}
		s.MustOK(`mutation { createPartner(input: {name: "Signed once", kind: ENTERPRISE}) { id } }`, nil, nil)
		got = rcv.wait(t, 2, 10*time.Second)
		if err := webhook.Verify(third, got[1].header, got[1].body, time.Minute, time.Now()); err != nil {
			t.Errorf("the new secret: %v", err)
		}
		if err := webhook.Verify(second, got[1].header, got[1].body, time.Minute, time.Now()); !errors.Is(err, webhook.ErrBadSignature) {
			t.Errorf("the dropped secret: %v, want ErrBadSignature", err)
		}
		e := s.MustFail("BAD_USER_INPUT", rotate, map[string]any{"id": wh.CreateWebhook.Webhook.ID, "keep": 8 * 24 * 3600})
		if e.Extensions["field"] != "keepPreviousSeconds" {
			t.Errorf("a week and a day: %+v", e)
		}
	}, apitest.AllowPrivateWebhooks())
}

// TestWorkerRefusesNonPublicAtSend: a webhook whose URL reaches a loopback
// address by the time it is sent (registered where private addresses were
// allowed, as a host whose DNS changed would be) is not sent to: the
// attempt fails, saying why, and the receiver gets nothing.
func TestWorkerRefusesNonPublicAtSend(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		rcv := newReceiver(t, 204)
		var wh created
		s.MustOK(createWebhook, map[string]any{"url": rcv.URL, "events": []string{"PARTNER_CREATED"}}, &wh)
		cfg := fastRetries()
		cfg.AllowPrivate, cfg.MaxAttempts = false, 1
		startWorker(t, db, cfg)
		s.MustOK(`mutation { createPartner(input: {name: "Not sent", kind: ENTERPRISE}) { id } }`, nil, nil)
		d := waitStatus(t, s, wh.CreateWebhook.Webhook.ID, "FAILED")
		if len(d.Attempts) != 1 || d.Attempts[0].StatusCode != nil || d.Attempts[0].Error == nil ||
			*d.Attempts[0].Error != "the address is not public: 127.0.0.1 is a loopback address (not sent)" {
			t.Fatalf("attempts %+v", d.Attempts)
		}
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		if len(rcv.got) != 0 {
			t.Errorf("the receiver got %d requests, want 0", len(rcv.got))
		}
	}, apitest.AllowPrivateWebhooks())
}
