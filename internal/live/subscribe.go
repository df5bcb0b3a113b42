package live

import (
	"context"
	"errors"
	"sync"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/predicate"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/pagination"
)

// CodeTooSlow is the error code of a subscription closed because its client
// fell behind; the error's extensions carry the cursor to resume after.
const CodeTooSlow = "SUBSCRIBER_TOO_SLOW"

// CodeShuttingDown is the error code of a subscription closed because its
// server process stops; extensions.cursor says where to resume.
const CodeShuttingDown = "SHUTTING_DOWN"

// AuditEvents streams the audit events the actor of ctx may see, after the
// event of after's id (or from now on), that match where: the
// auditEvents subscription.
func AuditEvents(ctx context.Context, h *Hub, client *ent.Client, after *entgql.Cursor[int], where *ent.AuditEventWhereInput) (<-chan *ent.AuditEventEdge, error) {
	var preds []predicate.AuditEvent
	if where != nil {
		var err error
		if preds, err = filter(where.P, ent.ErrEmptyAuditEventWhereInput); err != nil {
			return nil, err
		}
	}
	a := auth.FromContext(ctx)
	keep := func(ctx context.Context, events []*ent.AuditEvent) ([]*ent.AuditEvent, error) {
		if len(preds) == 0 && a != nil && a.Role != auth.Partner {
			return events, nil
		}
		// the events this actor may see that match: the audit trail's
		// privacy rules and the filter, in one query a batch
		return visibleEvents(ctx, client, events, preds...)
	}
	edge := func(e *ent.AuditEvent) (*ent.AuditEventEdge, bool) {
		return &ent.AuditEventEdge{Node: e, Cursor: entgql.Cursor[int]{ID: e.ID}}, true
	}
	return subscribe(ctx, h, after, keep, edge, func(e *ent.AuditEventEdge) entgql.Cursor[int] { return e.Cursor })
}

// filter is a subscription's where argument as predicates (none for an
// empty where), or the client's error naming it.
func filter[P any](where func() (P, error), empty error) ([]P, error) {
	p, err := where()
	switch {
	case errors.Is(err, empty): // where: {} filters nothing
		return nil, nil
	case err != nil:
		return nil, &apperr.Error{Code: apperr.BadUserInput, Field: "where", Message: "where: " + err.Error()}
	}
	return []P{p}, nil
}

// subscribe streams, for the actor of ctx, the committed audit events after
// after's (or from now on) that keep keeps, a batch at a time, each made
// into what the subscription sends by item (false: skip it). A stream that
// ends for a reason of the server's says so with the cursor of the last
// item sent (fail).
func subscribe[T any](ctx context.Context, h *Hub, after *entgql.Cursor[int], keep func(context.Context, []*ent.AuditEvent) ([]*ent.AuditEvent, error), item func(*ent.AuditEvent) (T, bool), cursor func(T) entgql.Cursor[int]) (<-chan T, error) {
	if h == nil {
		return nil, &apperr.Error{Code: apperr.BadUserInput, Message: "this server runs no subscriptions"}
	}
	a := auth.FromContext(ctx)
	if a == nil || a.Role == auth.Anonymous {
		return nil, &apperr.Error{Code: apperr.Unauthenticated, Message: "subscriptions are for callers with an API key"}
	}
	// from now: after the last event committed, whether or not this
	// process's hub has read it yet
	from, err := h.maxSeq(ctx)
	if err != nil {
		return nil, err
	}
	if after != nil {
		seq, ok, err := h.SeqOf(ctx, after.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &apperr.Error{Code: apperr.BadUserInput, Field: "after", Message: "after: no committed audit event has this cursor"}
		}
		from = seq
	}
	events, end := h.Stream(ctx, from, keep)
	out := make(chan T)
	finished := started(ctx)
	go func() {
		defer finished()
		defer close(out)
		last := after
		for e := range events {
			v, ok := item(e)
			if !ok {
				continue
			}
			c := cursor(v)
			select {
			case out <- v:
				last = &c
			case <-ctx.Done():
				return
			}
		}
		passed, err := end()
		if cause := context.Cause(ctx); errors.Is(cause, ErrKeyRevoked) {
			err = cause
		} else if ctx.Err() != nil {
			return // the client left
		}
		if err == nil {
			return
		}
		// resume after the last event the stream passed, delivered or
		// filtered out; else where it began
		switch {
		case passed != 0:
			last = &entgql.Cursor[int]{ID: passed}
		case last == nil && from > 0:
			if id, ok := h.idAt(ctx, from); ok {
				last = &entgql.Cursor[int]{ID: id}
			}
		}
		fail(ctx, err, last)
	}()
	return out, nil
}

// ErrKeyRevoked is the cause of a subscription's end (context.Cause) when
// its API key was revoked (see Keys).
var ErrKeyRevoked = errors.New("the API key was revoked")

// ---- ending a subscription with an error

type failureKey struct{}

type failure struct {
	mu   sync.Mutex
	err  *gqlerror.Error
	sent bool
	// done, when a stream started, is closed once it has ended and said
	// why (fail)
	done chan struct{}
}

// started notes that the subscription of ctx streams; the returned func
// says it has ended.
func started(ctx context.Context) func() {
	f, _ := ctx.Value(failureKey{}).(*failure)
	if f == nil {
		return func() {}
	}
	done := make(chan struct{})
	f.mu.Lock()
	f.done = done
	f.mu.Unlock()
	return func() { close(done) }
}

// fail records why the subscription of ctx ends; Errors sends it as the
// subscription's last response.
func fail(ctx context.Context, err error, last *entgql.Cursor[int]) {
	f, _ := ctx.Value(failureKey{}).(*failure)
	if f == nil {
		return
	}
	ext := map[string]any{}
	var msg string
	switch {
	case errors.Is(err, ErrTooSlow):
		ext["code"] = CodeTooSlow
		msg = "the subscription was closed: its client fell too far behind the events; subscribe again with after set to extensions.cursor"
	case errors.Is(err, ErrStopped):
		ext["code"] = CodeShuttingDown
		msg = "the subscription was closed: this server process is shutting down; subscribe again, with after set to extensions.cursor"
	case errors.Is(err, ErrKeyRevoked):
		ext["code"] = string(apperr.Unauthenticated)
		msg = "the subscription was closed: its API key was revoked"
	default:
		ext["code"] = "SUBSCRIPTION_FAILED"
		msg = "the subscription ended: the events could not be read; subscribe again with after set to extensions.cursor"
	}
	if last != nil {
		ext["cursor"] = pagination.CursorString(*last)
	}
	f.mu.Lock()
	f.err = &gqlerror.Error{Message: msg, Extensions: ext}
	f.mu.Unlock()
}

// Errors is the handler extension that ends a subscription with the error
// that closed it (fail), as its last response, rather than with a silent
// completion.
type Errors struct{}

var (
	_ graphql.HandlerExtension     = Errors{}
	_ graphql.OperationInterceptor = Errors{}
)

// ExtensionName names the extension.
func (Errors) ExtensionName() string { return "SubscriptionErrors" }

// Validate has nothing to check.
func (Errors) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation gives a subscription somewhere to record its end.
func (Errors) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	f := &failure{}
	responses := next(context.WithValue(ctx, failureKey{}, f))
	return func(ctx context.Context) *graphql.Response {
		if r := responses(ctx); r != nil {
			return r
		}
		// The executor ends the stream as soon as the subscription's
		// context ends, maybe before the stream has said why: wait for it.
		f.mu.Lock()
		done := f.done
		f.mu.Unlock()
		if done != nil {
			select {
			case <-done:
			case <-time.After(5 * time.Second): // never expected: the stream follows ctx
			}
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.err == nil || f.sent {
			return nil
		}
		f.sent = true
		return &graphql.Response{Errors: gqlerror.List{f.err}}
	}
}
