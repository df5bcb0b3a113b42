package live_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/live"
)

// seqs returns each audit event's seq by id (0 when not numbered).
func seqs(t *testing.T, db *apitest.DB) map[int]int64 {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT id, seq FROM audit_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var id int
		var seq *int64
		if err := rows.Scan(&id, &seq); err != nil {
			t.Fatal(err)
		}
		out[id] = 0
		if seq != nil {
			out[id] = *seq
		}
	}
	return out
}

func newPartner(ctx context.Context, c *ent.Client, name string) (*ent.Partner, error) {
	return c.Partner.Create().SetName(name).SetKind(partner.KindENTERPRISE).Save(ctx)
}

// eventOf is the id of the audit event that created partner p.
func eventOf(t *testing.T, db *apitest.DB, p *ent.Partner) int {
	t.Helper()
	ctx := auth.SystemContext(context.Background(), "test")
	e, err := db.Client.AuditEvent.Query().Where(auditevent.EntityTypeEQ(auditevent.EntityTypePartner), auditevent.EntityID(p.ID)).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return e.ID
}

// TestNumberingInCommitOrder: audit events are numbered 1, 2, 3 ... in the
// order their transactions commit, not the order of their ids; a rolled-back
// transaction numbers nothing; a write outside a transaction is numbered at
// once; each commit wakes the process's readers.
func TestNumberingInCommitOrder(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		ctx := auth.SystemContext(context.Background(), "test")
		woken := db.Committed.C()

		alone, err := newPartner(ctx, db.Client, "Written alone")
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-woken:
		default:
			t.Fatal("a committed write did not wake the readers")
		}
		if got := seqs(t, db)[eventOf(t, db, alone)]; got != 1 {
			t.Fatalf("a write outside a transaction: seq %d, want 1", got)
		}

		rolled, err := db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newPartner(ent.NewTxContext(ctx, rolled), rolled.Client(), "Rolled back"); err != nil {
			t.Fatal(err)
		}
		if err := rolled.Rollback(); err != nil {
			t.Fatal(err)
		}

		var first, second *ent.Partner
		if db.IsPostgres() {
			// first takes its id before second, but commits after it
			tx1, err := db.Client.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tx2, err := db.Client.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if first, err = newPartner(ent.NewTxContext(ctx, tx1), tx1.Client(), "First written"); err != nil {
				t.Fatal(err)
			}
			if second, err = newPartner(ent.NewTxContext(ctx, tx2), tx2.Client(), "Second written"); err != nil {
				t.Fatal(err)
			}
			if err := tx2.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := tx1.Commit(); err != nil {
				t.Fatal(err)
			}
		} else { // one writer at a time: commit order is write order
			for _, name := range []string{"Second written", "First written"} {
				tx, err := db.Client.Tx(ctx)
				if err != nil {
					t.Fatal(err)
				}
				p, err := newPartner(ent.NewTxContext(ctx, tx), tx.Client(), name)
				if err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				if second == nil {
					second = p
				} else {
					first = p
				}
			}
		}
		got := seqs(t, db)
		if len(got) != 3 {
			t.Fatalf("%d events, want 3 (the rolled-back write left none): %v", len(got), got)
		}
		if s1, s2 := got[eventOf(t, db, first)], got[eventOf(t, db, second)]; s2 != 2 || s1 != 3 {
			t.Fatalf("seq of the later commit %d, of the earlier %d; want 3 and 2", s1, s2)
		}
		if n, err := live.Number(ctx, db.Client, db.Dialect); err != nil || n != 0 {
			t.Fatalf("numbering again: %d, %v; want nothing left", n, err)
		}
	})
}

// TestNumberingNotifies: on PostgreSQL a commit that numbers events sends
// NOTIFY bri_audit with the schema's name, to every listening process.
func TestNumberingNotifies(t *testing.T) {
	url := apitest.PostgresURL(t)
	db := apitest.OpenPostgresURL(t, url)
	l := pq.NewListener(url, 10*time.Millisecond, time.Second, nil)
	defer l.Close()
	if err := l.Listen(live.Channel); err != nil {
		t.Fatal(err)
	}
	var schema string
	if err := db.SQL.QueryRow(`SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	ctx := auth.SystemContext(context.Background(), "test")
	for i := range 3 {
		if _, err := newPartner(ctx, db.Client, fmt.Sprint("Partner ", i)); err != nil {
			t.Fatal(err)
		}
		select {
		case n := <-l.Notify:
			if n == nil || n.Extra != schema {
				t.Fatalf("notification %+v, want the schema %q", n, schema)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no notification")
		}
	}
}
