package httpapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestWriteResponse: responses are written byte for byte as encoding/json
// writes them (which gqlgen's transports use), but for the data, which is
// copied as the executor wrote it.
func TestWriteResponse(t *testing.T) {
	yes := true
	for _, rsp := range []*graphql.Response{
		{Data: json.RawMessage(`{"projects":{"totalCount":3}}`)},
		{Errors: gqlerror.List{{Message: "boom", Path: ast.Path{ast.PathName("a"), ast.PathIndex(1)},
			Extensions: map[string]any{"code": "BAD_USER_INPUT"}}}},
		{Errors: gqlerror.List{{Message: "partly"}}, Data: json.RawMessage(`{"a":null}`),
			Extensions: map[string]any{"requestId": "r1", "cost": 12}},
		{Data: json.RawMessage(`{"b":1}`), Label: "l", Path: ast.Path{ast.PathName("x")}, HasNext: &yes},
		{},
	} {
		want, err := json.Marshal(rsp)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		writeResponse(&got, rsp)
		if got.String() != string(want) {
			t.Errorf("got  %s\nwant %s", got.String(), want)
		}
	}

	// Data is copied, not re-escaped: the same JSON value.
	var got bytes.Buffer
	writeResponse(&got, &graphql.Response{Data: json.RawMessage(`{"t":"a<b & c>d"}`)})
	if got.String() != `{"data":{"t":"a<b & c>d"}}` {
		t.Errorf("got %s", got.String())
	}
	var nilResponse bytes.Buffer
	writeResponse(&nilResponse, nil)
	if nilResponse.String() != `{"data":null}` {
		t.Errorf("nil response: %s", nilResponse.String())
	}
}

// heldSink keeps a held response on the heap, as writing into it does.
var heldSink *heldResponse

// TestWriteResponseHeld: a held response takes the written bytes over,
// with no copy, and holds the same answer as any other writer gets.
func TestWriteResponseHeld(t *testing.T) {
	rsp := &graphql.Response{Data: json.RawMessage(`{"projects":[` + strings.Repeat(`{"title":"a project"},`, 999) + `{"title":"the last"}]}`)}
	var want bytes.Buffer
	writeResponse(&want, rsp)
	h := newHeld()
	writeResponse(h, rsp)
	if h.body.String() != want.String() {
		t.Fatalf("held %d bytes, want the %d written elsewhere", h.body.Len(), want.Len())
	}
	held := testing.AllocsPerRun(50, func() { writeResponse(newHeld(), rsp) })
	alone := testing.AllocsPerRun(50, func() { heldSink = newHeld() })
	if held > alone+1 {
		t.Errorf("writing into a held response took %.0f allocations besides the response's own %.0f; want 1, the answer's bytes", held-alone, alone)
	}
}

// TestResponseMediaType: the response's media type follows Accept as in
// gqlgen's transports.
func TestResponseMediaType(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                  mediaJSON,
		"*/*":                               mediaJSON,
		"application/*":                     mediaJSON,
		"application/json":                  mediaJSON,
		"application/graphql-response+json": mediaGraphQLResponse,
		"application/graphql-response+json, application/json;q=0.9": mediaGraphQLResponse,
		"application/json, application/graphql-response+json":       mediaJSON,
		"text/html":               mediaGraphQLResponse,
		"bad;;, application/json": mediaJSON,
	} {
		if got := responseMediaType(accept); got != want {
			t.Errorf("Accept %q: %s, want %s", accept, got, want)
		}
	}
}
