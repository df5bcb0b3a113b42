// Package live turns the audit trail into a stream: every committed write's
// audit events, in commit order, delivered to subscribers connected to any
// server process, resumable from any event's cursor.
//
// Commit order. Audit event ids come from a sequence as rows are inserted,
// so two transactions may commit in the other order than their ids: a reader
// that has passed id 11 would miss id 10 committed after it. Each event
// therefore gets a second number, seq, as its transaction commits: under a
// transaction-scoped advisory lock, the transaction numbers its events after
// the highest seq committed so far, then commits, which releases the lock.
// Numbers are thus handed out one transaction after another in commit
// order, and a reader that has seen seq n has seen every event numbered
// before n: the stream has no gap and no duplicate. Rolled-back
// transactions number nothing.
//
// On PostgreSQL a deferred constraint trigger (migration
// 20261206221800_audit_event_numbering_trigger.sql) does it inside the
// COMMIT, with NOTIFY bri_audit (the schema's name as payload) to every
// listening process, so the lock is held across no client round trip: a
// server process busy with other work cannot hold up every other writer.
// On SQLite, whose writers take turns anyway, the commit hook of Numbering
// numbers just before COMMIT, without a lock. The events themselves are
// read from the table, so nothing depends on the size of a notification;
// the committing process wakes its own readers at once (Numbering's
// committed).
package live

import (
	"context"
	"fmt"
	"sync"

	"entgo.io/ent/dialect"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// Channel is the PostgreSQL notification channel of committed audit events;
// the payload is the schema's name, so that schemas sharing a database do
// not wake each other's readers.
const Channel = "bri_audit"

// numberSQL numbers the events not numbered yet, in id order, after the
// highest number given so far. Under READ COMMITTED (the server's isolation)
// the statement sees every number committed before it, and the lock (on
// PostgreSQL) keeps anyone else from numbering until this transaction ends.
const numberSQL = `UPDATE audit_events AS a SET seq = n.base + n.rn
FROM (SELECT u.id, ROW_NUMBER() OVER (ORDER BY u.id) AS rn, m.base
      FROM audit_events AS u, (SELECT COALESCE(MAX(seq), 0) AS base FROM audit_events) AS m
      WHERE u.seq IS NULL) AS n
WHERE a.id = n.id`

const (
	lockSQL   = `SELECT pg_advisory_xact_lock(hashtext('bri-tracker audit seq ' || current_schema()))`
	notifySQL = `SELECT pg_notify('` + Channel + `', current_schema())`
)

// number numbers tx's events (and any other committed ones not numbered
// yet) and, on PostgreSQL, queues the notification sent at commit.
func number(ctx context.Context, tx *ent.Tx, d string) (int64, error) {
	if d == dialect.Postgres {
		if _, err := tx.ExecContext(ctx, lockSQL); err != nil {
			return 0, fmt.Errorf("audit: wait for the numbering lock: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, numberSQL)
	if err != nil {
		return 0, fmt.Errorf("audit: number the events: %w", err)
	}
	n, _ := res.RowsAffected()
	if n > 0 && d == dialect.Postgres {
		if _, err := tx.ExecContext(ctx, notifySQL); err != nil {
			return 0, fmt.Errorf("audit: notify: %w", err)
		}
	}
	return n, nil
}

// Numbering is the hook, registered on every client (store.Setup does), that
// numbers a transaction's audit events as it commits on SQLite (PostgreSQL's
// trigger does it there), and calls committed, when set, after each commit
// of audit events: this process's readers need not wait for a notification.
// On SQLite an event written outside a transaction is committed at once and
// numbered right after, in a transaction of its own.
func Numbering(d string, committed func()) ent.Hook {
	var pending sync.Map // *ent.Tx (of the context) → struct{}: transactions with their commit hook
	wake := func() {
		if committed != nil {
			committed()
		}
	}
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.AuditEventFunc(func(ctx context.Context, m *ent.AuditEventMutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			tx, err := m.Tx()
			if err != nil { // committed already
				if d != dialect.Postgres {
					if _, err := Number(ctx, m.Client(), d); err != nil {
						return nil, err
					}
				}
				wake()
				return v, nil
			}
			// once per transaction. A transaction known only to the
			// mutation (not in ctx) gets a hook per write, which number
			// nothing after the first.
			key := ent.TxFromContext(ctx)
			if key != nil {
				if _, loaded := pending.LoadOrStore(key, struct{}{}); loaded {
					return v, nil
				}
			}
			tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
				return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
					pending.Delete(key)
					return next.Rollback(ctx, tx)
				})
			})
			tx.OnCommit(func(next ent.Committer) ent.Committer {
				return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
					pending.Delete(key)
					if d != dialect.Postgres {
						if _, err := number(ctx, tx, d); err != nil {
							return err
						}
					}
					if err := next.Commit(ctx, tx); err != nil {
						return err
					}
					wake()
					return nil
				})
			})
			return v, nil
		})
	}, ent.OpCreate)
}

// Number numbers, in a transaction of its own, the committed events not
// numbered yet: those written outside a transaction, or before numbering
// existed. It returns how many it numbered.
func Number(ctx context.Context, client *ent.Client, d string) (int64, error) {
	tx, err := client.Tx(auth.SystemContext(ctx, "audit"))
	if err != nil {
		return 0, err
	}
	n, err := number(ctx, tx, d)
	if err != nil {
		_ = tx.Rollback()
		return 0, err
	}
	return n, tx.Commit()
}
