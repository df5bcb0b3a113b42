package graph_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

// jsonEq fails unless got and want are the same JSON value. want may use
// $name placeholders, replaced from vars.
func jsonEq(t *testing.T, got json.RawMessage, want string, vars ...string) {
	t.Helper()
	for i := 0; i+1 < len(vars); i += 2 {
		want = strings.ReplaceAll(want, vars[i], vars[i+1])
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want invalid JSON %s: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Fatalf("JSON differs\n got: %s\nwant: %s", gb, wb)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// answers fails unless the anonymous query succeeds with want, counting
// its statements from zero.
func answers(t *testing.T, s *apitest.Server, query, want string) {
	t.Helper()
	s.DB.Counter.Reset()
	res := s.DoAs("", query, nil)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	jsonEq(t, res.Data, want)
}
