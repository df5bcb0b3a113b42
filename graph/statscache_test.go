package graph_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// cacheCounters reads the statistics cache's counters from /metrics; ok is
// false when the server has no cache.
func cacheCounters(t *testing.T, s *apitest.Server) (hits, misses int, ok bool) {
	t.Helper()
	rsp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer rsp.Body.Close()
	body, err := io.ReadAll(rsp.Body)
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) (int, bool) {
		m := regexp.MustCompile(`(?m)^` + name + ` (\d+)$`).FindSubmatch(body)
		if m == nil {
			return 0, false
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n, true
	}
	hits, ok = read("bri_stats_cache_hits_total")
	misses, _ = read("bri_stats_cache_misses_total")
	return hits, misses, ok
}

func TestProjectStatsCache(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		const q = `{ projectStats(groupBy: [HOST_COUNTRY]) { total { count sum } groups { key { hostCountry { name } } count sum } } }`
		const before = `{"projectStats":{"total":{"count":4,"sum":"3157000000.75"},"groups":[
			{"key":{"hostCountry":{"name":"Kazakhstan"}},"count":1,"sum":"120000000"},
			{"key":{"hostCountry":{"name":"Serbia"}},"count":1,"sum":"994000000.5"},
			{"key":{"hostCountry":{"name":"Pakistan"}},"count":2,"sum":"2043000000.25"}]}}`
		const after = `{"projectStats":{"total":{"count":5,"sum":"3157000008.25"},"groups":[
			{"key":{"hostCountry":{"name":"Kazakhstan"}},"count":1,"sum":"120000000"},
			{"key":{"hostCountry":{"name":"Serbia"}},"count":1,"sum":"994000000.5"},
			{"key":{"hostCountry":{"name":"Pakistan"}},"count":3,"sum":"2043000007.75"}]}}`
		ask := func(want string) {
			t.Helper()
			answers(t, s, q, want)
			// the statistics statement and the partners, computed or
			// from the cache alike
			if hits, _, _ := cacheCounters(t, s); hits == 0 {
				if n := db.Counter.Count(); n != 2 {
					t.Errorf("%d statements, want 2", n)
				}
			} else if n := db.Counter.Count(); n > 2 {
				t.Errorf("%d statements, want at most 2", n)
			}
		}
		ask(before)
		if !db.IsPostgres() {
			if _, _, ok := cacheCounters(t, s); ok {
				t.Error("SQLite has a statistics cache")
			}
			return
		}
		// The same question again is answered from the cache, in one
		// statement that skips the aggregation and takes the partners
		// from the cache too, when no commit anywhere on the PostgreSQL
		// server came between: other test processes commit now and then,
		// which rightly makes a request compute again (internal/stats
		// tests the cache within one snapshot). Every request counts once,
		// as a hit or a miss.
		hits := 0
		for range 20 {
			h0, m0, _ := cacheCounters(t, s)
			answers(t, s, q, before)
			h1, m1, _ := cacheCounters(t, s)
			n := db.Counter.Count()
			switch {
			case h1 == h0+1 && m1 == m0:
				hits++
				if n != 1 {
					t.Errorf("a cached answer took %d statements, want 1", n)
				}
			case m1 == m0+1 && h1 == h0:
				if n != 2 {
					t.Errorf("a computed answer took %d statements, want 2", n)
				}
			default:
				t.Fatalf("one request: %d hits and %d misses", h1-h0, m1-m0)
			}
		}
		t.Logf("%d of 20 repeated requests answered from the cache", hits)

		// An empty answer is kept and given back like any other.
		for range 3 {
			answers(t, s, `{ projectStats(where: {title: "No such project"}) { total { count sum } groups { count } } }`,
				`{"projectStats":{"total":{"count":0,"sum":null},"groups":[{"count":0}]}}`)
		}

		// A committed write is seen at once.
		ctx := auth.SystemContext(context.Background(), "test")
		amount := scalar.MustParseDecimal("7.5")
		db.Client.Project.Create().SetTitle("Solar farm").SetSector(project.SectorENERGY).
			SetHostCountryID(f.pak.ID).SetAmount(amount).SetCurrency("USD").SetAmountUsd(amount).ExecX(ctx)
		_, m0, _ := cacheCounters(t, s)
		ask(after)
		if _, m1, _ := cacheCounters(t, s); m1 != m0+1 {
			t.Errorf("after a write: %d computed statements, want %d", m1, m0+1)
		}

		// A rolled-back write changes nothing.
		tx, err := db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx.Project.Create().SetTitle("Never built").SetSector(project.SectorENERGY).
			SetHostCountryID(f.pak.ID).SetAmount(amount).SetCurrency("USD").SetAmountUsd(amount).ExecX(ctx)
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		ask(after)
	})
}

// TestProjectStatsCacheArguments: the statistics of the projects that count
// (the default), of every project (includeAll) and of a where on
// countsInAggregates are different questions, none answered from another's
// cached rows; includeAll: false is the default's question. Each is then
// answered from the cache like any other.
func TestProjectStatsCacheArguments(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		ctx := auth.SystemContext(context.Background(), "test")
		amount := scalar.MustParseDecimal("50")
		db.Client.Project.Create().SetTitle("Superseded pledge").SetSector(project.SectorENERGY).SetHostCountryID(f.pak.ID).
			SetAmount(amount).SetCurrency("USD").SetAmountUsd(amount).SetCountsInAggregates(false).ExecX(ctx)
		s := apitest.NewServer(t, db)
		const (
			fields  = `{ total { count sum } excluded { count sum } groups { key { hostCountry { name } } count sum } }`
			counted = `{"projectStats":{"total":{"count":4,"sum":"3157000000.75"},"excluded":{"count":1,"sum":"50"},"groups":[
				{"key":{"hostCountry":{"name":"Kazakhstan"}},"count":1,"sum":"120000000"},
				{"key":{"hostCountry":{"name":"Serbia"}},"count":1,"sum":"994000000.5"},
				{"key":{"hostCountry":{"name":"Pakistan"}},"count":2,"sum":"2043000000.25"}]}}`
			all = `{"projectStats":{"total":{"count":5,"sum":"3157000050.75"},"excluded":{"count":0,"sum":null},"groups":[
				{"key":{"hostCountry":{"name":"Kazakhstan"}},"count":1,"sum":"120000000"},
				{"key":{"hostCountry":{"name":"Serbia"}},"count":1,"sum":"994000000.5"},
				{"key":{"hostCountry":{"name":"Pakistan"}},"count":3,"sum":"2043000050.25"}]}}`
			chosen = `{"projectStats":{"total":{"count":4,"sum":"3157000000.75"},"excluded":{"count":0,"sum":null},"groups":[
				{"key":{"hostCountry":{"name":"Kazakhstan"}},"count":1,"sum":"120000000"},
				{"key":{"hostCountry":{"name":"Serbia"}},"count":1,"sum":"994000000.5"},
				{"key":{"hostCountry":{"name":"Pakistan"}},"count":2,"sum":"2043000000.25"}]}}`
		)
		questions := []struct {
			args, want string
			same       bool // the question of an earlier one
		}{
			{`groupBy: [HOST_COUNTRY]`, counted, false},
			{`groupBy: [HOST_COUNTRY], includeAll: true`, all, false},
			{`groupBy: [HOST_COUNTRY], includeAll: false`, counted, true},
			{`groupBy: [HOST_COUNTRY], where: {countsInAggregates: true}`, chosen, false},
			{`groupBy: [HOST_COUNTRY], where: {countsInAggregates: true}, includeAll: true`, chosen, true},
		}
		_, _, cached := cacheCounters(t, s)
		if cached != db.IsPostgres() {
			t.Fatalf("a statistics cache: %v, on PostgreSQL: %v", cached, db.IsPostgres())
		}
		hits := 0
		for round := range 10 {
			for _, q := range questions {
				h0, m0, _ := cacheCounters(t, s)
				answers(t, s, `{ projectStats(`+q.args+`) `+fields+` }`, q.want)
				h1, m1, _ := cacheCounters(t, s)
				n := db.Counter.Count()
				switch {
				case !cached:
					if n != 2 {
						t.Errorf("%s: %d statements, want 2", q.args, n)
					}
				case h1 == h0+1 && m1 == m0:
					if round == 0 && !q.same {
						t.Fatalf("%s: answered from the cache of another question", q.args)
					}
					hits++
					if n != 1 {
						t.Errorf("%s: a cached answer took %d statements, want 1", q.args, n)
					}
				case m1 == m0+1 && h1 == h0:
					if n != 2 {
						t.Errorf("%s: a computed answer took %d statements, want 2", q.args, n)
					}
				default:
					t.Fatalf("%s: one request, %d hits and %d misses", q.args, h1-h0, m1-m0)
				}
			}
		}
		if cached {
			t.Logf("%d of %d requests answered from the cache", hits, 10*len(questions))
		}
	})
}
