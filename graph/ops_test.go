package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
)

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func TestOperatorEndpoints(t *testing.T) {
	db := apitest.OpenSQLite(t)
	s := apitest.NewServer(t, db, func(o *httpapi.Options) { o.SQL = db.SQL })
	if code, body, _ := get(t, s.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", code, body)
	}
	if code, body, _ := get(t, s.URL+"/readyz"); code != 200 || body != "ready\n" {
		t.Fatalf("readyz: %d %q", code, body)
	}
	s.Do(`query Dashboard { partners { totalCount } }`, nil)
	s.Do(`query Dashboard { nope }`, nil)
	code, body, _ := get(t, s.URL+"/metrics")
	for _, want := range []string{
		`bri_graphql_operations_total{operation="Dashboard",outcome="ok",type="query"} 1`,
		`bri_graphql_operation_duration_seconds_bucket{operation="Dashboard",type="query",le="+Inf"} 1`,
		`go_sql_in_use_connections{db_name="main"}`,
		`go_goroutines`,
		`bri_graphql_requests_waiting 0`,
		`bri_graphql_requests_waited_total 0`,
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Fatalf("metrics lack %s:\n%s", want, body)
		}
	}
	// SDL for clients' code generators
	code, sdl, _ := get(t, s.URL+"/schema.graphql")
	if code != 200 || !strings.Contains(sdl, "type Project implements Node") || !strings.Contains(sdl, "projectStats(") {
		t.Fatalf("schema.graphql: %d", code)
	}
	// readiness follows the database
	db.SQL.Close()
	if code, _, _ := get(t, s.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz without a database: %d", code)
	}
	if code, _, _ := get(t, s.URL+"/healthz"); code != 200 {
		t.Fatalf("healthz without a database: %d", code)
	}
}

func TestAcceptNegotiation(t *testing.T) {
	db := apitest.OpenSQLite(t)
	s := apitest.NewServer(t, db)
	send := func(accept, query string) (int, string, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":`+mustQuote(query)+`}`))
		req.Header.Set("Content-Type", "application/json")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, res.Header.Get("Content-Type"), body
	}
	for _, c := range []struct {
		accept, query, ctype string
		status               int
	}{
		{"application/json", `query($n: Int) { projects(first: $n) { totalCount } }`, "application/json", 200},
		{"", `{ me { role } }`, "application/json", 200},
		{"application/json", `{ nope }`, "application/json", 200},
		{"application/graphql-response+json", `{ me { role } }`, "application/graphql-response+json", 200},
		{"application/graphql-response+json", `{ nope }`, "application/graphql-response+json", 400},
		{"application/graphql-response+json, application/json;q=0.9", `{ projects(first: 500) { totalCount } }`, "application/graphql-response+json", 400},
	} {
		status, ctype, body := send(c.accept, c.query)
		if status != c.status || !strings.HasPrefix(ctype, c.ctype) {
			t.Errorf("Accept %q %s: %d %s, want %d %s", c.accept, c.query, status, ctype, c.status, c.ctype)
		}
		// a request error with the GraphQL response media type has no data entry
		if _, hasData := body["data"]; status == 400 && hasData {
			t.Errorf("Accept %q %s: 400 with a data entry", c.accept, c.query)
		}
	}
}

func mustQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestPersistedQueries(t *testing.T) {
	db := apitest.OpenSQLite(t)
	const q = `query Count { partners { totalCount } }`
	post := func(s *apitest.Server, body string) *apitest.Response {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return s.Send(req)
	}
	withHash := func(query string) string {
		ext := `"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + sha256hex(q) + `"}}`
		if query == "" {
			return `{` + ext + `}`
		}
		return `{"query":` + mustQuote(query) + `,` + ext + `}`
	}

	// automatic persisted queries: the hash alone is unknown, then registered
	apq := apitest.NewServer(t, db)
	if res := post(apq, withHash("")); len(res.Errors) != 1 || res.Errors[0].Code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("unknown hash: %+v", res.Errors)
	}
	if res := post(apq, withHash(q)); len(res.Errors) > 0 {
		t.Fatalf("register: %+v", res.Errors)
	}
	if res := post(apq, withHash("")); len(res.Errors) > 0 || !strings.Contains(string(res.Data), "totalCount") {
		t.Fatalf("by hash: %s %+v", res.Data, res.Errors)
	}

	// trusted documents: only the manifest runs
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(manifest, []byte(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"`+sha256hex(q)+`","name":"Count","type":"query","body":`+mustQuote(q)+`}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	docs, err := gqlext.LoadManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	trusted := apitest.NewServer(t, db, func(o *httpapi.Options) { o.TrustedDocuments = docs })
	if res := post(trusted, withHash("")); len(res.Errors) > 0 {
		t.Fatalf("trusted by hash: %+v", res.Errors)
	}
	if res := post(trusted, `{"query":`+mustQuote(q)+`}`); len(res.Errors) > 0 {
		t.Fatalf("trusted document sent whole: %+v", res.Errors)
	}
	for _, body := range []string{`{"query":"{ partners { totalCount } }"}`, withHash(`{ apiKeys { totalCount } }`), `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"00"}}}`} {
		res := post(trusted, body)
		if len(res.Errors) != 1 || res.Errors[0].Code() != gqlext.CodePersistedQueryNotAllowed || res.Status != 200 {
			t.Fatalf("%s: %d %+v", body, res.Status, res.Errors)
		}
	}
	// a manifest whose hash does not match its document is refused
	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`{"`+sha256hex("other")+`": `+mustQuote(q)+`}`), 0o600)
	if _, err := gqlext.LoadManifest(bad); err == nil {
		t.Fatal("a wrong hash was accepted")
	}
}

func TestRequestIDInLogs(t *testing.T) {
	db := apitest.OpenSQLite(t)
	s := apitest.NewServer(t, db)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ me { role } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-ID", "client-chosen-1234")
	res := s.Send(req)
	if res.Header.Get("X-Request-ID") != "client-chosen-1234" {
		t.Fatalf("request id %q", res.Header.Get("X-Request-ID"))
	}
	if !strings.Contains(s.Logs(), `request_id=client-chosen-1234`) || !strings.Contains(s.Logs(), `path=/graphql status=200`) {
		t.Fatalf("access log: %s", s.Logs())
	}
}
