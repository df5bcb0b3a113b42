package graph

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceInOrder marshals a list's elements one after another in the
// calling goroutine. The generated executor calls it where gqlgen calls
// graphql.MarshalSliceConcurrently, which starts a goroutine per element:
// internal/codegen/gqlgenerate substitutes the call, and nothing else, on
// the executor's syntax tree. The reason is the one for @disableConcurrency
// (internal/codegen/inorder): nothing in a list element waits on another.
//
// Same signature and results as graphql.MarshalSliceConcurrently: each
// element gets a field context with its index, and unless
// omitPanicHandler, a panic becomes an error on that element and a null in
// its place while the other elements are still marshalled. workerLimit
// limits goroutines, of which this starts none.
func marshalSliceInOrder(ctx context.Context, length int, workerLimit int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) graphql.Array {
	_ = workerLimit
	ret := make(graphql.Array, length)
	// The elements' field contexts and indexes, allocated together rather
	// than two allocations per element.
	fcs := make([]graphql.FieldContext, length)
	indexes := make([]int, length)
	for i := range length {
		indexes[i] = i
		fcs[i].Index = &indexes[i]
		childCtx := graphql.WithFieldContext(ctx, &fcs[i])
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

// The substitution keeps compiling only while both have one signature.
var _ = []func(context.Context, int, int64, bool, func(context.Context, int) graphql.Marshaler) graphql.Array{
	graphql.MarshalSliceConcurrently, marshalSliceInOrder,
}

// objectFields writes an object's fields, in the order collected, as
// graphql.FieldSet's MarshalGQL does, for the objects whose fields the
// executor resolves in order (the executor template's override in
// internal/codegen/gqlgenerate returns it). It skips FieldSet's map of the
// aliases written: the fields of one graphql.CollectFields call have
// distinct aliases already.
type objectFields struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

// MarshalGQL writes the object as JSON.
func (o objectFields) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, "{")
	for i := range o.fields {
		if i > 0 {
			_, _ = io.WriteString(w, ",")
		}
		// An alias is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*): nothing
		// to escape.
		_, _ = io.WriteString(w, `"`)
		_, _ = io.WriteString(w, o.fields[i].Alias)
		_, _ = io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	_, _ = io.WriteString(w, "}")
}

// directFields reports whether the executor may marshal a field that only
// reads its object's Go struct field directly, without gqlgen's field
// context and resolver chain (the executor template override of
// internal/codegen/gqlgenerate calls it for such fields of leaf types): only
// when the resolver says that no extension intercepts fields.
func (ec *executionContext) directFields() bool {
	r, ok := ec.Resolvers.(*Resolver)
	return ok && r.DirectFields
}
