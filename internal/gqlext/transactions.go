package gqlext

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/ctxflag"
	"github.com/bri-tracker/bri-tracker/internal/outage"
	"github.com/bri-tracker/bri-tracker/internal/rules"
)

// Transactions runs every mutation operation in one database transaction:
// all its fields commit together, or, when any fails, nothing is written
// and the response carries only the errors. Commit-time checks (ent OnCommit
// hooks) that fail are reported like any other error.
type Transactions struct {
	Client  *ent.Client
	Present graphql.ErrorPresenterFunc
}

var (
	_ graphql.HandlerExtension        = Transactions{}
	_ graphql.OperationContextMutator = Transactions{}
	_ graphql.ResponseInterceptor     = Transactions{}
)

// ExtensionName names the extension for gqlgen.
func (Transactions) ExtensionName() string { return "Transactions" }

// Validate checks the extension's configuration.
func (t Transactions) Validate(graphql.ExecutableSchema) error {
	if t.Client == nil || t.Present == nil {
		return errors.New("transactions: client and error presenter are required")
	}
	return nil
}

// MutateOperationContext serialises the resolvers of a mutation: they share
// one transaction, which is not safe for concurrent use.
func (Transactions) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if !isMutation(oc.Operation) {
		return nil
	}
	previous := oc.ResolverMiddleware
	var mu sync.Mutex
	oc.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		return previous(ctx, next)
	}
	return nil
}

// InterceptResponse wraps a mutation in its transaction.
func (t Transactions) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	// Errors before an operation exists (bad JSON, say) come without one.
	if !graphql.HasOperationContext(ctx) || !isMutation(graphql.GetOperationContext(ctx).Operation) {
		return next(ctx)
	}
	tx, err := t.Client.Tx(ctx)
	if err != nil {
		return &graphql.Response{Errors: gqlerror.List{t.Present(ctx, err)}}
	}
	ctx = ent.NewTxContext(ctx, tx)
	ctx = ent.NewContext(ctx, tx.Client())
	ctx = rules.WithTxMemo(ctx)
	defer func() {
		if r := recover(); r != nil {
			_ = tx.Rollback()
			panic(r)
		}
	}()
	rsp := next(ctx)
	if len(rsp.Errors) > 0 {
		_ = tx.Rollback()
		return &graphql.Response{Errors: rsp.Errors, Extensions: rsp.Extensions}
	}
	if f, ok := ctx.Value(beforeCommitKey{}).(BeforeCommitFunc); ok {
		if err := f(ctx, tx, rsp); err != nil {
			_ = tx.Rollback()
			return &graphql.Response{Errors: gqlerror.List{t.Present(ctx, err)}}
		}
	}
	if err := tx.Commit(); err != nil {
		// A commit hook that refused (a rule checked at commit) leaves the
		// transaction open, with its locks (the audit numbering's among
		// them): end it now, not when the request's context ends. After a
		// failed COMMIT itself this is a no-op.
		_ = tx.Rollback()
		if outage.Is(err) {
			err = fmt.Errorf("%w: %w", errCommitUnknown, err)
		}
		return &graphql.Response{Errors: gqlerror.List{t.Present(ctx, err)}}
	}
	committed.Set(ctx)
	return rsp
}

// committed is raised when a request's transaction commits.
var committed ctxflag.Flag

// TrackCommit returns a context in which a committed mutation raises a
// flag, and a function that reports whether one did: a layer that would
// replace the response (a timeout) must not hide a write that happened.
func TrackCommit(ctx context.Context) (context.Context, func() bool) {
	return committed.Track(ctx)
}

// errCommitUnknown marks a commit whose outcome the server cannot know: the
// connection broke after COMMIT was sent.
var errCommitUnknown = errors.New("the connection broke during COMMIT")

// BeforeCommitFunc runs in a mutation's transaction once all its fields have
// succeeded, with the response about to be sent; an error rolls the
// transaction back and is the response's error. The Idempotency-Key layer
// stores the response this way, so that it commits with the write or not
// at all.
type BeforeCommitFunc func(ctx context.Context, tx *ent.Tx, rsp *graphql.Response) error

type beforeCommitKey struct{}

// WithBeforeCommit returns a context whose mutation runs f before it commits.
func WithBeforeCommit(ctx context.Context, f BeforeCommitFunc) context.Context {
	return context.WithValue(ctx, beforeCommitKey{}, f)
}

func isMutation(op *ast.OperationDefinition) bool {
	return op != nil && op.Operation == ast.Mutation
}
