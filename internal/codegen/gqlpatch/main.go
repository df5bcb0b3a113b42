// Command gqlpatch adjusts gqlgen's generated executor after `gqlgen
// generate` (ent/generate.go runs it), for two costs of every object and
// list it marshals; the answers are the same:
//
// Lists are marshalled element after element in the resolving goroutine
// (graph.marshalSliceInOrder) rather than one new goroutine per element
// (graphql.MarshalSliceConcurrently), and an object's fields that have
// resolvers one after another (graph.resolveInOrder) rather than each but
// the first in a goroutine of its own (graphql.FieldSet.ResolveConcurrently
// and Dispatch).
//
// Our resolvers never wait on a sibling: ent loads a page's edges
// before its elements are marshalled, and fields batched under lists
// (graph/statsloader.go) are fetched for every element by the first one to
// ask. A goroutine per element only costs: its start and its stack, which
// grows by copying as gqlgen's deep frames fill it, were about a sixth of
// the server's CPU on list queries.
//
// An object's field path and its set of deferred fields, which gqlgen builds
// for every object in case it has @defer fragments, are built only when it
// has some (graph.newDeferredGroup, graph.resolveInOrder and graph.withPath):
// another tenth of the CPU.
//
// An object is written by graph.objectFields rather than by
// graphql.FieldSet's MarshalGQL, which allocates a map of the names written
// and a copy of every field for each object: a fifth of the server's
// allocations on list queries. And a field's arguments are parsed once per
// operation (graph.fieldArgs), not for each object that has the field, and
// an object's selection set is looked up in a per-operation cache without
// the hashing and allocations of gqlgen's (graph.collectFields).
//
// In queries, which have no field middleware (graph.plainFields), a field
// that only reads its object's Go field is marshalled directly: a string,
// integer or boolean without a field context at all, a pointer or slice (an
// edge's node, a connection's edges) under its field context but without the
// closures graphql.ResolveField allocates for every field (graph.readField).
//
// Usage: go run ./internal/codegen/gqlpatch graph/generated.go
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"regexp"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gqlpatch path/to/generated.go")
		os.Exit(2)
	}
	if err := patch(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gqlpatch:", err)
		os.Exit(1)
	}
}

// fieldHead matches the start of gqlgen's code for a field read from its
// object's Go field: $1 the function's first line, $3 the field context's
// function, $4 the Go field. It leaves group $2 (the code after the first
// line) open for plainField and readField, which go on to the marshaller.
const fieldHead = `(?m)(^func \(ec \*executionContext\) _\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*[\w.]+\) \(ret graphql\.Marshaler\) \{\n)(` +
	`\treturn graphql\.ResolveField\(\n\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n` +
	`\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n\t\t\treturn ec\.(fieldContext_\w+)\(ctx, field\)\n\t\t\},\n` +
	`\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n\t\t\treturn obj\.(\w+), nil\n\t\t\},\n\t\tnil,\n`

var (
	// plainField matches such a field marshalled by a function that cannot
	// fail (it never returns null for a value): $1 the function's first
	// line, $2 the rest up to the marshaller's call, $4 the Go field, $5
	// the marshaller.
	plainField = regexp.MustCompile(fieldHead +
		`\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v \*?\w+\) graphql\.Marshaler \{\n` +
		`\t\t\treturn ec\.(marshalNInt2int|marshalNString2string|marshalNBoolean2bool|marshalOString2ᚖstring|marshalOInt2ᚖint)\(ctx, selections, v\))`)

	// readField matches such a field of a pointer or slice type: $1 the
	// function's first line, $2 the rest up to the panic flag, $3 the field
	// context's function, $4 the Go field, $5 the marshaller, $6 whether
	// panics are recovered. Marshallers' names hold non-ASCII letters
	// (gqlgen's ᚖ for a pointer, say).
	readField = regexp.MustCompile(fieldHead +
		`\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v (?:\*|\[\])[^)\n]+\) graphql\.Marshaler \{\n` +
		`\t\t\treturn ec\.(marshal[^(\s]+)\(ctx, selections, v\)\n\t\t\},\n\t\t(true|false),\n)`)

	// fieldArgs matches gqlgen's parsing of a field's arguments: $1 the
	// generated parser.
	fieldArgs = regexp.MustCompile(`ec\.(field_\w+_args)\(ctx, field\.ArgumentMap\(ec\.Variables\)\)`)
)

// outUse is a use of an object function's field set.
var outUse = regexp.MustCompile(`\bout\.(\w+)`)

// objectOuts makes the object functions hold their fields in graph.objectOut.
func objectOuts(src []byte) ([]byte, error) {
	const (
		newSet     = "\tout := graphql.NewFieldSet(fields)\n"
		newOut     = "\tout := newObjectOut(fields)\n"
		returnSet  = "\n\treturn objectFields{fields: fields, values: out.Values}\n}"
		returnOut  = "\n\treturn out\n}"
		funcPrefix = "\nfunc "
	)
	funcs := bytes.Split(src, []byte(funcPrefix))
	for i, f := range funcs {
		if bytes.Contains(f, []byte(newOut)) { // patched before
			funcs[i] = bytes.Replace(f, []byte(returnSet), []byte(returnOut), 1)
			continue
		}
		if !bytes.Contains(f, []byte(newSet)) || bytes.Count(f, []byte(returnSet)) != 1 {
			continue
		}
		plain := true
		for _, m := range outUse.FindAllSubmatch(f, -1) {
			switch string(m[1]) {
			case "Values", "Invalids", "Dispatch":
			default:
				plain = false
			}
		}
		if plain {
			f = bytes.Replace(f, []byte(newSet), []byte(newOut), 1)
			funcs[i] = bytes.Replace(f, []byte(returnSet), []byte(returnOut), 1)
		}
	}
	src = bytes.Join(funcs, []byte(funcPrefix))
	if !bytes.Contains(src, []byte(newOut)) {
		return nil, fmt.Errorf("no object function holds its fields as expected: gqlgen's output changed, review this patch")
	}
	return src, nil
}

func patch(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, r := range []struct{ old, new string }{
		{"graphql.MarshalSliceConcurrently(", "marshalSliceInOrder("},
		{"graphql.NewDeferredGroup(ctx)", "newDeferredGroup(ctx)"},
		{"ec.ProcessDeferredGroup(deferred)", "ec.ProcessDeferredGroup(withPath(deferred))"},
		{"out.ResolveConcurrently(ec.OperationContext, &deferred, i,", "resolveInOrder(ctx, out, field, ec.OperationContext, &deferred, i,"},
		{"\n\treturn out\n}", "\n\treturn objectFields{fields: fields, values: out.Values}\n}"},
		{"fields := graphql.CollectFields(ec.OperationContext, sel, ", "fields := collectFields(ctx, ec.OperationContext, sel, "},
	} {
		old, repl := []byte(r.old), []byte(r.new)
		if bytes.Count(src, old) == 0 && bytes.Count(src, repl) == 0 {
			return fmt.Errorf("%s has neither %s nor %s: gqlgen's output changed, review this patch", path, r.old, r.new)
		}
		src = bytes.ReplaceAll(src, old, repl)
	}
	// A field's arguments are parsed once per operation, not once for
	// every object that has the field.
	if !fieldArgs.Match(src) && !bytes.Contains(src, []byte("fieldArgs(ctx, field, ec.Variables, ec.field_")) {
		return fmt.Errorf("%s parses no field arguments as expected: gqlgen's output changed, review this patch", path)
	}
	src = fieldArgs.ReplaceAll(src, []byte("fieldArgs(ctx, field, ec.Variables, ec.$1)"))
	// A field that only reads a value from its object, of a type whose
	// marshalling cannot fail, is read and marshalled directly in queries.
	if !plainField.Match(src) && !bytes.Contains(src, []byte("if plainFields(ec.OperationContext) {")) {
		return fmt.Errorf("%s reads no field from its object as expected: gqlgen's output changed, review this patch", path)
	}
	src = plainField.ReplaceAll(src, []byte("$1\tif plainFields(ec.OperationContext) {\n\t\treturn ec.$5(ctx, field.Selections, obj.$4)\n\t}\n$2"))
	// Any other field read from its object's Go field (a pointer or a
	// slice: an edge's node, a connection's edges) is marshalled under its
	// field context without gqlgen's per-field closures and middleware.
	if !readField.Match(src) && !bytes.Contains(src, []byte("return readField(ctx, ec.OperationContext, fc, obj.")) {
		return fmt.Errorf("%s reads no object-typed field from its object as expected: gqlgen's output changed, review this patch", path)
	}
	src = readField.ReplaceAll(src, []byte("$1\tif plainFields(ec.OperationContext) {\n\t\tfc, err := ec.$3(ctx, field)\n\t\tif err != nil {\n\t\t\treturn graphql.Null\n\t\t}\n\t\treturn readField(ctx, ec.OperationContext, fc, obj.$4, $6, ec.$5)\n\t}\n$2"))
	// An object's resolved fields are held by graph.objectOut, one
	// allocation for most objects, rather than by a graphql.FieldSet, its
	// values and the marshaller returned (three), in every object function
	// that uses the set for no more than its values, its count of invalid
	// fields and Dispatch (all but the root query's).
	src, err = objectOuts(src)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	out, err := format.Source(src)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}
