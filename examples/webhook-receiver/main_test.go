package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/audit"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
)

// The tests sign requests with the server's own code (webhook.Sign, and
// webhook.Payload for the body), so that what they accept is what the
// server sends.

// body is a delivery's body as the server builds it.
func body(t *testing.T) []byte {
	t.Helper()
	key := 5<<32 + 3
	b, err := webhook.Payload(&ent.WebhookDelivery{
		ID:        9<<32 + 41,
		WebhookID: 8<<32 + 2,
		Event:     audit.ProjectUpdated,
		Edges: ent.WebhookDeliveryEdges{AuditEvent: &ent.AuditEvent{
			ID:         6<<32 + 1207,
			At:         time.Date(2026, 12, 7, 9, 30, 12, 0, time.UTC),
			ActorName:  "qingdao-port-sync",
			ActorRole:  "PARTNER",
			ActorKeyID: &key,
			Operation:  "UPDATE",
			EntityType: "Project",
			EntityID:   2<<32 + 17,
			Changes:    []audit.Change{{Field: "status", Old: []byte(`"UNDER_CONSTRUCTION"`), New: []byte(`"OPERATIONAL"`)}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// request is a delivery signed with secret as the server signs it: id, the
// timestamp ts and body.
func request(t *testing.T, secret, id string, ts time.Time, body []byte) *http.Request {
	t.Helper()
	sig, err := webhook.Sign(secret, id, ts.Unix(), body)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(webhook.HeaderID, id)
	r.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	r.Header.Set(webhook.HeaderSignature, sig)
	return r
}

// receiver is the example's handler over a queue the test reads.
type receiver struct {
	h     http.Handler
	queue chan Event
}

func newReceiver(t *testing.T, secret string, size int) *receiver {
	t.Helper()
	q := make(chan Event, size)
	h, err := newHandler(secret, q, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return &receiver{h: h, queue: q}
}

func (r *receiver) send(req *http.Request) int {
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w.Code
}

// queued takes what the handler queued.
func (r *receiver) queued() []Event {
	var out []Event
	for {
		select {
		case e := <-r.queue:
			out = append(out, e)
		default:
			return out
		}
	}
}

var deliveryID = globalid.Encode(9<<32 + 41)

// TestAcceptsWhatTheServerSigns: a delivery signed by webhook.Sign is
// answered 2xx and queued once, its body read as the server wrote it.
func TestAcceptsWhatTheServerSigns(t *testing.T) {
	secret := webhook.NewSecret()
	r := newReceiver(t, secret, 10)
	if code := r.send(request(t, secret, deliveryID, time.Now(), body(t))); code/100 != 2 {
		t.Fatalf("a valid delivery: HTTP %d, want 2xx", code)
	}
	got := r.queued()
	if len(got) != 1 {
		t.Fatalf("%d events queued, want 1", len(got))
	}
	e := got[0]
	if e.ID != deliveryID || e.Type != "PROJECT_UPDATED" || e.WebhookID != globalid.Encode(8<<32+2) ||
		e.Data.EntityType != "Project" || e.Data.EntityID != globalid.Encode(2<<32+17) || e.Data.Operation != "UPDATE" ||
		e.Data.Cursor == "" || e.Data.ActorKeyID == nil || len(e.Data.Changes) != 1 || string(e.Data.Changes[0].New) != `"OPERATIONAL"` {
		t.Errorf("event %+v", e)
	}
}

// TestRefusesForgeries: a body changed after signing, a signature under
// another secret, and a timestamp 10 minutes old or ahead are answered 401
// and not queued; unsigned requests 400, other methods 405.
func TestRefusesForgeries(t *testing.T) {
	secret := webhook.NewSecret()
	r := newReceiver(t, secret, 10)
	b := body(t)
	tampered := request(t, secret, deliveryID, time.Now(), b)
	tampered.Body = io.NopCloser(bytes.NewReader(bytes.Replace(b, []byte("OPERATIONAL"), []byte("CANCELLED"), 1)))
	unsigned := request(t, secret, deliveryID, time.Now(), b)
	unsigned.Header.Del(webhook.HeaderSignature)
	get := request(t, secret, deliveryID, time.Now(), b)
	get.Method = http.MethodGet
	for _, c := range []struct {
		name string
		req  *http.Request
		want int
	}{
		{"tampered body", tampered, http.StatusUnauthorized},
		{"another secret", request(t, webhook.NewSecret(), deliveryID, time.Now(), b), http.StatusUnauthorized},
		{"10 minutes old", request(t, secret, deliveryID, time.Now().Add(-10*time.Minute), b), http.StatusUnauthorized},
		{"10 minutes ahead", request(t, secret, deliveryID, time.Now().Add(10*time.Minute), b), http.StatusUnauthorized},
		{"unsigned", unsigned, http.StatusBadRequest},
		{"GET", get, http.StatusMethodNotAllowed},
	} {
		if code := r.send(c.req); code != c.want {
			t.Errorf("%s: HTTP %d, want %d", c.name, code, c.want)
		}
	}
	if got := r.queued(); len(got) != 0 {
		t.Errorf("%d events queued, want none", len(got))
	}
	// none of the refused requests marked the id as received
	if code := r.send(request(t, secret, deliveryID, time.Now(), b)); code/100 != 2 {
		t.Fatalf("the genuine delivery after forgeries of its id: HTTP %d, want 2xx", code)
	}
	if got := r.queued(); len(got) != 1 {
		t.Errorf("%d events queued, want the genuine one", len(got))
	}
}

// TestAcceptsOneOfSeveralSignatures: a header with several signatures
// (Standard Webhooks' way through a change of secret; the server sends
// one) passes when one of them matches.
func TestAcceptsOneOfSeveralSignatures(t *testing.T) {
	secret := webhook.NewSecret()
	r := newReceiver(t, secret, 10)
	req := request(t, secret, deliveryID, time.Now(), body(t))
	other, err := webhook.Sign(webhook.NewSecret(), deliveryID, time.Now().Unix(), body(t))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(webhook.HeaderSignature, other+" "+req.Header.Get(webhook.HeaderSignature))
	if code := r.send(req); code/100 != 2 {
		t.Fatalf("HTTP %d, want 2xx", code)
	}
}

// TestDuplicateAnsweredNotHandled: the server's retry of a delivery (same
// id, new timestamp and signature) is answered 2xx and not queued again.
func TestDuplicateAnsweredNotHandled(t *testing.T) {
	secret := webhook.NewSecret()
	r := newReceiver(t, secret, 10)
	b := body(t)
	for i, ts := range []time.Time{time.Now().Add(-2 * time.Minute), time.Now()} {
		if code := r.send(request(t, secret, deliveryID, ts, b)); code/100 != 2 {
			t.Fatalf("attempt %d: HTTP %d, want 2xx", i+1, code)
		}
	}
	if got := r.queued(); len(got) != 1 {
		t.Errorf("%d events queued after two attempts at one delivery, want 1", len(got))
	}
}

// TestBusyIsRetried: while the queue is full a delivery is answered 503,
// and the server's next attempt is taken once there is room.
func TestBusyIsRetried(t *testing.T) {
	secret := webhook.NewSecret()
	r := newReceiver(t, secret, 1)
	b := body(t)
	if code := r.send(request(t, secret, globalid.Encode(9<<32+1), time.Now(), b)); code/100 != 2 {
		t.Fatalf("first: HTTP %d", code)
	}
	if code := r.send(request(t, secret, deliveryID, time.Now(), b)); code != http.StatusServiceUnavailable {
		t.Fatalf("with the queue full: HTTP %d, want 503", code)
	}
	r.queued()
	if code := r.send(request(t, secret, deliveryID, time.Now(), b)); code/100 != 2 {
		t.Fatalf("the retry: HTTP %d, want 2xx", code)
	}
	if got := r.queued(); len(got) != 1 || got[0].ID != deliveryID {
		t.Errorf("queued %+v, want the retried delivery", got)
	}
}

// TestFromTheServer: a webhook registered with the API, pointed at the
// example's handler, and the server's own workers: a committed change
// arrives, verified, with the delivery's id; the delivery is DELIVERED
// after one attempt.
func TestFromTheServer(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		var wh struct {
			CreateWebhook struct {
				Webhook struct{ ID string }
				Secret  string
			}
		}
		// the secret is known only once the webhook exists: the handler
		// is made then
		var h http.Handler
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
		t.Cleanup(srv.Close)
		s.MustOK(`mutation($url: String!) { createWebhook(url: $url, events: [PARTNER_CREATED], description: "example receiver") { webhook { id } secret } }`,
			map[string]any{"url": srv.URL + "/hook"}, &wh)
		queue := make(chan Event, 10)
		var err error
		if h, err = newHandler(wh.CreateWebhook.Secret, queue, time.Now); err != nil {
			t.Fatal(err)
		}

		w := webhook.NewWorker(db.Client, db.Counter, webhook.Config{Workers: 1, Timeout: 5 * time.Second,
			RetryBase: 100 * time.Millisecond, RetryMax: time.Second, MaxAttempts: 3, Poll: 50 * time.Millisecond, AllowPrivate: true},
			db.Committed.C, slog.New(slog.DiscardHandler))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); w.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })

		var p struct{ CreatePartner struct{ ID string } }
		s.MustOK(`mutation { createPartner(input: {name: "Weichai Power", kind: ENTERPRISE}) { id } }`, nil, &p)
		var e Event
		select {
		case e = <-queue:
		case <-time.After(10 * time.Second):
			t.Fatal("no event within 10 s")
		}
		if e.Type != "PARTNER_CREATED" || e.WebhookID != wh.CreateWebhook.Webhook.ID || e.Data.EntityID != p.CreatePartner.ID ||
			e.Data.Operation != "CREATE" || e.Data.Cursor == "" {
			t.Errorf("event %+v", e)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			var ds struct {
				WebhookDeliveries struct {
					Edges []struct{ Node struct{ ID, Status string } }
				}
			}
			s.MustOK(`query($id: ID!) { webhookDeliveries(webhookID: $id) { edges { node { id status } } } }`,
				map[string]any{"id": wh.CreateWebhook.Webhook.ID}, &ds)
			if len(ds.WebhookDeliveries.Edges) != 1 || ds.WebhookDeliveries.Edges[0].Node.ID != e.ID {
				t.Fatalf("deliveries %+v, want the one of id %s", ds.WebhookDeliveries.Edges, e.ID)
			}
			if st := ds.WebhookDeliveries.Edges[0].Node.Status; st == "DELIVERED" {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("delivery %s, want DELIVERED", st)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if got := len(queue); got != 0 {
			t.Errorf("%d more events queued, want none", got)
		}
	}, apitest.AllowPrivateWebhooks())
}
