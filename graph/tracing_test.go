package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
)

// spanLog keeps the spans of a test server and its database, with a
// provider of its own: the tests do not touch the global one.
type spanLog struct {
	exp *tracetest.InMemoryExporter
	tp  *sdktrace.TracerProvider
}

func newSpanLog() *spanLog {
	exp := tracetest.NewInMemoryExporter()
	return &spanLog{exp: exp, tp: sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))}
}

// traced runs send, which sends one request, and returns the spans of its
// trace. The request's span ends after the client has its answer, so it
// waits for it.
func (l *spanLog) traced(t *testing.T, send func()) spanTree {
	t.Helper()
	l.exp.Reset()
	send()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		spans := l.exp.GetSpans()
		for _, s := range spans {
			if s.SpanKind == trace.SpanKindServer {
				return spanTree(spans)
			}
		}
	}
	t.Fatal("the request's span did not end")
	return nil
}

type spanTree tracetest.SpanStubs

// named returns the spans of the given name.
func (st spanTree) named(name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range st {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// one returns the one span of the given name.
func (st spanTree) one(t *testing.T, name string) tracetest.SpanStub {
	t.Helper()
	found := st.named(name)
	if len(found) != 1 {
		t.Fatalf("%d spans named %q, want 1; spans:\n%s", len(found), name, st)
	}
	return found[0]
}

// parentName returns the name of s's parent span, "" for a root.
func (st spanTree) parentName(s tracetest.SpanStub) string {
	if !s.Parent.IsValid() {
		return ""
	}
	for _, p := range st {
		if p.SpanContext.SpanID() == s.Parent.SpanID() {
			return p.Name
		}
	}
	return "(missing parent)"
}

// sql returns the SQL spans.
func (st spanTree) sql() []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range st {
		if strings.HasPrefix(s.Name, "sql.") {
			out = append(out, s)
		}
	}
	return out
}

func (st spanTree) String() string {
	var b strings.Builder
	for _, s := range st {
		fmt.Fprintf(&b, "  %s <- %q %s\n", s.Name, st.parentName(s), attrString(s.Attributes))
	}
	return b.String()
}

func attrString(attrs []attribute.KeyValue) string {
	var parts []string
	for _, a := range attrs {
		parts = append(parts, string(a.Key)+"="+a.Value.Emit())
	}
	return strings.Join(parts, " ")
}

// attr returns the value of s's attribute key, "" when absent.
func attr(s tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value.Emit()
		}
	}
	return ""
}

// wantAttrs fails unless s has exactly the attributes of want.
func wantAttrs(t *testing.T, s tracetest.SpanStub, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, a := range s.Attributes {
		got[string(a.Key)] = a.Value.Emit()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("span %q has attributes\n%v\nwant\n%v", s.Name, got, want)
	}
}

// noSecrets fails when any attribute of any span holds one of secrets, or
// any request header.
func noSecrets(t *testing.T, st spanTree, secrets ...string) {
	t.Helper()
	for _, s := range st {
		for _, a := range s.Attributes {
			if strings.Contains(string(a.Key), "header") {
				t.Errorf("span %q records a header: %s", s.Name, a.Key)
			}
			for _, secret := range secrets {
				if strings.Contains(a.Value.Emit(), secret) {
					t.Errorf("span %q attribute %s holds %q: %s", s.Name, a.Key, secret, a.Value.Emit())
				}
			}
		}
	}
}

// partnersWithProjects is a nested query whose variable reaches the
// database as an argument.
const partnersWithProjects = `query PartnersWithProjects($first: Int!, $marker: String) {
  partners(first: $first, orderBy: {field: NAME}, where: {nameNEQ: $marker}) {
    edges { node { name projects(first: 2) { edges { node { title } } } } }
  }
}`

// marker is the variable's value: it must not appear in any span.
const marker = "marker-7f3a-not-a-partner"

// TestTracingSpans: a nested query through the real handler makes a server
// span for the request, an operation span under it with the operation's
// name, type and complexity, and a span for each SQL statement, under the
// operation's span (or the request's, for the API key's lookup), with the
// statement's text; no span holds the API key, the Authorization header, the
// variables or the statements' arguments; no resolver spans unless asked
// for; probes are not traced.
func TestTracingSpans(t *testing.T) {
	log := newSpanLog()
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db, func(o *httpapi.Options) { o.TracerProvider = log.tp })
		system := "sqlite"
		if db.IsPostgres() {
			system = "postgresql"
		}

		var res *apitest.Response
		st := log.traced(t, func() {
			health, err := http.Get(s.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			health.Body.Close()
			db.Counter.Reset()
			res = s.Do(partnersWithProjects, map[string]any{"first": 2, "marker": marker})
		})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"partners":{"edges":[
			{"node":{"name":"China","projects":{"edges":[]}}},
			{"node":{"name":"Export-Import Bank of China","projects":{"edges":[{"node":{"title":"Sahiwal coal power plant"}},{"node":{"title":"Quaid-e-Azam solar park"}}]}}}]}}`)

		httpSpan := st.one(t, "POST /graphql")
		if httpSpan.Parent.IsValid() || httpSpan.SpanKind != trace.SpanKindServer {
			t.Errorf("request span: parent %v, kind %v; want a server root", httpSpan.Parent, httpSpan.SpanKind)
		}
		for key, want := range map[string]string{"http.request.method": "POST", "http.route": "/graphql", "url.path": "/graphql", "http.response.status_code": "200"} {
			if got := attr(httpSpan, key); got != want {
				t.Errorf("request span %s = %q, want %q", key, got, want)
			}
		}

		op := st.one(t, "query PartnersWithProjects")
		if got := st.parentName(op); got != "POST /graphql" {
			t.Errorf("operation span's parent is %q", got)
		}
		if op.SpanContext.TraceID() != httpSpan.SpanContext.TraceID() {
			t.Error("operation span in another trace")
		}
		// partners: 1 + 2 items x (edges 1 + node 1 + name 1 + projects (1 + 2 x (edges 1 + node 1 + title 1)))
		wantAttrs(t, op, map[string]string{"graphql.operation.type": "query", "graphql.operation.name": "PartnersWithProjects", "graphql.complexity": "21"})
		if op.Status.Code != codes.Unset {
			t.Errorf("operation span status %v", op.Status)
		}

		// one span per statement the handler sent, with its text
		var texts []string
		underOperation := 0
		for _, sp := range st.sql() {
			text := attr(sp, "db.query.text")
			texts = append(texts, text)
			wantAttrs(t, sp, map[string]string{"db.system.name": system, "db.query.text": text})
			if sp.SpanKind != trace.SpanKindClient {
				t.Errorf("%s: kind %v", sp.Name, sp.SpanKind)
			}
			wantParent := "query PartnersWithProjects"
			if strings.Contains(text, "api_keys") { // authentication, before the operation
				wantParent = "POST /graphql"
			} else {
				underOperation++
			}
			if got := st.parentName(sp); got != wantParent {
				t.Errorf("%s %q: parent %q, want %q", sp.Name, text, got, wantParent)
			}
		}
		statements := db.Counter.Statements()
		slices.Sort(texts)
		slices.Sort(statements)
		if !slices.Equal(texts, statements) {
			t.Errorf("SQL spans\n%q\nstatements sent\n%q", texts, statements)
		}
		if underOperation != 2 { // the partners, then their projects
			t.Errorf("%d SQL spans under the operation, want 2:\n%s", underOperation, st)
		}
		if want := 2 + len(statements); len(st) != want {
			t.Errorf("%d spans, want %d (request, operation, statements; no resolvers, no probe):\n%s", len(st), want, st)
		}

		// the marker did reach the database, as an argument
		if !strings.Contains(fmt.Sprint(db.Counter.Args()), marker) {
			t.Fatalf("the variable was not sent to the database: %v", db.Counter.Args())
		}
		noSecrets(t, st, marker, s.AdminKey, "Bearer")

		// GET: the variables are in the URL; the span has the path alone
		vars, _ := json.Marshal(map[string]any{"first": 1, "marker": marker})
		st = log.traced(t, func() {
			req, err := http.NewRequest(http.MethodGet, s.URL+"/graphql?query="+url.QueryEscape(partnersWithProjects)+"&variables="+url.QueryEscape(string(vars)), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+s.AdminKey)
			if res := s.Send(req); res.Status != http.StatusOK || len(res.Errors) > 0 {
				t.Fatalf("GET: %d %+v", res.Status, res.Errors)
			}
		})
		getSpan := st.one(t, "GET /graphql")
		if got := attr(getSpan, "url.path"); got != "/graphql" {
			t.Errorf("GET span url.path %q", got)
		}
		if got := st.parentName(st.one(t, "query PartnersWithProjects")); got != "GET /graphql" {
			t.Errorf("GET operation span's parent %q", got)
		}
		noSecrets(t, st, marker, s.AdminKey, "Bearer")
	}, apitest.Traced(log.tp))
}

// TestTracingErrors: an operation that fails marks its span as an error
// with the codes of its errors, the complexity of a refused operation
// included; one that does not parse or validate has the conventions'
// generic name.
func TestTracingErrors(t *testing.T) {
	log := newSpanLog()
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db, func(o *httpapi.Options) {
			o.TracerProvider = log.tp
			o.Limits.MaxComplexity = 20
		})
		tooComplex := `{ partners(first: 2) { edges { node { name projects(first: 2) { edges { node { title } } } } } } }`
		for _, c := range []struct {
			query, span, codes, complexity string
		}{
			{tooComplex, "query", gqlext.CodeQueryTooComplex, "21"},
			// the variables are checked once the operation is known
			{`query NoFirst($n: Int!) { partners(first: $n) { totalCount } }`, "query NoFirst", "GRAPHQL_VALIDATION_FAILED", ""},
			// a document that does not validate has no operation
			{`query Bad { partners { nope } }`, "GraphQL Operation", "GRAPHQL_VALIDATION_FAILED", ""},
			{`{ partners(`, "GraphQL Operation", "GRAPHQL_PARSE_FAILED", ""},
		} {
			var res *apitest.Response
			st := log.traced(t, func() { res = s.Do(c.query, nil) })
			if len(res.Errors) != 1 || res.Errors[0].Code() != c.codes {
				t.Fatalf("%s: errors %+v, want one %s", c.query, res.Errors, c.codes)
			}
			op := st.one(t, c.span)
			if op.Status.Code != codes.Error || op.Status.Description != c.codes {
				t.Errorf("%s: span status %+v, want an error %s", c.query, op.Status, c.codes)
			}
			if got := attr(op, "graphql.error.codes"); got != `["`+c.codes+`"]` {
				t.Errorf("%s: graphql.error.codes %s", c.query, got)
			}
			if got := attr(op, "graphql.complexity"); got != c.complexity {
				t.Errorf("%s: graphql.complexity %q, want %q", c.query, got, c.complexity)
			}
			for _, sp := range st.sql() {
				if st.parentName(sp) == c.span {
					t.Errorf("%s: a refused operation ran %s", c.query, attr(sp, "db.query.text"))
				}
			}
			noSecrets(t, st, s.AdminKey, "Bearer")
		}
	}, apitest.Traced(log.tp))
}

// TestTracingResolverSpans: with resolver spans on, each field that runs
// code of its own gets a span named after its type and field, with its
// path, under the field it belongs to, and the statements it sends are its
// children; fields read from a struct get none.
func TestTracingResolverSpans(t *testing.T) {
	log := newSpanLog()
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db, func(o *httpapi.Options) {
			o.TracerProvider = log.tp
			o.TraceResolvers = true
		})
		var res *apitest.Response
		st := log.traced(t, func() { res = s.Do(partnersWithProjects, map[string]any{"first": 2, "marker": marker}) })
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		var got []string
		for _, sp := range st {
			if path := attr(sp, "graphql.field.path"); path != "" {
				got = append(got, fmt.Sprintf("%s %s <- %s", sp.Name, path, st.parentName(sp)))
			}
		}
		slices.Sort(got)
		want := []string{
			"Partner.projects partners.edges[0].node.projects <- Query.partners",
			"Partner.projects partners.edges[1].node.projects <- Query.partners",
			"Query.partners partners <- query PartnersWithProjects",
		}
		if !slices.Equal(got, want) {
			t.Errorf("resolver spans\n%s\nwant\n%s\nall spans:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), st)
		}
		for _, sp := range st.sql() {
			text := attr(sp, "db.query.text")
			if !strings.Contains(text, "api_keys") && st.parentName(sp) != "Query.partners" {
				t.Errorf("%q: parent %q, want Query.partners", text, st.parentName(sp))
			}
		}
		noSecrets(t, st, marker, s.AdminKey, "Bearer")
	}, apitest.Traced(log.tp))
}
