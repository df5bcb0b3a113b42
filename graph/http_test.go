package graph_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

// TestGetForQueriesOnly: GET runs queries; a mutation sent by GET is
// refused and writes nothing.
func TestGetForQueriesOnly(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		get := func(query string) *apitest.Response {
			req, err := http.NewRequest(http.MethodGet, s.URL+"/graphql?query="+url.QueryEscape(query), nil)
			if err != nil {
				t.Fatal(err)
			}
			return s.Send(req)
		}
		res := get(`{ partners(where: {kind: COUNTRY}) { totalCount } }`)
		if res.Status != http.StatusOK || len(res.Errors) != 0 {
			t.Fatalf("GET query: %d %+v", res.Status, res.Errors)
		}
		jsonEq(t, res.Data, `{"partners":{"totalCount":4}}`)
		if res.Header.Get("X-Request-ID") == "" {
			t.Fatal("no request id on the response")
		}

		before := rowCounts(t, db.Client)
		res = get(`mutation { createPartner(input: {name: "Sent by GET", kind: ENTERPRISE, countryID: "` + gid(f.chn.ID) + `"}) { id } }`)
		if res.Status == http.StatusOK || len(res.Errors) == 0 {
			t.Fatalf("GET mutation accepted: %d %s", res.Status, res.Data)
		}
		if after := rowCounts(t, db.Client); after != before {
			t.Fatalf("a GET mutation wrote: %s -> %s", before, after)
		}
	})
}

// TestContentLength: answers go out with their length, not in chunks,
// whether large, small, or errors whose body the server rewrote.
func TestContentLength(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		cases := []struct {
			name, accept, body string
			status             int
		}{
			{"large", "application/json", `{"query":"{ __schema { types { name description fields { name description } } } }"}`, http.StatusOK},
			{"small", "application/json", `{"query":"{ projects(first: 1) { totalCount } }"}`, http.StatusOK},
			{"bad JSON", "application/json", `{"query":`, http.StatusBadRequest},
			{"invalid query, body rewritten", "application/graphql-response+json", `{"query":"{ nope }"}`, http.StatusBadRequest},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(c.body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", c.accept)
				req.Header.Set("Authorization", "Bearer "+s.AdminKey)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				raw, err := io.ReadAll(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				if res.StatusCode != c.status {
					t.Fatalf("status %d, want %d: %s", res.StatusCode, c.status, raw)
				}
				if len(res.TransferEncoding) > 0 || res.ContentLength != int64(len(raw)) {
					t.Errorf("Transfer-Encoding %v, Content-Length %d, want no chunks and %d", res.TransferEncoding, res.ContentLength, len(raw))
				}
				if c.name == "large" && len(raw) < 8192 {
					t.Errorf("the large answer has %d bytes; it should be larger than the server's write buffer", len(raw))
				}
			})
		}
	})
}
