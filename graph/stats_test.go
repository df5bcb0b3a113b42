package graph_test

import (
	"context"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

func TestProjectStats(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		ctx := auth.SystemContext(context.Background(), "test")
		db.Client.Project.Create().SetTitle("No money yet").SetSector(project.SectorTRADE).ExecX(ctx)
		s := apitest.NewServer(t, db)
		const fields = `count countWithAmount sum avg min max`
		cases := []struct {
			name, query, want string
			stmts             int
		}{
			{"by sector", `{ projectStats(groupBy: [SECTOR]) { total { ` + fields + ` } groups { key { sector } ` + fields + ` } } }`,
				`{"projectStats":{"total":{"count":5,"countWithAmount":4,"sum":"3157000000.75","avg":"789250000.1875","min":"120000000","max":"1912000000"},"groups":[
					{"key":{"sector":"ENERGY"},"count":2,"countWithAmount":2,"sum":"2043000000.25","avg":"1021500000.125","min":"131000000.25","max":"1912000000"},
					{"key":{"sector":"LOGISTICS"},"count":1,"countWithAmount":1,"sum":"120000000","avg":"120000000","min":"120000000","max":"120000000"},
					{"key":{"sector":"MANUFACTURING"},"count":1,"countWithAmount":1,"sum":"994000000.5","avg":"994000000.5","min":"994000000.5","max":"994000000.5"},
					{"key":{"sector":"TRADE"},"count":1,"countWithAmount":0,"sum":null,"avg":null,"min":null,"max":null}]}}`, 1},
			{"two dimensions by sum", `{ projectStats(groupBy: [REGION, STATUS], orderBy: {field: SUM, direction: DESC}) { groups { key { region status sector } count sum } } }`,
				`{"projectStats":{"groups":[
					{"key":{"region":"ASIA","status":"OPERATIONAL","sector":null},"count":2,"sum":"2032000000"},
					{"key":{"region":"EUROPE","status":"UNDER_CONSTRUCTION","sector":null},"count":1,"sum":"994000000.5"},
					{"key":{"region":"ASIA","status":"COMPLETED","sector":null},"count":1,"sum":"131000000.25"},
					{"key":{"region":null,"status":"PIPELINE","sector":null},"count":1,"sum":null}]}}`, 1},
			{"filtered by role", `{ projectStats(where: {sector: ENERGY}, groupBy: [PARTICIPANT_ROLE, COMMITMENT_YEAR]) { total { count sum } groups { key { participantRole commitmentYear } count sum } } }`,
				`{"projectStats":{"total":{"count":2,"sum":"2043000000.25"},"groups":[
					{"key":{"participantRole":"FINANCIER","commitmentYear":2014},"count":1,"sum":"1912000000"},
					{"key":{"participantRole":"FINANCIER","commitmentYear":2015},"count":1,"sum":"131000000.25"}]}}`, 1},
			{"by participant, counted once in the total", `{ projectStats(groupBy: [PARTICIPANT], orderBy: {field: COUNT, direction: DESC}, limit: 2) { total { count } groups { key { participant { name } } count } } }`,
				`{"projectStats":{"total":{"count":5},"groups":[
					{"key":{"participant":{"name":"Export-Import Bank of China"}},"count":2},
					{"key":{"participant":{"name":"Kazakhstan"}},"count":1}]}}`, 2},
			{"by host country", `{ projectStats(groupBy: [HOST_COUNTRY], orderBy: {field: MAX}) { groups { key { hostCountry { countryCode } } max } } }`,
				`{"projectStats":{"groups":[
					{"key":{"hostCountry":{"countryCode":"KAZ"}},"max":"120000000"},
					{"key":{"hostCountry":{"countryCode":"SRB"}},"max":"994000000.5"},
					{"key":{"hostCountry":{"countryCode":"PAK"}},"max":"1912000000"},
					{"key":{"hostCountry":null},"max":null}]}}`, 2},
			{"no grouping", `{ projectStats(where: {hasPoliciesWith: {level: NATIONAL}}) { total { count sum } groups { count sum } } }`,
				`{"projectStats":{"total":{"count":2,"sum":"1114000000.5"},"groups":[{"count":2,"sum":"1114000000.5"}]}}`, 1},
			{"null keys last", `{ projectStats(groupBy: [REGION], orderBy: {field: KEY, direction: DESC}) { groups { key { region } count } } }`,
				`{"projectStats":{"groups":[{"key":{"region":"EUROPE"},"count":1},{"key":{"region":"ASIA"},"count":3},{"key":{"region":null},"count":1}]}}`, 1},
			{"limit 0", `{ projectStats(groupBy: [SECTOR], limit: 0) { total { count } groups { count } } }`,
				`{"projectStats":{"total":{"count":5},"groups":[]}}`, 1},
			{"the total is over every group, not only those returned", `{ projectStats(groupBy: [STATUS], orderBy: {field: COUNT, direction: DESC}, limit: 1) { total { count countWithAmount sum avg min max } groups { key { status } count } } }`,
				`{"projectStats":{"total":{"count":5,"countWithAmount":4,"sum":"3157000000.75","avg":"789250000.1875","min":"120000000","max":"1912000000"},"groups":[{"key":{"status":"OPERATIONAL"},"count":2}]}}`, 1},
			{"nothing matches", `{ projectStats(where: {title: "No such project"}, groupBy: [SECTOR]) { total { count countWithAmount sum avg min max } groups { count } } }`,
				`{"projectStats":{"total":{"count":0,"countWithAmount":0,"sum":null,"avg":null,"min":null,"max":null},"groups":[]}}`, 1},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				db.Counter.Reset()
				res := s.DoAs("", c.query, nil)
				if len(res.Errors) > 0 {
					t.Fatal(res.Errors)
				}
				jsonEq(t, res.Data, c.want)
				if n := db.Counter.Count(); n != c.stmts {
					t.Errorf("%d statements, want %d", n, c.stmts)
				}
			})
		}
		// the same statistics from a partner and from a policy
		res := s.DoAs("", `query($pak: ID!, $exim: ID!, $fta: ID!) {
			pak: node(id: $pak) { ... on Partner { projectStats { total { count sum } } } }
			exim: node(id: $exim) { ... on Partner { projectStats(groupBy: [STATUS]) { groups { key { status } count } } } }
			fta: node(id: $fta) { ... on Policy { projectStats(where: {sector: MANUFACTURING}) { total { count sum } } } }
		}`, map[string]any{"pak": gid(f.pak.ID), "exim": gid(f.exim.ID), "fta": gid(f.fta.ID)})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"pak":{"projectStats":{"total":{"count":2,"sum":"2043000000.25"}}},
			"exim":{"projectStats":{"groups":[{"key":{"status":"COMPLETED"},"count":1},{"key":{"status":"OPERATIONAL"},"count":1}]}},
			"fta":{"projectStats":{"total":{"count":1,"sum":"994000000.5"}}}}`)
		// under a list, in one query for all the list's items
		db.Counter.Reset()
		res = s.DoAs("", `{
			partners(orderBy: {field: NAME}) { edges { node { name projectStats { total { count sum } } byStatus: projectStats(groupBy: [STATUS], limit: 1) { groups { key { status } count } } } } }
			policies(orderBy: {field: TITLE}) { edges { node { projectStats { total { count } } } } }
		}`, nil)
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"partners":{"edges":[
			{"node":{"name":"China","projectStats":{"total":{"count":0,"sum":null}},"byStatus":{"groups":[]}}},
			{"node":{"name":"Export-Import Bank of China","projectStats":{"total":{"count":2,"sum":"2043000000.25"}},"byStatus":{"groups":[{"key":{"status":"COMPLETED"},"count":1}]}}},
			{"node":{"name":"Kazakhstan","projectStats":{"total":{"count":1,"sum":"120000000"}},"byStatus":{"groups":[{"key":{"status":"OPERATIONAL"},"count":1}]}}},
			{"node":{"name":"Linglong Tyre","projectStats":{"total":{"count":1,"sum":"994000000.5"}},"byStatus":{"groups":[{"key":{"status":"UNDER_CONSTRUCTION"},"count":1}]}}},
			{"node":{"name":"Pakistan","projectStats":{"total":{"count":2,"sum":"2043000000.25"}},"byStatus":{"groups":[{"key":{"status":"COMPLETED"},"count":1}]}}},
			{"node":{"name":"Serbia","projectStats":{"total":{"count":1,"sum":"994000000.5"}},"byStatus":{"groups":[{"key":{"status":"UNDER_CONSTRUCTION"},"count":1}]}}},
			{"node":{"name":"Shandong Hi-Speed Group","projectStats":{"total":{"count":1,"sum":"120000000"}},"byStatus":{"groups":[{"key":{"status":"OPERATIONAL"},"count":1}]}}}]},
			"policies":{"edges":[{"node":{"projectStats":{"total":{"count":2}}}},{"node":{"projectStats":{"total":{"count":1}}}}]}}`)
		if n := db.Counter.Count(); n != 5 { // partners, policies, and one statistics query per field
			t.Fatalf("%d statements, want 5", n)
		}
		// partners and policies mixed in one list: one query for each kind
		db.Counter.Reset()
		res = s.DoAs("", `query($ids: [ID!]!) { nodes(ids: $ids) {
			... on Partner { name projectStats { total { count } } }
			... on Policy { title projectStats { total { count } } } } }`,
			map[string]any{"ids": []string{gid(f.kaz.ID), gid(f.corridor.ID), gid(f.pak.ID), gid(f.fta.ID)}})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"nodes":[
			{"name":"Kazakhstan","projectStats":{"total":{"count":1}}},
			{"title":"Qilu China-Europe train support measures","projectStats":{"total":{"count":1}}},
			{"name":"Pakistan","projectStats":{"total":{"count":2}}},
			{"title":"China (Shandong) Pilot Free Trade Zone","projectStats":{"total":{"count":2}}}]}`)
		if n := db.Counter.Count(); n != 4 { // partners, policies, and one statistics query per kind
			t.Fatalf("%d statements, want 4", n)
		}
		for _, bad := range []string{
			`{ projectStats(groupBy: [SECTOR, SECTOR]) { total { count } } }`,
			`{ projectStats(limit: -1) { total { count } } }`,
			`{ projectStats(limit: 10001) { total { count } } }`,
		} {
			s.MustFail("BAD_USER_INPUT", bad, nil)
		}
	})
}
