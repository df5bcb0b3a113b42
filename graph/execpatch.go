package graph

import (
	"context"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceInOrder marshals a list's elements one after another in the
// calling goroutine; the generated executor calls it where gqlgen would start
// a goroutine per element (see internal/codegen/gqlpatch). Like gqlgen, it
// gives each element a field context with its index and, unless
// omitPanicHandler, turns a panic into an error on that element and a null
// in its place. workerLimit has no use here.
func marshalSliceInOrder(ctx context.Context, length int, _ int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					ret[i] = graphql.Null
				}
			}()
			ret[i] = marshalElement(childCtx, i)
		}()
	}
	return ret
}

// newDeferredGroup is graphql.NewDeferredGroup without what gqlgen builds
// (and allocates) for every object it marshals but needs only for an object
// with @defer fragments: the field's path (withPath adds it then) and the
// deferred fields' set (resolveInOrder makes it for the first such field).
func newDeferredGroup(ctx context.Context) graphql.DeferredGroup {
	return graphql.DeferredGroup{Context: ctx}
}

// withPath gives a deferred group its path before gqlgen processes it.
func withPath(g graphql.DeferredGroup) graphql.DeferredGroup {
	g.Path = graphql.GetPath(g.Context)
	return g
}

// resolveInOrder resolves an object's field that gqlgen would schedule to
// run concurrently with its siblings (a resolver, or an ent edge method),
// here and now, as graphql.FieldSet.ResolveConcurrently's task would: a
// panic becomes an error and a null when recoverFromPanic, and a null where
// the schema forbids one makes the object invalid. A field of an @defer
// fragment goes to gqlgen, which delivers it later.
func resolveInOrder(ctx context.Context, out *graphql.FieldSet, field graphql.CollectedField,
	oc *graphql.OperationContext, deferred *graphql.DeferredGroup, i int, recoverFromPanic, nonNull bool,
	resolve func(ctx context.Context) graphql.Marshaler,
) {
	if field.IsDeferred() {
		if deferred.FieldSet == nil {
			deferred.FieldSet = graphql.NewFieldSet(nil)
			deferred.Defers = make(map[string]*graphql.FieldSetView)
		}
		out.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
		return
	}
	v := func() (res graphql.Marshaler) {
		if recoverFromPanic {
			defer func() {
				if r := recover(); r != nil {
					oc.Error(ctx, oc.Recover(ctx, r))
					res = graphql.Null
				}
			}()
		}
		return resolve(ctx)
	}()
	out.Values[i] = v
	invalid := graphql.RequiredNull
	if nonNull {
		invalid = graphql.Null
	}
	if v == invalid {
		atomic.AddUint32(&out.Invalids, 1)
	}
}
