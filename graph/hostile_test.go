package graph_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

// TestHostileRequests: each hostile request is answered with a 4xx or a
// GraphQL error, never a 5xx, and the server keeps serving.
func TestHostileRequests(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		post := func(contentType, body string) *http.Request {
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(body))
			req.Header.Set("Content-Type", contentType)
			return req
		}
		gql := func(query string) *http.Request {
			b := fmt.Sprintf(`{"query":%q}`, query)
			return post("application/json", b)
		}
		repeat := func(n int, f func(i int) string) string {
			var b strings.Builder
			for i := range n {
				b.WriteString(f(i))
			}
			return b.String()
		}
		deep := "{ partners { edges { node { " + strings.Repeat("country { ", 50) + "name" + strings.Repeat(" }", 50) + " } } } }"
		cases := []struct {
			name   string
			req    *http.Request
			status int    // the HTTP status wanted
			code   string // the extensions.code wanted
		}{
			{"depth 50", gql(deep), 200, "QUERY_TOO_COMPLEX"},
			{"1,000 aliases", gql("{ " + repeat(1000, func(i int) string { return fmt.Sprintf("a%d: me { role } ", i) }) + "}"), 200, "QUERY_TOO_COMPLEX"},
			{"10,000 duplicated fields", gql("{ me { " + strings.Repeat("role ", 10000) + "} }"), 200, "GRAPHQL_PARSE_FAILED"},
			{"directive flood", gql("{ me " + strings.Repeat("@skip(if: false) ", 1000) + "{ role } }"), 200, "GRAPHQL_VALIDATION_FAILED"},
			{"circular fragments", gql("query { ...A } fragment A on Query { me { role } ...B } fragment B on Query { ...A }"), 200, "GRAPHQL_VALIDATION_FAILED"},
			{"first: 1000000", gql("{ projects(first: 1000000) { totalCount } }"), 200, "BAD_USER_INPUT"},
			{"nested pages too costly", gql("{ partners(first: 100) { edges { node { projects(first: 100) { edges { node { policies(first: 100) { totalCount } } } } } } } }"), 200, "QUERY_TOO_COMPLEX"},
			{"10 MiB body", post("application/json", `{"query":"{ me { role } }","x":"`+strings.Repeat("x", 10<<20)+`"}`), 413, "REQUEST_TOO_LARGE"},
			{"malformed JSON", post("application/json", `{"query": "{ me { role } }"`), 400, ""},
			{"text/plain", post("text/plain", `{"query":"{ me { role } }"}`), 415, ""},
			{"form", post("application/x-www-form-urlencoded", `query=%7B+me+%7B+role+%7D+%7D`), 415, ""},
			{"multipart", post("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\"query\":\"{ me { role } }\"}\r\n--x--\r\n"), 415, ""},
			{"JSON array batch", post("application/json", `[{"query":"{ me { role } }"},{"query":"{ me { role } }"}]`), 400, ""},
			{"mutation by GET", func() *http.Request {
				r, _ := http.NewRequest(http.MethodGet, s.URL+"/graphql?query="+url.QueryEscape(`mutation { createPolicy(input: {title: "x", level: NATIONAL, category: OTHER}) { id } }`), nil)
				return r
			}(), 405, ""},
			{"invalid variables", post("application/json", `{"query":"query($n: Int) { projects(first: $n) { totalCount } }","variables":{"n":"ten"}}`), 200, "GRAPHQL_VALIDATION_FAILED"},
			{"variables not an object", post("application/json", `{"query":"{ me { role } }","variables":[1,2]}`), 400, ""},
			{"no query", post("application/json", `{}`), 200, ""},
			{"bad operation name", post("application/json", `{"query":"query A { me { role } }","operationName":"B"}`), 200, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				c.req.Header.Set("Authorization", "Bearer "+s.AdminKey)
				before := rowCounts(t, db.Client)
				res := s.Send(c.req)
				if res.Status >= 500 {
					t.Fatalf("server error %d", res.Status)
				}
				if res.Status != c.status {
					t.Errorf("status %d, want %d (errors %+v)", res.Status, c.status, res.Errors)
				}
				if c.code != "" && (len(res.Errors) == 0 || res.Errors[0].Code() != c.code) {
					first := "none"
					if len(res.Errors) > 0 {
						first = res.Errors[0].Message + " " + res.Errors[0].Code()
					}
					t.Errorf("%d errors, the first %s; want code %s", len(res.Errors), first, c.code)
				}
				if logs := s.Logs(); strings.Contains(logs, "panic") {
					t.Fatalf("the server panicked: %s", logs)
				}
				if after := rowCounts(t, db.Client); after != before {
					t.Errorf("rows changed: %s -> %s", before, after)
				}
				// still serving
				ok := s.Do(`{ me { role } }`, nil)
				if ok.Status != 200 || len(ok.Errors) > 0 {
					t.Fatalf("server no longer serves: %d %+v", ok.Status, ok.Errors)
				}
			})
		}
	})
	_ = bytes.MinRead
}
