package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/internal/telemetry"
)

// Options configure a Hub.
type Options struct {
	// ListenURL is the PostgreSQL URL to LISTEN on: the primary itself
	// (not PgBouncer in transaction mode, which keeps no session). Empty on
	// SQLite.
	ListenURL string
	// Committed is notified by this process's commits (store.DB.Committed).
	Committed *Signal
	// Poll is how often the hub looks for new events without being woken:
	// a safety net for a notification lost while the listener reconnects.
	Poll time.Duration
	// Recent is how many recent events the hub keeps for its subscribers;
	// a subscriber further behind than that reads from the database while
	// it catches up, and a live one that falls that far behind is too slow
	// and is closed (ErrTooSlow).
	Recent int
	// KeyCheck is how often the subscriptions' API keys are checked: a
	// revoked key's subscriptions end within that.
	KeyCheck time.Duration
	// MaxDelay is how far behind the commits a subscriber that has caught
	// up may fall before it is too slow (ErrTooSlow): how old the next
	// event it would be sent may be.
	MaxDelay time.Duration
	Logger   *slog.Logger
}

// DefaultOptions are a server's.
var DefaultOptions = Options{Poll: time.Second, Recent: 4096, KeyCheck: 2 * time.Second, MaxDelay: time.Minute}

// batch is how many events one read takes.
const batch = 500

// Hub reads the committed audit events of its database in commit order, as
// they commit, and keeps the most recent for its subscribers: one reader
// per process, however many subscribers.
type Hub struct {
	client *ent.Client
	d      string
	o      Options
	// Keys are the subscriptions' API keys, ended when revoked.
	Keys *Keys

	mu     sync.Mutex
	recent []*ent.AuditEvent // ascending seq, the last o.Recent read
	head   int64             // the highest seq read
	grown  *Signal           // notified when recent grows
	done   chan struct{}     // closed when Run returns
	failed error             // the last read's error, nil once one succeeds
}

// NewHub returns a hub over client's database (dialect d), reading from
// the highest seq committed so far. Run starts it.
func NewHub(ctx context.Context, client *ent.Client, d string, o Options) (*Hub, error) {
	if o.Poll <= 0 {
		o.Poll = DefaultOptions.Poll
	}
	if o.Recent <= 0 {
		o.Recent = DefaultOptions.Recent
	}
	if o.KeyCheck <= 0 {
		o.KeyCheck = DefaultOptions.KeyCheck
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = DefaultOptions.MaxDelay
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &Hub{client: client, d: d, o: o, grown: NewSignal(), Keys: NewKeys(), done: make(chan struct{})}
	head, err := h.maxSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	h.head = head
	return h, nil
}

// system is the context of the hub's own reads: for everyone (subscribers
// filter), and background work that makes no trace spans.
func system(ctx context.Context) context.Context {
	return telemetry.Untraced(privacy.DecisionContext(ctx, privacy.Allow))
}

func (h *Hub) maxSeq(ctx context.Context) (int64, error) {
	e, err := h.client.AuditEvent.Query().Where(auditevent.SeqNotNil()).
		Order(ent.Desc(auditevent.FieldSeq)).First(system(ctx))
	switch {
	case ent.IsNotFound(err):
		return 0, nil
	case err != nil:
		return 0, err
	}
	return *e.Seq, nil
}

// Run reads new events whenever this process commits some, another
// process's commit is notified, or Poll passes, until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	defer close(h.done)
	go h.Keys.Watch(ctx, h.client, h.o.KeyCheck, h.o.Logger)
	var notified <-chan *pq.Notification
	if h.d == dialect.Postgres && h.o.ListenURL != "" {
		l := pq.NewListener(h.o.ListenURL, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
			if err != nil {
				h.o.Logger.Warn("live: listening for commits", "event", ev, "err", err)
			}
		})
		defer l.Close()
		if err := l.Listen(Channel); err != nil {
			h.o.Logger.Error("live: LISTEN "+Channel+" failed: other processes' commits arrive by polling", "err", err)
		} else {
			notified = l.Notify
		}
	}
	tick := time.NewTicker(h.o.Poll)
	defer tick.Stop()
	for {
		var committed <-chan struct{}
		if h.o.Committed != nil {
			committed = h.o.Committed.C()
		}
		h.read(ctx)
		select {
		case <-ctx.Done():
			return
		case <-committed:
		case <-notified: // a commit, or nil after reconnecting: read either way
		case <-tick.C:
		}
	}
}

// read takes every event committed since the last read.
func (h *Hub) read(ctx context.Context) {
	for {
		h.mu.Lock()
		head := h.head
		h.mu.Unlock()
		events, err := h.client.AuditEvent.Query().Where(auditevent.SeqGT(head)).
			Order(ent.Asc(auditevent.FieldSeq)).Limit(batch).All(system(ctx))
		h.mu.Lock()
		if err != nil {
			if ctx.Err() == nil && h.failed == nil {
				h.o.Logger.Error("live: reading committed audit events", "err", err)
			}
			h.failed = err
			h.mu.Unlock()
			return
		}
		h.failed = nil
		if len(events) > 0 {
			h.recent = append(h.recent, events...)
			if over := len(h.recent) - h.o.Recent; over > 0 {
				h.recent = append(h.recent[:0:0], h.recent[over:]...)
			}
			h.head = *events[len(events)-1].Seq
			h.grown.Notify()
		}
		h.mu.Unlock()
		if len(events) < batch {
			return
		}
	}
}

// Head is the highest seq the hub has read.
func (h *Hub) Head() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.head
}

// since returns the recent events after seq and a channel closed when more
// arrive; covered is false when the recent events no longer reach back to
// seq (the caller reads the database instead).
func (h *Hub) since(seq int64) (events []*ent.AuditEvent, covered bool, more <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	more = h.grown.C()
	if seq >= h.head {
		return nil, true, more
	}
	if len(h.recent) == 0 || *h.recent[0].Seq > seq+1 {
		return nil, false, more
	}
	i := sort.Search(len(h.recent), func(i int) bool { return *h.recent[i].Seq > seq })
	return h.recent[i:], true, more
}

// idAt is the id of the event numbered seq.
func (h *Hub) idAt(ctx context.Context, seq int64) (int, bool) {
	e, err := h.client.AuditEvent.Query().Where(auditevent.Seq(seq)).Only(system(context.WithoutCancel(ctx)))
	if err != nil {
		return 0, false
	}
	return e.ID, true
}

// ErrStopped ends the subscriptions of a hub that stopped: the server is
// shutting down.
var ErrStopped = errors.New("the server is shutting down")

// ErrTooSlow ends a subscription whose client did not take its events as
// fast as they came.
var ErrTooSlow = errors.New("the subscriber fell too far behind the events")

// SeqOf is the seq of the audit event id: where a subscription that resumes
// after it starts. ok is false when there is no such event that the actor
// of ctx may see (the audit trail's privacy rules), or it is not numbered
// yet.
func (h *Hub) SeqOf(ctx context.Context, id int) (seq int64, ok bool, err error) {
	e, err := h.client.AuditEvent.Query().Where(auditevent.ID(id)).Only(telemetry.Untraced(ctx))
	switch {
	case ent.IsNotFound(err):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	case e.Seq == nil:
		return 0, false, nil
	}
	return *e.Seq, true, nil
}

// Stream sends, on the returned channel, every event after seq from, in
// order, until ctx ends or an error ends it. end, once the channel is
// closed, says the id of the last event the stream passed, sent or not (0
// for none: where to resume) and why it ended (nil when ctx ended). An event
// reaches the channel only if keep says so (the subscriber's permissions
// and filter, asked for a batch at a time). A subscriber reads the recent
// events the hub keeps, or the database when it is further behind (after
// an old cursor, or a write of more events than the hub keeps). One that
// has caught up once and then takes events so slowly that the next is more
// than Options.MaxDelay old is ended with ErrTooSlow: it holds at most one
// batch meanwhile, however far behind it is.
func (h *Hub) Stream(ctx context.Context, from int64, keep func(context.Context, []*ent.AuditEvent) ([]*ent.AuditEvent, error)) (<-chan *ent.AuditEvent, func() (int, error)) {
	out := make(chan *ent.AuditEvent)
	var (
		err  error
		last int
	)
	go func() {
		defer close(out)
		err = h.stream(ctx, from, keep, out, &last)
	}()
	return out, func() (int, error) { return last, err }
}

func (h *Hub) stream(ctx context.Context, pos int64, keep func(context.Context, []*ent.AuditEvent) ([]*ent.AuditEvent, error), out chan<- *ent.AuditEvent, last *int) error {
	live := false
	for {
		events, covered, more := h.since(pos)
		if covered {
			live = true
			if len(events) > batch {
				events = events[:batch]
			}
		} else {
			var err error
			events, err = h.client.AuditEvent.Query().Where(auditevent.SeqGT(pos)).
				Order(ent.Asc(auditevent.FieldSeq)).Limit(batch).All(system(ctx))
			if err != nil {
				return err
			}
		}
		if len(events) == 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-h.done:
				return ErrStopped
			case <-more:
				continue
			}
		}
		kept, err := keep(ctx, events)
		if err != nil {
			return err
		}
		next := 0
		for _, e := range events {
			if next < len(kept) && kept[next] == e {
				next++
				if live && time.Since(e.At) > h.o.MaxDelay {
					return ErrTooSlow
				}
				select {
				case out <- e:
				case <-ctx.Done():
					return nil
				case <-h.done:
					return ErrStopped
				}
			}
			*last = e.ID
		}
		pos = *events[len(events)-1].Seq
	}
}
