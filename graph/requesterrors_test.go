package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
)

// TestRequestErrors: a request the server cannot read, or that production
// mode refuses, gets the status GraphQL over HTTP gives for a request error
// under each response media type, one error with a client-side code, no
// data, and never a copy of what was sent.
func TestRequestErrors(t *testing.T) {
	db := apitest.OpenSQLite(t)
	prod := apitest.NewServer(t, db, func(o *httpapi.Options) {
		o.Introspection, o.Suggestions, o.Playground = false, false, false
	})
	const secret = "SECRET-PAYLOAD-4711"
	post := func(body string) *http.Request {
		req, err := http.NewRequest(http.MethodPost, prod.URL+"/graphql", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	get := func(rawQuery string) *http.Request {
		req, err := http.NewRequest(http.MethodGet, prod.URL+"/graphql?"+rawQuery, nil)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	gqlBody := func(query string) string {
		b, _ := json.Marshal(map[string]string{"query": query})
		return string(b)
	}
	cases := []struct {
		name string
		req  *http.Request
		// statuses under application/json and application/graphql-response+json
		jsonStatus, gqlStatus int
		code, msg             string
	}{
		{"body not JSON", post(`{"query": "{ __typename }", ` + secret), 400, 400,
			"BAD_REQUEST", "the request body is not valid JSON (syntax error at byte 29)"},
		{"body cut short", post(`{"query": "` + secret), 400, 400,
			"BAD_REQUEST", "the request body ends before its JSON does"},
		{"query not a string", post(`{"query": {"` + secret + `": 1}}`), 400, 400,
			"BAD_REQUEST", "the request body's query must be a string, not a JSON object"},
		{"variables not an object", post(`{"query": "{ __typename }", "variables": ["` + secret + `"]}`), 400, 400,
			"BAD_REQUEST", "the request body's variables must be an object, not a JSON array"},
		{"GET with a malformed escape", get("query=%7B__typename%7D&x=%zz" + secret), 400, 400,
			"BAD_REQUEST", "the URL's query string is malformed (a bad %-escape or a semicolon)"},
		{"GET variables not an object", get("query=%7B__typename%7D&variables=%5B%22" + secret + "%22%5D"), 400, 400,
			"BAD_REQUEST", "the variables parameter must be a JSON object"},
		{"introspection in production", post(gqlBody(`{ __schema { queryType { name } } }`)), 200, 400,
			"INTROSPECTION_DISABLED", "introspection is disabled on this server: __schema cannot be queried"},
		{"introspection in a fragment", post(gqlBody(`{ partners(first: 1) { totalCount } ...F } fragment F on Query { __type(name: "Project") { name } }`)), 200, 400,
			"INTROSPECTION_DISABLED", "introspection is disabled on this server: __type cannot be queried"},
		{"several operations, none named", post(gqlBody(`query A { __typename } query B { __typename }`)), 200, 400,
			"GRAPHQL_VALIDATION_FAILED", "the document holds more than one operation: name the one to run in operationName"},
		{"invalid UTF-8 in the query text", get("query=" + url.QueryEscape("{ projects(where: {titleContains: \"a\xffb\"}) { totalCount } }")), 200, 400,
			"BAD_USER_INPUT", "where.titleContains: is not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, accept := range []string{"application/json", "application/graphql-response+json"} {
				req := c.req.Clone(t.Context())
				if c.req.GetBody != nil {
					req.Body, _ = c.req.GetBody()
				}
				req.Header.Set("Accept", accept)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				want := c.jsonStatus
				if accept != "application/json" {
					want = c.gqlStatus
				}
				if res.StatusCode != want {
					t.Errorf("%s: status %d, want %d: %s", accept, res.StatusCode, want, raw)
				}
				if strings.Contains(string(raw), secret) {
					t.Errorf("%s: the answer echoes the request: %s", accept, raw)
				}
				var body struct {
					Data   json.RawMessage `json:"data"`
					Errors []apitest.Error `json:"errors"`
				}
				if err := json.Unmarshal(raw, &body); err != nil {
					t.Fatalf("%s: not JSON: %s", accept, raw)
				}
				if len(body.Errors) != 1 || body.Errors[0].Code() != c.code || !strings.HasPrefix(body.Errors[0].Message, c.msg) {
					t.Errorf("%s: errors %+v, want one %s: %s", accept, body.Errors, c.code, c.msg)
				}
				if len(body.Data) > 0 && string(body.Data) != "null" {
					t.Errorf("%s: data %s ran", accept, body.Data)
				}
			}
		})
	}
	if res := prod.Do(`{ __typename }`, nil); len(res.Errors) != 0 {
		t.Fatalf("__typename refused in production: %+v", res.Errors)
	}
}

// TestSubstringFiltersCost: each substring predicate of a where costs
// FilterCost and FilterCharCost per character of its pattern, so that many
// or long ones are refused before any SQL.
func TestSubstringFiltersCost(t *testing.T) {
	db := apitest.OpenSQLite(t)
	s := apitest.NewServer(t, db)
	ors := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = `{titleContainsFold: "a"}`
		}
		return strings.Join(parts, ", ")
	}
	long := strings.Repeat("x", 1000)
	cases := []struct {
		query, msg string // msg "" means allowed
	}{
		{`{ projects(first: 1, where: {or: [` + ors(4) + `]}) { totalCount } }`, ""},
		{`{ projects(first: 1, where: {or: [` + ors(5) + `]}) { totalCount } }`,
			"the query costs 100302; at most 100000 is allowed: each substring filter (such as titleContainsFold) costs 20000 and 60 per character of its pattern, and it has 5"},
		// long patterns cost more: PostgreSQL lowers them for every row it reads
		{`{ projects(first: 1, where: {descriptionContainsFold: "` + long + `"}) { totalCount } }`, ""},
		{`{ projects(first: 1, where: {or: [{titleContainsFold: "` + long + `"}, {descriptionContainsFold: "a"}]}) { totalCount } }`,
			"the query costs 100062; at most 100000 is allowed"},
		// nested, a filter counts once: one statement runs it for all parents
		{`{ partners(first: 20) { edges { node { hostedProjects(where: {titleContains: "a", or: [{cityHasPrefix: "b"}, {descriptionHasSuffix: "c"}]}) { totalCount } } } } }`, ""},
		{`{ partners(first: 20) { edges { node { hostedProjects(where: {titleContains: "a", or: [{cityHasPrefix: "b"}, {descriptionHasSuffix: "c"}, {cityEqualFold: "d"}, {descriptionContainsFold: "e"}]}) { totalCount } } } } }`,
			"the query costs 100761; at most 100000 is allowed"},
		{`{ projectStats(where: {hasParticipationsWith: [{hasPartnerWith: [{nameHasPrefix: "Sh"}, {nameHasSuffix: "g"}]}]}) { excluded { count } } }`, ""},
		// equality and ranges use indexes: they cost nothing extra
		{`{ partners(first: 100) { edges { node { hostedProjects(first: 100, where: {title: "a", status: COMPLETED}) { totalCount } } } } }`, ""},
	}
	for _, c := range cases {
		res := s.Do(c.query, nil)
		switch {
		case c.msg == "" && len(res.Errors) > 0:
			t.Errorf("%s: refused: %+v", c.query, res.Errors)
		case c.msg != "" && (len(res.Errors) != 1 || !strings.HasPrefix(res.Errors[0].Message, c.msg) || res.Errors[0].Code() != "QUERY_TOO_COMPLEX"):
			t.Errorf("%s:\n got %+v\nwant %q", c.query, res.Errors, c.msg)
		}
	}
}
