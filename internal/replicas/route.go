package replicas

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"

	"github.com/bri-tracker/bri-tracker/internal/outage"
)

// Reason says why a request read where it did.
type Reason int

// The reasons, as /metrics labels them.
const (
	// ReasonReplica: a replica that had replayed the request's token, or
	// any usable replica for a request without one.
	ReasonReplica Reason = iota
	// ReasonReplicaCaughtUp: a replica that, asked at the time, had
	// replayed the token (the watcher had seen it behind).
	ReasonReplicaCaughtUp
	// ReasonTokenAhead: the primary, since no usable replica had replayed
	// the request's token.
	ReasonTokenAhead
	// ReasonNoReplica: the primary, since no replica was usable (down,
	// lagging, or none configured).
	ReasonNoReplica
	// ReasonFailover: the primary, after the chosen replica failed a
	// statement.
	ReasonFailover
	numReasons
)

var reasonNames = [numReasons]string{"replica", "replica_caught_up", "token_ahead", "no_replica", "failover"}

func (r Reason) String() string { return reasonNames[r] }

// OnReplica reports whether the reason sends reads to a replica.
func (r Reason) OnReplica() bool { return r == ReasonReplica || r == ReasonReplicaCaughtUp }

// Routed counts the read requests by where they read and why.
func (s *Set) Routed() map[Reason]int64 {
	out := make(map[Reason]int64, numReasons)
	for i := range numReasons {
		out[i] = s.routes[i].Load()
	}
	return out
}

// Route is one request's way to the database.
type Route struct {
	set   *Set
	token LSN

	mu       sync.Mutex
	read     bool     // a query operation: may read from a replica
	decided  bool     // the replica (or primary) is chosen
	replica  *Replica // nil: the primary
	reason   Reason
	wrote    bool
	produced LSN // the primary's position after the request's write
}

type routeKey struct{}

// WithRoute returns a context whose statements s routes, honouring token (0:
// none). Until AllowReplica, they go to the primary.
func WithRoute(ctx context.Context, s *Set, token LSN) (context.Context, *Route) {
	r := &Route{set: s, token: token}
	return context.WithValue(ctx, routeKey{}, r), r
}

// FromContext returns the request's route, or nil.
func FromContext(ctx context.Context) *Route {
	r, _ := ctx.Value(routeKey{}).(*Route)
	return r
}

// AllowReplica lets the request read from a replica: it is a query
// operation.
func (r *Route) AllowReplica() {
	r.mu.Lock()
	r.read = true
	r.mu.Unlock()
}

// Wrote reports whether the request has written (or opened a transaction).
func (r *Route) Wrote() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.wrote
}

// SetProduced records the token of the request's write.
func (r *Route) SetProduced(lsn LSN) {
	r.mu.Lock()
	r.produced = lsn
	r.mu.Unlock()
}

// Produced returns the token of the request's write, or 0.
func (r *Route) Produced() LSN {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.produced
}

func (r *Route) choose(ctx context.Context) (*Replica, Reason) {
	if r.decided {
		return r.replica, r.reason
	}
	r.decided = true
	r.replica, r.reason = r.set.pick(ctx, r.token)
	r.set.routes[r.reason].Add(1)
	return r.replica, r.reason
}

// reader returns the replica for the request's next read, or nil for the
// primary.
func (r *Route) reader(ctx context.Context) *Replica {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.read || r.wrote {
		return nil
	}
	rep, _ := r.choose(ctx)
	return rep
}

func (r *Route) markWrote() {
	r.mu.Lock()
	r.wrote = true
	r.mu.Unlock()
}

// failover sends the request's further reads to the primary, once rep
// failed.
func (r *Route) failover(rep *Replica) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.replica == rep {
		r.replica, r.reason = nil, ReasonFailover
		r.set.routes[ReasonFailover].Add(1)
	}
}

// queryer runs ent's read statements.
type queryer interface {
	Query(ctx context.Context, query string, args, v any) error
}

// Driver is the ent driver of a server with replicas: statements go to
// the primary, or, for the reads of a query operation, to a replica as the
// request's Route says.
type Driver struct {
	dialect.Driver
	set     *Set
	release func()
}

// NewDriver wraps the primary's ent driver; Close calls release (which stops
// the watcher and closes the replicas) before closing the primary.
func NewDriver(primary dialect.Driver, s *Set, release func()) *Driver {
	return &Driver{Driver: primary, set: s, release: release}
}

// Close closes the replicas, then the primary.
func (d *Driver) Close() error {
	if d.release != nil {
		d.release()
	}
	return d.Driver.Close()
}

// Exec runs a write on the primary; the request's reads follow it there.
func (d *Driver) Exec(ctx context.Context, query string, args, v any) error {
	if r := FromContext(ctx); r != nil {
		r.markWrote()
	}
	return d.Driver.Exec(ctx, query, args, v)
}

// Query runs a read where the request's route says; when a replica fails
// it, on the primary.
func (d *Driver) Query(ctx context.Context, query string, args, v any) error {
	r := FromContext(ctx)
	if r == nil {
		return d.Driver.Query(ctx, query, args, v)
	}
	rep := r.reader(ctx)
	if rep == nil {
		return d.Driver.Query(ctx, query, args, v)
	}
	err := rep.driver.Query(ctx, query, args, v)
	if err == nil || ctx.Err() != nil || !replicaFailed(err) {
		return err
	}
	if outage.Is(err) {
		d.set.markDown(rep, err)
	}
	r.failover(rep)
	return d.Driver.Query(ctx, query, args, v)
}

// Tx opens a transaction on the primary: the request writes.
func (d *Driver) Tx(ctx context.Context) (dialect.Tx, error) {
	if r := FromContext(ctx); r != nil {
		r.markWrote()
	}
	return d.Driver.Tx(ctx)
}

// BeginTx opens a transaction with options on the primary.
func (d *Driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	if r := FromContext(ctx); r != nil {
		r.markWrote()
	}
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return nil, errors.New("replicas: the primary's driver has no BeginTx")
	}
	return b.BeginTx(ctx, opts)
}

// replicaFailed reports whether a replica's error is the replica's, not the
// statement's: it cannot be reached, or, as a hot standby, it cancelled the
// statement for conflict with recovery (SQLSTATE 40001).
func replicaFailed(err error) bool {
	if outage.Is(err) {
		return true
	}
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "40001"
}
