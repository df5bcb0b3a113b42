package webhook_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/ent/webhookdelivery"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
)

// TestBackoff: the wait doubles from the base after each failed attempt,
// stops at the cap, and adds at most a tenth at random.
func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {8, 64 * time.Minute}, {10, 256 * time.Minute}, {11, 6 * time.Hour}, {15, 6 * time.Hour}, {200, 6 * time.Hour}} {
		for range 50 {
			got := webhook.Backoff(c.n, 30*time.Second, 6*time.Hour)
			if got < c.want || got > c.want+c.want/10 {
				t.Fatalf("Backoff(%d) = %v, want %v to %v", c.n, got, c.want, c.want+c.want/10)
			}
		}
	}
}

// TestPruneKeepsPendingAndRecent: pruning deletes the DELIVERED and FAILED
// deliveries older than the retention, and keeps the PENDING ones however
// old, and the recent ones.
func TestPruneKeepsPendingAndRecent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		var wh created
		s.MustOK(createWebhook, map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"PARTNER_CREATED"}}, &wh)
		for _, n := range []string{"a", "b", "c", "d", "e"} {
			s.MustOK(`mutation($n: String!) { createPartner(input: {name: $n, kind: ENTERPRISE}) { id } }`, map[string]any{"n": n}, nil)
		}
		ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
		ids, err := db.Client.WebhookDelivery.Query().Order(ent.Asc(webhookdelivery.FieldID)).IDs(ctx)
		if err != nil || len(ids) != 5 {
			t.Fatalf("%d deliveries (%v), want 5", len(ids), err)
		}
		old := time.Now().Add(-31 * 24 * time.Hour)
		set := func(id int, status webhookdelivery.Status, created time.Time) {
			q := "UPDATE webhook_deliveries SET status = ?, created_at = ? WHERE id = ?" // created_at is immutable in ent
			if db.IsPostgres() {
				q = "UPDATE webhook_deliveries SET status = $1, created_at = $2 WHERE id = $3"
			}
			if _, err := db.SQL.Exec(q, string(status), created.UTC(), id); err != nil {
				t.Fatal(err)
			}
		}
		set(ids[0], webhookdelivery.StatusDELIVERED, old)
		set(ids[1], webhookdelivery.StatusFAILED, old)
		set(ids[2], webhookdelivery.StatusPENDING, old)
		set(ids[3], webhookdelivery.StatusDELIVERED, time.Now().Add(-29*24*time.Hour))
		cfg := fastRetries()
		cfg.Retention = 30 * 24 * time.Hour
		w := webhook.NewWorker(db.Client, db.Counter, cfg, nil, slog.New(slog.DiscardHandler))
		if n, err := w.Prune(context.Background()); err != nil || n != 2 {
			t.Fatalf("pruned %d (%v), want 2", n, err)
		}
		left, err := db.Client.WebhookDelivery.Query().Order(ent.Asc(webhookdelivery.FieldID)).IDs(ctx)
		if err != nil || !slices.Equal(left, ids[2:]) {
			t.Fatalf("left %v (%v), want %v", left, err, ids[2:])
		}
	}, apitest.AllowPrivateWebhooks())
}
