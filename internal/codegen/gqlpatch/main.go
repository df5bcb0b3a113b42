// Command gqlpatch adjusts gqlgen's generated executor after `gqlgen
// generate` (ent/generate.go runs it): lists are marshalled element after
// element in the resolving goroutine (graph.marshalSliceInOrder) rather than
// one new goroutine per element (graphql.MarshalSliceConcurrently).
//
// Our resolvers never wait on a sibling element: ent loads a page's edges
// before its elements are marshalled, and fields batched under lists
// (graph/statsloader.go) are fetched for every element by the first one to
// ask. A goroutine per element only costs: its start and its stack, which
// grows by copying as gqlgen's deep frames fill it, were about a sixth of
// the server's CPU on list queries.
//
// Usage: go run ./internal/codegen/gqlpatch graph/generated.go
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
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

func patch(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	old, repl := []byte("graphql.MarshalSliceConcurrently("), []byte("marshalSliceInOrder(")
	if bytes.Count(src, old) == 0 && bytes.Count(src, repl) == 0 {
		return fmt.Errorf("%s calls neither graphql.MarshalSliceConcurrently nor marshalSliceInOrder: gqlgen's output changed, review this patch", path)
	}
	out, err := format.Source(bytes.ReplaceAll(src, old, repl))
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}
