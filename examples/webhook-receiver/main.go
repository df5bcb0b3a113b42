// Command webhook-receiver receives BRI Tracker webhooks: a small program
// to copy into a partner system and adapt. It uses the standard library
// only.
//
// Each request is checked as the Standard Webhooks specification
// (standardwebhooks.com) says, which is how the server signs it:
//
//   - the webhook-signature header holds one or more space-separated
//     signatures "v1,<base64>", each an HMAC-SHA256 of
//     "<webhook-id>.<webhook-timestamp>.<body>" under the key that the
//     webhook's secret carries (the base64 after "whsec_"); one match, in
//     constant time, suffices;
//   - webhook-timestamp (Unix seconds, when the attempt was signed) must be
//     within 5 minutes of now, so that a captured request cannot be
//     replayed later;
//   - webhook-id is the delivery's id, the same on every attempt: a
//     delivery already received is answered 2xx and not handled again.
//
// The handler answers as soon as the event is checked and queued, and a
// worker handles it afterwards: the server waits for the answer only as
// long as its --webhook-timeout (10 s by default), and takes anything but
// 2xx for a failure and sends the delivery again later.
//
// Run it with the secret that createWebhook returned:
//
//	WEBHOOK_SECRET=whsec_... go run ./examples/webhook-receiver -port 9000
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// maxBody is the largest body read; a delivery is far smaller.
	maxBody = 1 << 20
	// tolerance is how far webhook-timestamp may be from now.
	tolerance = 5 * time.Minute
	// keepIDs is how long a delivery id is remembered. The server retries a
	// delivery for about 32 hours with its default settings, and
	// redeliverWebhook may send it again at any time later.
	keepIDs = 7 * 24 * time.Hour
)

// Event is a delivery's body.
type Event struct {
	// ID is the delivery's id, the same as the webhook-id header.
	ID string `json:"id"`
	// Type is the kind of change: PROJECT_UPDATED, PARTICIPANT_CREATED...
	Type string `json:"type"`
	// Timestamp is when the change was committed.
	Timestamp time.Time `json:"timestamp"`
	// WebhookID is the webhook the delivery was sent for.
	WebhookID string `json:"webhookID"`
	// Data is the audit event that recorded the change.
	Data struct {
		ID         string    `json:"id"`
		Cursor     string    `json:"cursor"`
		At         time.Time `json:"at"`
		ActorName  string    `json:"actorName"`
		ActorRole  string    `json:"actorRole"`
		ActorKeyID *string   `json:"actorKeyID"`
		Operation  string    `json:"operation"`
		EntityType string    `json:"entityType"`
		EntityID   string    `json:"entityID"`
		Changes    []struct {
			Field string          `json:"field"`
			Old   json.RawMessage `json:"old"`
			New   json.RawMessage `json:"new"`
		} `json:"changes"`
	} `json:"data"`
}

// Why a request is refused.
var (
	errUnsigned     = errors.New("webhook-id, webhook-timestamp or webhook-signature missing or malformed")
	errOldTimestamp = errors.New("webhook-timestamp is more than 5 minutes from now")
	errBadSignature = errors.New("no signature matches")
)

// secretKey returns the HMAC key a webhook secret ("whsec_<base64>")
// carries.
func secretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return nil, errors.New("the secret is not whsec_ followed by base64")
	}
	return key, nil
}

// verify checks a request's signature headers against its body under key.
func verify(key []byte, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errUnsigned
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errUnsigned
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errOldTimestamp
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errBadSignature
}

// seenIDs remembers the delivery ids received. In memory, they are lost at
// a restart: a real receiver stores them, best in the same transaction as
// what it does with the event (a table with the id as its primary key).
type seenIDs struct {
	mu     sync.Mutex
	at     map[string]time.Time
	pruned time.Time
}

// add records id and reports whether it is new.
func (s *seenIDs) add(id string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.at == nil {
		s.at = map[string]time.Time{}
	}
	if now.Sub(s.pruned) > time.Hour {
		for k, t := range s.at {
			if now.Sub(t) > keepIDs {
				delete(s.at, k)
			}
		}
		s.pruned = now
	}
	if _, ok := s.at[id]; ok {
		return false
	}
	s.at[id] = now
	return true
}

// forget drops id, for a delivery that was not accepted after all.
func (s *seenIDs) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.at, id)
}

// newHandler returns the handler of deliveries signed with secret: each
// new, valid delivery is put on queue, for a worker to handle, and
// answered 204. now is the clock (time.Now).
//
// The queue is in memory: what it holds when the program stops is lost,
// though it was answered 2xx and will not be sent again. A real receiver
// writes the event durably (a table, a message queue) before it answers.
func newHandler(secret string, queue chan<- Event, now func() time.Time) (http.Handler, error) {
	key, err := secretKey(secret)
	if err != nil {
		return nil, err
	}
	seen := &seenIDs{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		// Verify before anything else reads the body or the id.
		switch err := verify(key, r.Header, body, now()); {
		case errors.Is(err, errUnsigned):
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		id := r.Header.Get("webhook-id")
		if !seen.add(id, now()) {
			w.WriteHeader(http.StatusNoContent) // a retry of a delivery already received
			return
		}
		var e Event
		if err := json.Unmarshal(body, &e); err != nil {
			seen.forget(id)
			http.Error(w, "the body is not a webhook event", http.StatusBadRequest)
			return
		}
		select {
		case queue <- e:
			w.WriteHeader(http.StatusNoContent)
		default:
			// The workers are behind: the server sends it again later.
			seen.forget(id)
			w.Header().Set("Retry-After", "30")
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}), nil
}

// handle is where a partner system acts on a change: here it logs it.
// Deliveries are not ordered: to apply changes in the order they were
// committed, compare the audit events' cursors, or read the object's
// current state (or auditEvents(after: cursor)) from the API.
func handle(log *slog.Logger, e Event) {
	log.Info("change", "delivery", e.ID, "type", e.Type, "entity", e.Data.EntityType, "id", e.Data.EntityID,
		"by", e.Data.ActorName, "at", e.Data.At, "cursor", e.Data.Cursor, "changes", len(e.Data.Changes))
}

func main() {
	port := flag.Int("port", 9000, "TCP port to listen on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	secret := os.Getenv("WEBHOOK_SECRET")
	if secret == "" {
		fmt.Fprintln(os.Stderr, "set WEBHOOK_SECRET to the secret createWebhook returned (whsec_...)")
		os.Exit(2)
	}
	queue := make(chan Event, 1000)
	h, err := newHandler(secret, queue, time.Now)
	if err != nil {
		fmt.Fprintln(os.Stderr, "WEBHOOK_SECRET:", err)
		os.Exit(2)
	}
	go func() {
		for e := range queue {
			handle(log, e)
		}
	}()
	srv := &http.Server{
		Addr:              fmt.Sprintf(":%d", *port),
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("receiving webhooks", "addr", srv.Addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
