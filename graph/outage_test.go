package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

// TestDatabaseOutage puts a TCP proxy between the server and PostgreSQL and
// cuts it: reads and writes answer SERVICE_UNAVAILABLE with 503 and
// Retry-After at once, nothing half-written stays, and the server serves
// again within a second of the database's return, by itself.
func TestDatabaseOutage(t *testing.T) {
	proxy, url := apitest.ProxyURL(t, apitest.PostgresURL(t))
	db := apitest.OpenPostgresURL(t, url)
	f := newFixture(t, db.Client)
	s := apitest.NewServer(t, db)
	read := `{ partners(where: {kind: COUNTRY}) { totalCount } }`
	write := `mutation($chn: ID!) { createPartner(input: {name: "Written in an outage", kind: ENTERPRISE, countryID: $chn}) { id } }`
	vars := map[string]any{"chn": gid(f.chn.ID)}
	s.MustOK(read, nil, nil)

	proxy.Cut()
	for _, c := range []struct {
		name, key, query string
		vars             map[string]any
	}{
		{"read without a key", "", read, nil},
		{"read with a key", s.AdminKey, read, nil},
		{"write", s.AdminKey, write, vars},
	} {
		for _, accept := range []string{"application/json", "application/graphql-response+json"} {
			start := time.Now()
			res := s.DoAs(c.key, c.query, c.vars, "Accept", accept)
			took := time.Since(start)
			if res.Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "1" {
				t.Errorf("%s, %s: status %d, Retry-After %q; want 503 and 1", c.name, accept, res.Status, res.Header.Get("Retry-After"))
			}
			if len(res.Errors) != 1 || res.Errors[0].Code() != "SERVICE_UNAVAILABLE" {
				t.Errorf("%s, %s: errors %+v, want one SERVICE_UNAVAILABLE", c.name, accept, res.Errors)
			}
			if took > 2*time.Second {
				t.Errorf("%s, %s: the answer took %v", c.name, accept, took)
			}
		}
	}
	if r, err := http.Get(s.URL + "/readyz"); err != nil || r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz during the outage: %v %v", r, err)
	}

	proxy.Restore()
	back := time.Now()
	for tries := 1; ; tries++ {
		res := s.Do(read, nil)
		if res.Status == http.StatusOK && len(res.Errors) == 0 {
			t.Logf("serving again %v after the database came back (%d tries)", time.Since(back), tries)
			break
		}
		if time.Since(back) > time.Second {
			t.Fatalf("not serving a second after the database came back: %d %+v", res.Status, res.Errors)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := db.Client.Partner.Query().Where(partner.Name("Written in an outage")).CountX(context.Background()); n != 0 {
		t.Fatalf("%d partners written during the outage", n)
	}
	s.MustOK(write, vars, nil)
}

// TestWriteCutMidTransaction cuts the database away from a write in the
// middle of its transaction: before COMMIT reaches PostgreSQL (nothing is
// written) and after (it is written, but the answer is lost). Either way
// the client gets SERVICE_UNAVAILABLE, and a retry with the same
// Idempotency-Key, once the database is back, gets the committed answer,
// with the partner written exactly once.
func TestWriteCutMidTransaction(t *testing.T) {
	for _, c := range []struct {
		name     string
		after    bool
		replayed string
	}{
		{"before COMMIT reaches the database", false, ""},
		{"after COMMIT reached the database", true, "true"},
	} {
		t.Run(c.name, func(t *testing.T) {
			proxy, url := apitest.ProxyURL(t, apitest.PostgresURL(t))
			db := apitest.OpenPostgresURL(t, url)
			f := newFixture(t, db.Client)
			s := apitest.NewServer(t, db)
			name := "Cut " + c.name
			write := `mutation($chn: ID!, $name: String!) { createPartner(input: {name: $name, kind: ENTERPRISE, countryID: $chn}) { id name } }`
			vars := map[string]any{"chn": gid(f.chn.ID), "name": name}
			s.MustOK(`{ __typename }`, nil, nil) // the admin key is known

			tripped := proxy.CutOn("COMMIT\x00", c.after)
			res := s.Do(write, vars, "Idempotency-Key", "cut-1")
			select {
			case <-tripped:
			default:
				t.Fatalf("the write never sent COMMIT: %d %+v", res.Status, res.Errors)
			}
			if res.Status != http.StatusServiceUnavailable || len(res.Errors) != 1 || res.Errors[0].Code() != "SERVICE_UNAVAILABLE" {
				t.Fatalf("cut write: status %d, errors %+v", res.Status, res.Errors)
			}
			proxy.Restore()

			var retry *apitest.Response
			deadline := time.Now().Add(5 * time.Second)
			for {
				retry = s.Do(write, vars, "Idempotency-Key", "cut-1")
				if retry.Status == http.StatusOK || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if retry.Status != http.StatusOK || len(retry.Errors) != 0 {
				t.Fatalf("retry: status %d, errors %+v", retry.Status, retry.Errors)
			}
			if got := retry.Header.Get("Idempotent-Replayed"); got != c.replayed {
				t.Errorf("Idempotent-Replayed %q, want %q", got, c.replayed)
			}
			var data struct {
				CreatePartner struct{ ID, Name string }
			}
			if err := json.Unmarshal(retry.Data, &data); err != nil || data.CreatePartner.Name != name {
				t.Fatalf("retry answered %s (%v)", retry.Data, err)
			}
			stored := db.Client.Partner.Query().Where(partner.Name(name)).AllX(context.Background())
			if len(stored) != 1 || gid(stored[0].ID) != data.CreatePartner.ID {
				t.Fatalf("partners named %q: %v; the answer says %s", name, stored, data.CreatePartner.ID)
			}
			// and again: the same answer, nothing more written
			again := s.Do(write, vars, "Idempotency-Key", "cut-1")
			if string(again.Data) != string(retry.Data) || again.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("second retry: %s (replayed %q)", again.Data, again.Header.Get("Idempotent-Replayed"))
			}
		})
	}
}
