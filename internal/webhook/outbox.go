// Package webhook sends committed changes to partner systems' URLs as
// signed HTTP POSTs.
//
// The outbox. Every transaction that writes audit events also writes, just
// before it commits, one delivery (webhook_deliveries) per event and
// webhook that takes it: of a kind the webhook names, matching its filter,
// and, for a partner's webhook, readable by that partner's keys. So a
// change is never committed without its deliveries, nor a delivery without
// its change.
//
// The workers. Each server process runs workers (Worker) that claim due
// deliveries with FOR UPDATE SKIP LOCKED on PostgreSQL, so that processes
// share them and no two send one at once, and lease each for the length of
// an attempt: a process that dies mid-attempt leaves its deliveries to be
// claimed again when their lease runs out. A delivery is sent until the
// receiver answers 2xx, with exponential back-off between attempts up to a
// cap, and given up (FAILED) after the last attempt.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	entgo "entgo.io/ent"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/ent/predicate"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/ent/webhook"
	"github.com/bri-tracker/bri-tracker/internal/audit"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// batch is the most deliveries written by one INSERT.
const batch = 500

// Outbox is the hook, registered on every client (store.Setup does), that
// writes a transaction's deliveries as it commits. An audit event written
// outside a transaction (committed at once) has its deliveries written
// right after it.
func Outbox() ent.Hook {
	var pending sync.Map // *ent.Tx (of the context) → *txEvents
	return hook.On(func(next entgo.Mutator) entgo.Mutator {
		return hook.AuditEventFunc(func(ctx context.Context, m *ent.AuditEventMutation) (entgo.Value, error) {
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			e, ok := v.(*ent.AuditEvent)
			if !ok {
				return v, nil
			}
			tx, err := m.Tx()
			if err != nil { // committed already
				return v, Enqueue(ctx, m.Client(), []*ent.AuditEvent{e})
			}
			key := ent.TxFromContext(ctx)
			p := &txEvents{}
			if key != nil {
				got, loaded := pending.LoadOrStore(key, p)
				p = got.(*txEvents)
				p.add(e)
				if loaded {
					return v, nil
				}
			} else {
				p.add(e) // a transaction known only to the mutation: a hook per write
			}
			tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
				return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
					if key != nil {
						pending.Delete(key)
					}
					return next.Rollback(ctx, tx)
				})
			})
			tx.OnCommit(func(next ent.Committer) ent.Committer {
				return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
					if key != nil {
						pending.Delete(key)
					}
					if err := Enqueue(ctx, tx.Client(), p.take()); err != nil {
						return err
					}
					return next.Commit(ctx, tx)
				})
			})
			return v, nil
		})
	}, ent.OpCreate)
}

type txEvents struct {
	mu     sync.Mutex
	events []*ent.AuditEvent
}

func (p *txEvents) add(e *ent.AuditEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, e)
}

func (p *txEvents) take() []*ent.AuditEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.events
	p.events = nil
	return out
}

// Enqueue writes, through client (the transaction's, in the outbox), a
// delivery for each of events and each active webhook that takes it. It
// reads the webhooks (one statement), asks the database which events pass
// each filtered or partner's webhook (one statement per 500 events), and
// writes the deliveries (one statement per 500).
func Enqueue(ctx context.Context, client *ent.Client, events []*ent.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	hooks, err := client.Webhook.Query().Where(webhook.Active(true)).Order(ent.Asc(webhook.FieldID)).All(sys)
	if err != nil {
		return fmt.Errorf("webhooks: find the webhooks: %w", err)
	}
	if len(hooks) == 0 {
		return nil
	}
	now := time.Now().UTC()
	var rows []*ent.WebhookDeliveryCreate
	for _, w := range hooks {
		var taken []*ent.AuditEvent
		for _, e := range events {
			if slices.Contains(w.Events, kindOf(e)) {
				taken = append(taken, e)
			}
		}
		if len(taken) == 0 {
			continue
		}
		if taken, err = passing(ctx, client, w, taken); err != nil {
			return err
		}
		for _, e := range taken {
			rows = append(rows, client.WebhookDelivery.Create().
				SetWebhookID(w.ID).
				SetAuditEventID(e.ID).
				SetEvent(kindOf(e)).
				SetNextAttemptAt(now).
				SetCreatedAt(now))
		}
	}
	for len(rows) > 0 {
		n := min(len(rows), batch)
		if err := client.WebhookDelivery.CreateBulk(rows[:n]...).Exec(sys); err != nil {
			return fmt.Errorf("webhooks: record the deliveries: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// passing are those of events that pass w's filter and that w's partner,
// for a partner's webhook, may read: the audit trail's own privacy rules
// decide, for a PARTNER actor of that partner.
func passing(ctx context.Context, client *ent.Client, w *ent.Webhook, events []*ent.AuditEvent) ([]*ent.AuditEvent, error) {
	if len(w.Predicate) == 0 && w.PartnerID == nil {
		return events, nil
	}
	var match []predicate.AuditEvent
	if len(w.Predicate) > 0 {
		var where ent.AuditEventWhereInput
		if err := json.Unmarshal(w.Predicate, &where); err != nil {
			return nil, fmt.Errorf("webhooks: read the filter of webhook %d: %w", w.ID, err)
		}
		p, err := where.P()
		if err != nil {
			return nil, fmt.Errorf("webhooks: the filter of webhook %d: %w", w.ID, err)
		}
		match = append(match, p)
	}
	qctx := privacy.DecisionContext(ctx, privacy.Allow)
	if w.PartnerID != nil {
		qctx = auth.WithActor(ctx, &auth.Actor{Role: auth.Partner, Name: "webhook", PartnerID: *w.PartnerID})
	}
	kept := make(map[int]bool, len(events))
	for chunk := range slices.Chunk(events, batch) {
		ids := make([]int, len(chunk))
		for i, e := range chunk {
			ids[i] = e.ID
		}
		got, err := client.AuditEvent.Query().Where(append(match, auditevent.IDIn(ids...))...).IDs(qctx)
		if err != nil {
			return nil, fmt.Errorf("webhooks: filter for webhook %d: %w", w.ID, err)
		}
		for _, id := range got {
			kept[id] = true
		}
	}
	if w.PartnerID != nil {
		if err := keepFormer(qctx, client, *w.PartnerID, events, kept, match); err != nil {
			return nil, fmt.Errorf("webhooks: deletions for webhook %d: %w", w.ID, err)
		}
	}
	out := events[:0:0]
	for _, e := range events {
		if kept[e.ID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// keepFormer adds to kept the deletions that were the partner's until they
// happened, which its view no longer shows when the transaction commits: a
// project's deletion whose event records the partner among the
// participations deleted with it, and a participation's deletion that
// records the partner, or a project the partner still takes part in.
func keepFormer(ctx context.Context, client *ent.Client, partnerID int, events []*ent.AuditEvent, kept map[int]bool, match []predicate.AuditEvent) error {
	partner := globalid.Encode(partnerID)
	var ask []*ent.AuditEvent // participations' deletions of other partners
	projects := map[int]bool{}
	for _, e := range events {
		if kept[e.ID] || e.Operation != auditevent.OperationDELETE {
			continue
		}
		switch e.EntityType {
		case auditevent.EntityTypeProject:
			var former []struct{ PartnerID string }
			if old, ok := audit.Value(e.Changes, "participations", true); ok && json.Unmarshal(old, &former) == nil &&
				slices.ContainsFunc(former, func(p struct{ PartnerID string }) bool { return p.PartnerID == partner }) {
				kept[e.ID] = true
			}
		case auditevent.EntityTypeProjectParticipant:
			if id, ok := audit.ID(e.Changes, "partnerID", true); ok && id == partnerID {
				kept[e.ID] = true
			} else if id, ok := audit.ID(e.Changes, "projectID", true); ok {
				ask = append(ask, e)
				projects[id] = true
			}
		}
	}
	if len(ask) > 0 {
		ids := make([]int, 0, len(projects))
		for id := range projects {
			ids = append(ids, id)
		}
		own, err := client.ProjectParticipant.Query().
			Where(projectparticipant.PartnerID(partnerID), projectparticipant.ProjectIDIn(ids...)).
			Select(projectparticipant.FieldProjectID).Ints(privacy.DecisionContext(ctx, privacy.Allow))
		if err != nil {
			return err
		}
		for _, e := range ask {
			if id, _ := audit.ID(e.Changes, "projectID", true); slices.Contains(own, id) {
				kept[e.ID] = true
			}
		}
	}
	if len(match) == 0 {
		return nil
	}
	// the webhook's own filter still applies
	var extra []int
	for _, e := range events {
		if kept[e.ID] && e.Operation == auditevent.OperationDELETE {
			extra = append(extra, e.ID)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	pass, err := client.AuditEvent.Query().Where(append(match, auditevent.IDIn(extra...))...).IDs(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return err
	}
	for _, id := range extra {
		kept[id] = slices.Contains(pass, id)
	}
	return nil
}

// kindOf is an audit event's kind of change.
func kindOf(e *ent.AuditEvent) audit.Kind {
	return audit.KindOf(e.EntityType.String(), e.Operation.String())
}
