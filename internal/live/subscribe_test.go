package live_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

const subAudit = `subscription($after: Cursor, $where: AuditEventWhereInput) {
  auditEvents(after: $after, where: $where) { cursor node { operation entityType changes { field new } } }
}`

const createPartner = `mutation($name: String!) { createPartner(input: {name: $name, kind: ENTERPRISE}) { id } }`

// event is one auditEvents response.
type event struct {
	Cursor string
	Node   struct {
		Operation, EntityType string
		Changes               []struct {
			Field string
			New   json.RawMessage
		}
	}
}

// next reads the next event of st, failing the test on an error or none
// within 5 s.
func next(t *testing.T, st *apitest.Stream) event {
	t.Helper()
	r := st.Next(5 * time.Second)
	if r == nil {
		t.Fatal("no event within 5 s")
	}
	if len(r.Errors) > 0 {
		t.Fatalf("subscription error: %+v", r.Errors)
	}
	var d struct{ AuditEvents event }
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatalf("%s: %v", r.Data, err)
	}
	return d.AuditEvents
}

// name is the partner name an event created.
func name(e event) string {
	for _, c := range e.Node.Changes {
		if c.Field == "name" {
			var s string
			_ = json.Unmarshal(c.New, &s)
			return s
		}
	}
	return ""
}

func write(t *testing.T, s *apitest.Server, names ...string) {
	t.Helper()
	for _, n := range names {
		s.MustOK(createPartner, map[string]any{"name": n}, nil)
	}
}

// TestAuditEventsSubscription: over SSE and graphql-ws, a subscriber gets
// each committed write's event, in commit order, with its cursor; nothing
// for a rolled-back write; resuming after a cursor gets exactly what was
// missed, then the live stream.
func TestAuditEventsSubscription(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		for _, transport := range []string{"sse", "ws"} {
			t.Run(transport, func(t *testing.T) {
				subscribe := s.SSE
				if transport == "ws" {
					subscribe = s.WS0
				}
				st := subscribe(s.AdminKey, subAudit, nil)
				time.Sleep(100 * time.Millisecond) // subscribed before the write
				write(t, s, transport+" one")
				first := next(t, st)
				if first.Node.Operation != "CREATE" || first.Node.EntityType != "Partner" || name(first) != transport+" one" || first.Cursor == "" {
					t.Fatalf("first event: %+v", first)
				}
				// a request that fails rolls back, and sends nothing
				res := s.Do(`mutation { a: createPartner(input: {name: "rolled back", kind: ENTERPRISE}) { id } b: createPartner(input: {name: "", kind: ENTERPRISE}) { id } }`, nil)
				if len(res.Errors) == 0 {
					t.Fatal("the failing mutation did not fail")
				}
				write(t, s, transport+" two")
				if e := next(t, st); name(e) != transport+" two" {
					t.Fatalf("after a rolled-back write, the next event is %q, want %q", name(e), transport+" two")
				}
				st.Close()

				// missed while away: exactly these, then live
				write(t, s, transport+" three", transport+" four", transport+" five")
				resumed := subscribe(s.AdminKey, subAudit, map[string]any{"after": first.Cursor})
				for _, want := range []string{transport + " two", transport + " three", transport + " four", transport + " five"} {
					if e := next(t, resumed); name(e) != want {
						t.Fatalf("resumed: %q, want %q", name(e), want)
					}
				}
				write(t, s, transport+" six")
				if e := next(t, resumed); name(e) != transport+" six" {
					t.Fatalf("live after catching up: %q", name(e))
				}
				if r := resumed.Next(300 * time.Millisecond); r != nil {
					t.Fatalf("a duplicate or stray event: %s %+v", r.Data, r.Errors)
				}
			})
		}
	})
}

// TestAuditEventsAcrossProcesses: a write committed through one server
// process reaches a subscriber of another process on the same PostgreSQL,
// woken by NOTIFY (the processes poll only once a minute here); after the
// subscriber drops its connection and three more writes go through the
// first process, resuming on the second with the last cursor brings exactly
// those three, then the live stream. Over graphql-ws and over SSE.
func TestAuditEventsAcrossProcesses(t *testing.T) {
	a := apitest.NewServer(t, apitest.OpenPostgres(t))
	b := apitest.NewServer(t, apitest.OpenPostgresURL(t, a.DB.URL))
	for i, subscribe := range []func(string, string, map[string]any) *apitest.Stream{b.WS0, b.SSE} {
		tag := fmt.Sprint(i, " ", time.Now().UnixNano(), " ")
		st := subscribe(b.AdminKey, subAudit, nil)
		time.Sleep(100 * time.Millisecond)
		write(t, a, tag+"through A")
		e := next(t, st)
		if name(e) != tag+"through A" {
			t.Fatalf("B's subscriber got %q, want %q", name(e), tag+"through A")
		}
		st.Close()
		write(t, a, tag+"missed 1", tag+"missed 2", tag+"missed 3")
		resumed := subscribe(b.AdminKey, subAudit, map[string]any{"after": e.Cursor})
		for _, want := range []string{"missed 1", "missed 2", "missed 3"} {
			if got := name(next(t, resumed)); got != tag+want {
				t.Fatalf("resumed on B: %q, want %q", got, tag+want)
			}
		}
		write(t, a, tag+"live again")
		if got := name(next(t, resumed)); got != tag+"live again" {
			t.Fatalf("live after resuming: %q", got)
		}
		if r := resumed.Next(300 * time.Millisecond); r != nil {
			t.Fatalf("a duplicate or stray event: %s %+v", r.Data, r.Errors)
		}
		resumed.Close()
	}
}
