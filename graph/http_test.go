package graph_test

import (
	"net/http"
	"net/url"
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
