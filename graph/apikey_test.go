package graph_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
)

func TestAPIKeys(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)

		// an admin creates a partner key through GraphQL; the secret comes once
		var created struct {
			CreateApiKey struct {
				Secret string
				Key    struct {
					ID, Name, Role, Hint string
					Partner              struct{ Name string }
					RevokedAt            *string
				}
			}
		}
		s.MustOK(`mutation($hs: ID!) { createApiKey(input: {name: "hi-speed-sync", role: PARTNER, partnerID: $hs}) {
			secret key { id name role hint partner { name } revokedAt } } }`, map[string]any{"hs": gid(f.hiSpeed.ID)}, &created)
		k := created.CreateApiKey
		if !strings.HasPrefix(k.Secret, "bri_") || len(k.Secret) < 40 || k.Key.Role != "PARTNER" || k.Key.Partner.Name != "Shandong Hi-Speed Group" ||
			!strings.HasPrefix(k.Secret, k.Key.Hint) || k.Key.RevokedAt != nil {
			t.Fatalf("created key: %+v", k)
		}

		// the key knows who it is
		res := s.DoAs(k.Secret, `{ me { role canWrite key { name lastUsedAt } partner { name } } }`, nil)
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		if !strings.Contains(string(res.Data), `"role":"PARTNER","canWrite":true,"key":{"name":"hi-speed-sync","lastUsedAt":"`) ||
			!strings.Contains(string(res.Data), `"partner":{"name":"Shandong Hi-Speed Group"}`) {
			t.Fatalf("me: %s", res.Data)
		}
		res = s.DoAs("", `{ me { role canWrite key { name } partner { name } } }`, nil)
		jsonEq(t, res.Data, `{"me":{"role":"ANONYMOUS","canWrite":false,"key":null,"partner":null}}`)

		// only admins list keys or resolve them by id
		var list struct {
			ApiKeys struct{ TotalCount int }
		}
		s.MustOK(`{ apiKeys { totalCount } }`, nil, &list)
		if list.ApiKeys.TotalCount != 2 { // the harness's admin key and this one
			t.Fatalf("apiKeys: %d", list.ApiKeys.TotalCount)
		}
		for _, c := range []struct{ key, code string }{{k.Secret, "FORBIDDEN"}, {"", "UNAUTHENTICATED"}} {
			res := s.DoAs(c.key, `{ apiKeys { totalCount } }`, nil)
			if len(res.Errors) != 1 || res.Errors[0].Code() != c.code {
				t.Fatalf("apiKeys as %q: %+v", c.code, res.Errors)
			}
			res = s.DoAs(c.key, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": k.Key.ID})
			if len(res.Errors) != 1 || res.Errors[0].Code() != c.code || !strings.Contains(string(res.Data), `"node":null`) {
				t.Fatalf("node(key) as %q: %s %+v", c.code, res.Data, res.Errors)
			}
		}

		// the table holds no usable secret: no column has it, and its hash is no key
		rows, err := db.SQL.Query(`SELECT * FROM api_keys`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var hashes []string
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if strings.Contains(v.String, k.Secret) || (len(v.String) > 20 && strings.Contains(k.Secret, v.String)) {
					t.Fatalf("column %s holds the secret", cols[i])
				}
				if cols[i] == "secret_hash" {
					hashes = append(hashes, v.String)
				}
			}
		}
		rows.Close()
		for _, h := range hashes {
			if res := s.DoAs(h, `{ me { role } }`, nil); res.Status != http.StatusUnauthorized {
				t.Fatalf("a stored hash worked as a key: %d", res.Status)
			}
		}

		// unknown, malformed and revoked keys are refused with 401
		for _, bad := range []string{"bri_" + strings.Repeat("A", 43), "not-a-key", k.Secret + "x"} {
			res := s.DoAs(bad, `{ me { role } }`, nil)
			if res.Status != http.StatusUnauthorized || len(res.Errors) != 1 || res.Errors[0].Code() != "UNAUTHENTICATED" {
				t.Fatalf("key %q: %d %+v", bad, res.Status, res.Errors)
			}
		}
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ me { role } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
		if res := s.Send(req); res.Status != http.StatusUnauthorized {
			t.Fatalf("Basic auth: %d", res.Status)
		}
		s.MustOK(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, map[string]any{"id": k.Key.ID}, nil)
		res = s.DoAs(k.Secret, `{ me { role } }`, nil)
		if res.Status != http.StatusUnauthorized || res.Errors[0].Message != "this API key was revoked" {
			t.Fatalf("revoked key: %d %+v", res.Status, res.Errors)
		}

		// key rules: a PARTNER key names its partner, other keys name none
		e := s.MustFail("BAD_USER_INPUT", `mutation { createApiKey(input: {name: "p", role: PARTNER}) { secret } }`, nil)
		if e.Extensions["field"] != "partnerID" {
			t.Fatalf("partner key without partner: %+v", e)
		}
		s.MustFail("BAD_USER_INPUT", `mutation($hs: ID!) { createApiKey(input: {name: "e", role: EDITOR, partnerID: $hs}) { secret } }`, map[string]any{"hs": gid(f.hiSpeed.ID)})
		s.MustFail("BAD_USER_INPUT", `mutation { createApiKey(input: {name: "", role: VIEWER}) { secret } }`, nil)
	})
}

// TestPublicReadOff: without public read, requests need a key.
func TestPublicReadOff(t *testing.T) {
	db := apitest.OpenSQLite(t)
	s := apitest.NewServer(t, db, func(o *httpapi.Options) { o.PublicRead = false })
	res := s.DoAs("", `{ partners { totalCount } }`, nil)
	if res.Status != http.StatusUnauthorized || res.Errors[0].Code() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous read: %d %+v", res.Status, res.Errors)
	}
	viewer := s.NewKey("reader", apikey.RoleVIEWER, nil)
	if res := s.DoAs(viewer, `{ partners { totalCount } }`, nil); res.Status != http.StatusOK || len(res.Errors) > 0 {
		t.Fatalf("viewer read: %d %+v", res.Status, res.Errors)
	}
}
