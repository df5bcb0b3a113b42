// Package replicas sends the reads of query operations to PostgreSQL
// streaming replicas, and everything else to the primary, without a client
// ever reading older data than it has written.
//
// A Set holds the primary and its replicas and watches each replica: whether
// it answers, how far it has replayed the primary's write-ahead log
// (pg_last_wal_replay_lsn()) and how old its data is. A request gets a Route
// (WithRoute); the Driver, under the ent client, asks the route where each
// statement goes:
//   - statements of a request that is not a query operation (mutations, API
//     key checks, idempotency records), and every statement of a request
//     after it has written, go to the primary;
//   - a query operation reads from one replica for all its statements,
//     chosen round-robin among those that answer and are no further behind
//     than the Set's maximum lag;
//   - a request that presents a consistency token (the primary's WAL
//     position after an earlier write, see Token) reads from a replica only
//     if that replica has replayed that position, otherwise from the
//     primary;
//   - a replica that fails a statement because it cannot be reached is
//     skipped until it answers the watcher again, and the statement runs on
//     the primary; so does a statement a hot standby cancelled for conflict
//     with recovery.
package replicas

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/outage"
)

// LSN is a position in PostgreSQL's write-ahead log.
type LSN uint64

// ParseLSN reads an LSN in PostgreSQL's text form, two hexadecimal numbers
// separated by a slash (0/16B3748).
func ParseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok || hi == "" || lo == "" || len(hi) > 8 || len(lo) > 8 {
		return 0, fmt.Errorf("%q is not a WAL position such as 0/16B3748", s)
	}
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%q is not a WAL position such as 0/16B3748", s)
	}
	return LSN(h<<32 | l), nil
}

// String writes l as PostgreSQL does.
func (l LSN) String() string {
	return strconv.FormatUint(uint64(l)>>32, 16) + "/" + strings.ToUpper(strconv.FormatUint(uint64(l)&0xFFFFFFFF, 16))
}

// Replica is one streaming replica and what the watcher last saw of it.
type Replica struct {
	// Name identifies the replica in /readyz, /metrics and logs: its host,
	// port and database, never its credentials.
	Name string
	db   *sql.DB
	// driver runs the ent statements on db.
	driver queryer

	state atomic.Pointer[State]
	// down is set when a request's statement found the replica unreachable:
	// it is skipped until the watcher sees it answer again.
	down atomic.Bool
}

// DB is the replica's pool of connections.
func (r *Replica) DB() *sql.DB { return r.db }

// Close closes the replica's connections.
func (r *Replica) Close() error { return r.db.Close() }

// State is what the watcher saw of a replica at its last check.
type State struct {
	// Up: the replica answered as a hot standby.
	Up bool
	// Error says why it is not up.
	Error string
	// Replayed is how far it has replayed the primary's WAL.
	Replayed LSN
	// Lag is how old its data is: the time since the primary was last seen
	// at a WAL position the replica has replayed (0 when it has replayed
	// everything the primary had written at the check).
	Lag time.Duration
	// LagBytes is how much of the primary's WAL it has yet to replay.
	LagBytes uint64
	// Paused: its replay is paused (pg_wal_replay_pause()).
	Paused bool
	// Checked is when the watcher looked.
	Checked time.Time
}

// Serving reports whether the replica serves reads: it answers as a hot
// standby within the maximum lag.
func (s State) Serving() bool { return s.Up && s.Error == "" }

// State returns what the watcher last saw; before the first check, a
// replica is not up.
func (r *Replica) State() State {
	if s := r.state.Load(); s != nil {
		st := *s
		if r.down.Load() {
			st.Up = false
			st.Error = "unreachable from a request since the last check"
		}
		return st
	}
	return State{Error: "not checked yet"}
}

// Set is the primary and its replicas.
type Set struct {
	primary  *sql.DB
	replicas []*Replica
	maxLag   time.Duration
	interval time.Duration
	logger   *slog.Logger

	next atomic.Uint32
	// floor is the position every read needs: the primary's after the
	// start-up migrations, so that no replica that lacks the schema serves.
	floor atomic.Uint64

	// samples are the primary's WAL positions at recent checks, oldest
	// first: a replica that has replayed a sample's position holds the data
	// of that sample's time.
	mu      sync.Mutex
	samples []sample

	routes [numReasons]atomic.Int64
}

type sample struct {
	at  time.Time
	lsn LSN
}

// maxSamples bounds the primary's positions kept: at the default interval,
// ten minutes of them; a replica further behind has at least that lag.
const maxSamples = 600

// Options configure a Set.
type Options struct {
	// MaxLag is how far behind (in time) a replica may be and still serve
	// reads; 0 means 30 seconds.
	MaxLag time.Duration
	// Interval is how often each replica is checked; 0 means one second.
	Interval time.Duration
	Logger   *slog.Logger
}

// Replicas lists the set's replicas.
func (s *Set) Replicas() []*Replica { return s.replicas }

// MaxLag is the most a replica may lag and still serve reads.
func (s *Set) MaxLag() time.Duration { return s.maxLag }

// New returns the set of primary and replicas (each with its name and the
// ent driver over it). Run starts watching them.
func New(primary *sql.DB, replicas []*Replica, o Options) *Set {
	if o.MaxLag <= 0 {
		o.MaxLag = 30 * time.Second
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Set{primary: primary, replicas: replicas, maxLag: o.MaxLag, interval: o.Interval, logger: o.Logger}
}

// NewReplica returns a replica over db, whose ent statements drv runs.
func NewReplica(name string, db *sql.DB, drv queryer) *Replica {
	return &Replica{Name: name, db: db, driver: drv}
}

// Run checks the replicas at once and then every interval until ctx ends.
func (s *Set) Run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		s.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check looks at every replica once: the primary's position first, then
// each replica's.
func (s *Set) Check(ctx context.Context) {
	if len(s.replicas) == 0 {
		return
	}
	now := time.Now()
	if lsn, err := s.PrimaryLSN(ctx); err == nil {
		s.mu.Lock()
		s.samples = append(s.samples, sample{at: now, lsn: lsn})
		if len(s.samples) > maxSamples {
			s.samples = append(s.samples[:0], s.samples[len(s.samples)-maxSamples:]...)
		}
		s.mu.Unlock()
	}
	for _, r := range s.replicas {
		s.check(ctx, r)
	}
}

func (s *Set) check(ctx context.Context, r *Replica) {
	ctx, cancel := context.WithTimeout(ctx, max(s.interval, 2*time.Second))
	defer cancel()
	st := State{Checked: time.Now()}
	var recovery bool
	var replayed sql.NullString
	var paused sql.NullBool
	err := r.db.QueryRowContext(ctx, `SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, `+
		`CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END`).Scan(&recovery, &replayed, &paused)
	switch {
	case err != nil:
		st.Error = "does not answer: " + errorText(err)
	case !recovery || !replayed.Valid:
		st.Error = "is not a standby in recovery (promoted?)"
	default:
		st.Replayed, err = ParseLSN(replayed.String)
		if err != nil {
			st.Error = err.Error()
			break
		}
		st.Up = true
		st.Paused = paused.Bool
		st.Lag, st.LagBytes = s.lag(st.Replayed, st.Checked)
		if st.Lag > s.maxLag {
			st.Error = fmt.Sprintf("lags %s behind the primary (more than %s)", st.Lag.Round(time.Millisecond), s.maxLag)
		}
	}
	prev := r.state.Swap(&st)
	wasDown := r.down.Swap(false)
	usable := st.Serving()
	if prev == nil || usable != prev.Serving() || (wasDown && usable) {
		if usable {
			s.logger.Info("replica serves reads", "replica", r.Name, "lag", st.Lag, "replayed", st.Replayed.String())
		} else {
			s.logger.Warn("replica skipped: reads go to the primary or other replicas", "replica", r.Name, "reason", st.Error)
		}
	}
}

// lag is how old a replica's data is, replayed up to lsn at now, by the
// primary's positions sampled at the checks; and the WAL it has yet to
// replay.
func (s *Set) lag(lsn LSN, now time.Time) (time.Duration, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.samples) == 0 {
		return 0, 0
	}
	last := s.samples[len(s.samples)-1]
	if lsn >= last.lsn {
		return 0, 0
	}
	// the newest sample the replica has reached tells how old its data is
	for i := len(s.samples) - 2; i >= 0; i-- {
		if s.samples[i].lsn <= lsn {
			return now.Sub(s.samples[i+1].at), uint64(last.lsn - lsn)
		}
	}
	return now.Sub(s.samples[0].at), uint64(last.lsn - lsn)
}

// PrimaryLSN returns the primary's current WAL position: once a write has
// committed, a replica that has replayed this far sees it.
func (s *Set) PrimaryLSN(ctx context.Context) (LSN, error) {
	var text string
	if err := s.primary.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&text); err != nil {
		return 0, err
	}
	return ParseLSN(text)
}

// SetFloor makes every read need a replica that has replayed lsn, as if
// every request presented it as its token.
func (s *Set) SetFloor(lsn LSN) {
	for {
		old := s.floor.Load()
		if uint64(lsn) <= old || s.floor.CompareAndSwap(old, uint64(lsn)) {
			return
		}
	}
}

// usable reports whether r may serve reads of a request whose token is
// token (0: none), by what the watcher saw.
func (s *Set) usable(r *Replica, token LSN) (ok, reached bool) {
	st := r.state.Load()
	if st == nil || !st.Serving() || r.down.Load() {
		return false, false
	}
	return true, st.Replayed >= token
}

// pick chooses the replica a request reads from, or nil for the primary,
// and says why.
func (s *Set) pick(ctx context.Context, token LSN) (*Replica, Reason) {
	n := len(s.replicas)
	if n == 0 {
		return nil, ReasonNoReplica
	}
	if floor := LSN(s.floor.Load()); token < floor {
		token = floor
	}
	start := int(s.next.Add(1))
	var candidate *Replica
	for i := range n {
		r := s.replicas[(start+i)%n]
		ok, reached := s.usable(r, token)
		if !ok {
			continue
		}
		if reached {
			return r, ReasonReplica
		}
		if candidate == nil {
			candidate = r
		}
	}
	if candidate == nil {
		return nil, ReasonNoReplica
	}
	// The token is newer than the last check: ask one replica how far it
	// has replayed now (most often it has caught up within milliseconds).
	replayed, err := candidate.replayed(ctx)
	switch {
	case err == nil && replayed >= token:
		return candidate, ReasonReplicaCaughtUp
	case err != nil && outage.Is(err):
		s.markDown(candidate, err)
		return nil, ReasonNoReplica
	}
	return nil, ReasonTokenAhead
}

// replayed asks the replica how far it has replayed, and remembers it.
func (r *Replica) replayed(ctx context.Context) (LSN, error) {
	var text sql.NullString
	if err := r.db.QueryRowContext(ctx, `SELECT pg_last_wal_replay_lsn()::text`).Scan(&text); err != nil {
		return 0, err
	}
	if !text.Valid {
		return 0, errors.New("not a standby")
	}
	lsn, err := ParseLSN(text.String)
	if err != nil {
		return 0, err
	}
	for {
		old := r.state.Load()
		if old == nil || old.Replayed >= lsn {
			break
		}
		st := *old
		st.Replayed = lsn
		if r.state.CompareAndSwap(old, &st) {
			break
		}
	}
	return lsn, nil
}

// markDown makes requests skip r until the watcher sees it answer.
func (s *Set) markDown(r *Replica, err error) {
	if !r.down.Swap(true) {
		s.logger.Warn("replica unreachable: skipped until it answers again", "replica", r.Name, "error", errorText(err))
	}
}

// errorText is an error's message without the driver's prefix.
func errorText(err error) string {
	return strings.TrimPrefix(err.Error(), "pq: ")
}
