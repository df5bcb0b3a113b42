package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
	"github.com/bri-tracker/bri-tracker/internal/live"
)

// errorCode is the code of the first error st sends within 5 s ("" if it
// sends data or nothing).
func errorCode(t *testing.T, st *apitest.Stream) (string, map[string]any) {
	t.Helper()
	r := st.Next(5 * time.Second)
	if r == nil || len(r.Errors) == 0 {
		t.Fatalf("want an error, got %+v", r)
	}
	return r.Errors[0].Code(), r.Errors[0].Extensions
}

// TestPartnerSeesOwnEvents: a PARTNER key's subscription, and its
// auditEvents query, carry the events of its own partner and projects and
// not another partner's.
func TestPartnerSeesOwnEvents(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		var own, other struct{ CreatePartner struct{ ID string } }
		s.MustOK(createPartner, map[string]any{"name": "Own Co"}, &own)
		s.MustOK(createPartner, map[string]any{"name": "Other Co"}, &other)
		ctx := auth.SystemContext(context.Background(), "test")
		p, err := db.Client.Partner.Query().Order(ent.Asc("id")).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		key := s.NewKey("own partner", apikey.RolePARTNER, &p.ID)
		st := s.SSE(key, subAudit, nil)
		time.Sleep(100 * time.Millisecond)
		rename := `mutation($id: ID!, $name: String!) { updatePartner(id: $id, input: {name: $name}) { id } }`
		s.MustOK(rename, map[string]any{"id": other.CreatePartner.ID, "name": "Other Co renamed"}, nil)
		s.MustOK(rename, map[string]any{"id": own.CreatePartner.ID, "name": "Own Co renamed"}, nil)
		e := next(t, st)
		if e.Node.Operation != "UPDATE" || name(e) != "Own Co renamed" {
			t.Fatalf("the partner's first event: %+v, want its own rename (not the other partner's)", e)
		}
		var q struct {
			AuditEvents struct{ TotalCount int }
		}
		res := s.DoAs(key, `{ auditEvents { totalCount } }`, nil)
		if err := json.Unmarshal(res.Data, &q); err != nil || q.AuditEvents.TotalCount != 2 {
			t.Fatalf("the partner's audit trail: %s %+v, want its 2 events", res.Data, res.Errors)
		}
	})
}

// TestSubscriptionRules: subscriptions only over the streaming transports,
// and nothing else over them; a key is needed; a key's subscriptions are
// limited and end when it is revoked; a WebSocket from another origin is
// refused.
func TestSubscriptionRules(t *testing.T) {
	db := apitest.OpenSQLite(t)
	s := apitest.NewServer(t, db, func(o *httpapi.Options) {
		o.StreamLimits.PerKey = 2
		o.CORSOrigins = []string{"https://dashboard.example"}
	})
	if res := s.Do(`subscription { auditEvents { cursor } }`, nil); len(res.Errors) != 1 || res.Errors[0].Code() != httpapi.CodeSubscriptionTransport {
		t.Fatalf("a subscription by plain POST: %+v", res.Errors)
	}
	if code, _ := errorCode(t, s.SSE(s.AdminKey, `{ __typename }`, nil)); code != httpapi.CodeSubscriptionTransport {
		t.Fatalf("a query over SSE: %s", code)
	}
	if code, _ := errorCode(t, s.SSE(s.AdminKey, subAudit, map[string]any{"padding": strings.Repeat("x", 2<<20)})); code != "REQUEST_TOO_LARGE" {
		t.Fatalf("an event stream's request over the body limit: %s", code)
	}
	if code, _ := errorCode(t, s.WS0("", subAudit, nil)); code != "UNAUTHENTICATED" {
		t.Fatalf("a subscription without a key: %s", code)
	}

	key := s.NewKey("subscriber", apikey.RoleVIEWER, nil)
	a, b := s.SSE(key, subAudit, nil), s.WS0(key, subAudit, nil)
	time.Sleep(100 * time.Millisecond)
	if code, _ := errorCode(t, s.SSE(key, subAudit, nil)); code != httpapi.CodeTooManySubscriptions {
		t.Fatalf("a third subscription of a key limited to 2: %s", code)
	}
	write(t, s, "before the revocation")
	cursor := next(t, a).Cursor
	next(t, b)

	var keys struct {
		ApiKeys struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	s.MustOK(`{ apiKeys(first: 50) { edges { node { id name } } } }`, nil, &keys)
	for _, k := range keys.ApiKeys.Edges {
		if k.Node.Name == "subscriber" {
			s.MustOK(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, map[string]any{"id": k.Node.ID}, nil)
		}
	}
	for _, st := range []*apitest.Stream{a, b} {
		code, ext := errorCode(t, st)
		if code != "UNAUTHENTICATED" || ext["cursor"] != cursor {
			t.Fatalf("after the revocation: %s %v, want UNAUTHENTICATED with cursor %s", code, ext, cursor)
		}
	}

	if st := s.WS(s.AdminKey, subAudit, nil, "Origin", "https://evil.example"); st.Status != http.StatusForbidden {
		t.Fatalf("a WebSocket from another origin: HTTP %d, want 403", st.Status)
	}
	ok := s.WS(s.AdminKey, subAudit, nil, "Origin", "https://dashboard.example")
	time.Sleep(100 * time.Millisecond)
	write(t, s, "to the dashboard")
	if e := next(t, ok); name(e) != "to the dashboard" {
		t.Fatalf("the allowed origin's subscription: %+v", e)
	}
}

// TestShutdownEndsSubscriptions: when the server's hub stops (shutdown),
// each subscription gets SHUTTING_DOWN with the cursor to resume after.
func TestShutdownEndsSubscriptions(t *testing.T) {
	db := apitest.OpenSQLite(t)
	ctx, stop := context.WithCancel(context.Background())
	h, err := live.NewHub(ctx, db.Client, db.Dialect, live.Options{Committed: db.Committed})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); h.Run(ctx) }()
	s := apitest.NewServer(t, db, func(o *httpapi.Options) { o.Live = h })
	st := s.SSE(s.AdminKey, subAudit, nil)
	time.Sleep(100 * time.Millisecond)
	write(t, s, "last before shutdown")
	e := next(t, st)
	stop()
	<-done
	if code, ext := errorCode(t, st); code != live.CodeShuttingDown || ext["cursor"] != e.Cursor {
		t.Fatalf("at shutdown: %s %v, want %s with cursor %s", code, ext, live.CodeShuttingDown, e.Cursor)
	}
}

// TestLargeWriteAndSlowSubscriber: a write of more events than the hub
// keeps reaches a subscriber whole, from the database; a subscriber that
// caught up and then takes its events more than MaxDelay late is ended with
// ErrTooSlow and where to resume, holding no more than a batch meanwhile.
func TestLargeWriteAndSlowSubscriber(t *testing.T) {
	db := apitest.OpenSQLite(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	h, err := live.NewHub(ctx, db.Client, db.Dialect, live.Options{Committed: db.Committed, Recent: 5, MaxDelay: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	go h.Run(ctx)
	sys := auth.SystemContext(context.Background(), "test")
	all := func(_ context.Context, e []*ent.AuditEvent) ([]*ent.AuditEvent, error) { return e, nil }
	events, end := h.Stream(ctx, h.Head(), all)

	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 { // more than the 5 the hub keeps, in one commit
		if _, err := newPartner(ent.NewTxContext(sys, tx), tx.Client(), fmt.Sprint("Bulk ", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var last *ent.AuditEvent
	for i := range 12 {
		select {
		case e := <-events:
			if *e.Seq != int64(i+1) {
				t.Fatalf("event %d has seq %d", i, *e.Seq)
			}
			last = e
		case <-time.After(5 * time.Second):
			t.Fatalf("the large write's event %d did not come", i)
		}
	}

	// now slow: more commits, and the subscriber takes nothing for longer
	// than MaxDelay
	for i := range 3 {
		if _, err := newPartner(sys, db.Client, fmt.Sprint("Later ", i)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	for range events {
	}
	passed, err := end()
	if !errors.Is(err, live.ErrTooSlow) || passed < last.ID {
		t.Fatalf("the slow subscriber ended with %v after event %d, want ErrTooSlow after %d or later", err, passed, last.ID)
	}
}
