package graph_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
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
			{"by sector", `{ projectStats(groupBy: [SECTOR]) { total { ` + fields + ` } excluded { count sum } groups { key { sector } ` + fields + ` } } }`,
				`{"projectStats":{"total":{"count":5,"countWithAmount":4,"sum":"3157000000.75","avg":"789250000.1875","min":"120000000","max":"1912000000"},"excluded":{"count":0,"sum":null},"groups":[
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

// weightedRate is AidData's amount-weighted interest rate, computed apart
// from the server: Σ(amount × rate) / Σ amount over the given (amount, rate)
// pairs, rounded half away from zero to 6 places.
func weightedRate(t *testing.T, pairs ...string) string {
	t.Helper()
	var num, den decimal.Decimal
	for i := 0; i+1 < len(pairs); i += 2 {
		amount, rate := decimal.RequireFromString(pairs[i]), decimal.RequireFromString(pairs[i+1])
		num, den = num.Add(amount.Mul(rate)), den.Add(amount)
	}
	return num.DivRound(den, 6).String()
}

// TestProjectStatsAggregates: only projects that count in aggregates are
// counted, the others reported as excluded, unless includeAll or a where on
// countsInAggregates (which wins over both); FLOW_CLASS and FLOW_TYPE groups;
// the amount-weighted interest rate; a partner holding several roles in a
// project counts it once. On the root, on partners and policies and under
// lists, in as many statements as before.
func TestProjectStatsAggregates(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		ctx := auth.SystemContext(context.Background(), "test")
		c := db.Client
		dec := scalar.MustParseDecimal
		c.Project.UpdateOne(f.sahiwal).SetFlowClass(project.FlowClassOOF_LIKE).SetFlowType("Buyer's Credit").SetInterestRate(dec("4.5")).ExecX(ctx)
		c.Project.UpdateOne(f.solar).SetFlowClass(project.FlowClassOOF_LIKE).SetFlowType("Loan").SetInterestRate(dec("2.03")).ExecX(ctx)
		// an amount but no rate
		c.Project.UpdateOne(f.zrenjanin).SetFlowClass(project.FlowClassVAGUE).SetFlowType("Loan").ExecX(ctx)
		// a rate but no amount
		c.Project.Create().SetTitle("Rate but no amount").SetSector(project.SectorENERGY).SetHostCountryID(f.pak.ID).
			SetFlowClass(project.FlowClassODA_LIKE).SetFlowType("Loan").SetInterestRate(dec("1.25")).ExecX(ctx)
		// two projects that do not count: a superseded pledge and an umbrella agreement
		pledge := c.Project.Create().SetTitle("Superseded pledge").SetSector(project.SectorENERGY).SetHostCountryID(f.pak.ID).
			SetAmount(dec("700000000")).SetCurrency("USD").SetAmountUsd(dec("700000000")).
			SetFlowClass(project.FlowClassOOF_LIKE).SetFlowType("Loan").SetInterestRate(dec("3")).
			SetCountsInAggregates(false).AddPolicyIDs(f.fta.ID).SaveX(ctx)
		c.Project.Create().SetTitle("Umbrella framework agreement").SetSector(project.SectorENERGY).SetHostCountryID(f.pak.ID).
			SetUmbrella(true).SetCountsInAggregates(false).ExecX(ctx)
		part := func(p *ent.Project, who *ent.Partner, role projectparticipant.Role) {
			c.ProjectParticipant.Create().SetProjectID(p.ID).SetPartnerID(who.ID).SetRole(role).ExecX(ctx)
		}
		part(pledge, f.exim, projectparticipant.RoleFINANCIER)
		part(f.sahiwal, f.exim, projectparticipant.RoleGUARANTOR)    // a second role of Exim's
		part(f.sahiwal, f.hiSpeed, projectparticipant.RoleFINANCIER) // a second financier
		s := apitest.NewServer(t, db)

		const (
			sahiwal, solar, pledgeUSD = "1912000000", "131000000.25", "700000000"
		)
		vars := []string{
			"$rCounted", weightedRate(t, sahiwal, "4.5", solar, "2.03"),
			"$rAll", weightedRate(t, sahiwal, "4.5", solar, "2.03", pledgeUSD, "3"),
		}
		const total = `count countWithAmount sum weightedInterestRate`
		cases := []struct {
			name, query, want string
			stmts             int
		}{
			{"by default, only the projects that count", `{ projectStats(groupBy: [FLOW_CLASS]) { total { ` + total + ` } excluded { count sum } groups { key { flowClass } ` + total + ` } } }`,
				`{"projectStats":{"total":{"count":5,"countWithAmount":4,"sum":"3157000000.75","weightedInterestRate":"$rCounted"},
					"excluded":{"count":2,"sum":"700000000"},"groups":[
					{"key":{"flowClass":"ODA_LIKE"},"count":1,"countWithAmount":0,"sum":null,"weightedInterestRate":null},
					{"key":{"flowClass":"OOF_LIKE"},"count":2,"countWithAmount":2,"sum":"2043000000.25","weightedInterestRate":"$rCounted"},
					{"key":{"flowClass":"VAGUE"},"count":1,"countWithAmount":1,"sum":"994000000.5","weightedInterestRate":null},
					{"key":{"flowClass":null},"count":1,"countWithAmount":1,"sum":"120000000","weightedInterestRate":null}]}}`, 1},
			{"includeAll counts every project", `{ projectStats(groupBy: [FLOW_CLASS], includeAll: true) { total { ` + total + ` } excluded { count sum } groups { key { flowClass } ` + total + ` } } }`,
				`{"projectStats":{"total":{"count":7,"countWithAmount":5,"sum":"3857000000.75","weightedInterestRate":"$rAll"},
					"excluded":{"count":0,"sum":null},"groups":[
					{"key":{"flowClass":"ODA_LIKE"},"count":1,"countWithAmount":0,"sum":null,"weightedInterestRate":null},
					{"key":{"flowClass":"OOF_LIKE"},"count":3,"countWithAmount":3,"sum":"2743000000.25","weightedInterestRate":"$rAll"},
					{"key":{"flowClass":"VAGUE"},"count":1,"countWithAmount":1,"sum":"994000000.5","weightedInterestRate":null},
					{"key":{"flowClass":null},"count":2,"countWithAmount":1,"sum":"120000000","weightedInterestRate":null}]}}`, 1},
			{"by flow type, nulls last", `{ projectStats(groupBy: [FLOW_TYPE]) { total { count } excluded { count sum } groups { key { flowType flowClass } ` + total + ` } } }`,
				`{"projectStats":{"total":{"count":5},"excluded":{"count":2,"sum":"700000000"},"groups":[
					{"key":{"flowType":"Buyer's Credit","flowClass":null},"count":1,"countWithAmount":1,"sum":"1912000000","weightedInterestRate":"4.5"},
					{"key":{"flowType":"Loan","flowClass":null},"count":3,"countWithAmount":2,"sum":"1125000000.75","weightedInterestRate":"2.03"},
					{"key":{"flowType":null,"flowClass":null},"count":1,"countWithAmount":1,"sum":"120000000","weightedInterestRate":null}]}}`, 1},
			{"by flow type descending, nulls still last", `{ projectStats(groupBy: [FLOW_TYPE], orderBy: {field: KEY, direction: DESC}, includeAll: true) { groups { key { flowType } count } } }`,
				`{"projectStats":{"groups":[{"key":{"flowType":"Loan"},"count":4},{"key":{"flowType":"Buyer's Credit"},"count":1},{"key":{"flowType":null},"count":2}]}}`, 1},
			{"a where on countsInAggregates wins over the default", `{ projectStats(where: {countsInAggregates: false}) { total { ` + total + ` } excluded { count sum } } }`,
				`{"projectStats":{"total":{"count":2,"countWithAmount":1,"sum":"700000000","weightedInterestRate":"3"},"excluded":{"count":0,"sum":null}}}`, 1},
			{"and over includeAll", `{ projectStats(where: {countsInAggregates: false}, includeAll: false) { total { count } excluded { count } } }`,
				`{"projectStats":{"total":{"count":2},"excluded":{"count":0}}}`, 1},
			{"within or", `{ projectStats(where: {or: [{countsInAggregates: false}, {sector: LOGISTICS}]}, groupBy: [SECTOR]) { total { count } excluded { count } groups { key { sector } count } } }`,
				`{"projectStats":{"total":{"count":3},"excluded":{"count":0},"groups":[{"key":{"sector":"ENERGY"},"count":2},{"key":{"sector":"LOGISTICS"},"count":1}]}}`, 1},
			{"within and and not: nothing excluded though two projects do not count", `{ projectStats(where: {and: [{not: {countsInAggregatesNEQ: true}}]}) { total { count sum } excluded { count sum } } }`,
				`{"projectStats":{"total":{"count":5,"sum":"3157000000.75"},"excluded":{"count":0,"sum":null}}}`, 1},
			{"a where elsewhere narrows the excluded too", `{ projectStats(where: {sector: ENERGY}, groupBy: [HOST_COUNTRY]) { total { count sum } excluded { count sum } groups { key { hostCountry { name } } count } } }`,
				`{"projectStats":{"total":{"count":3,"sum":"2043000000.25"},"excluded":{"count":2,"sum":"700000000"},"groups":[{"key":{"hostCountry":{"name":"Pakistan"}},"count":3}]}}`, 2},
			{"only non-counting projects match: no groups, all excluded", `{ projectStats(where: {titleHasPrefix: "Superseded"}, groupBy: [SECTOR]) { total { count sum weightedInterestRate } excluded { count sum } groups { count } } }`,
				`{"projectStats":{"total":{"count":0,"sum":null,"weightedInterestRate":null},"excluded":{"count":1,"sum":"700000000"},"groups":[]}}`, 1},
			{"ungrouped, the one group stays", `{ projectStats(where: {titleHasPrefix: "Superseded"}) { total { count } excluded { count } groups { count sum } } }`,
				`{"projectStats":{"total":{"count":0},"excluded":{"count":1},"groups":[{"count":0,"sum":null}]}}`, 1},
			{"a partner with two roles counts the project once", `{ projectStats(groupBy: [PARTICIPANT], orderBy: {field: COUNT, direction: DESC}) { total { count } excluded { count } groups { key { participant { name } } count sum } } }`,
				`{"projectStats":{"total":{"count":5},"excluded":{"count":2},"groups":[
					{"key":{"participant":{"name":"Shandong Hi-Speed Group"}},"count":2,"sum":"2032000000"},
					{"key":{"participant":{"name":"Export-Import Bank of China"}},"count":2,"sum":"2043000000.25"},
					{"key":{"participant":{"name":"Kazakhstan"}},"count":1,"sum":"120000000"},
					{"key":{"participant":{"name":"Linglong Tyre"}},"count":1,"sum":"994000000.5"}]}}`, 2},
			{"a role held by two partners counts the project once", `{ projectStats(groupBy: [PARTICIPANT_ROLE]) { total { count } groups { key { participantRole } count sum weightedInterestRate } } }`,
				`{"projectStats":{"total":{"count":5},"groups":[
					{"key":{"participantRole":"FINANCIER"},"count":2,"sum":"2043000000.25","weightedInterestRate":"$rCounted"},
					{"key":{"participantRole":"GUARANTOR"},"count":1,"sum":"1912000000","weightedInterestRate":"4.5"},
					{"key":{"participantRole":"HOST_GOVERNMENT"},"count":1,"sum":"120000000","weightedInterestRate":null},
					{"key":{"participantRole":"INVESTOR"},"count":1,"sum":"994000000.5","weightedInterestRate":null},
					{"key":{"participantRole":"OPERATOR"},"count":1,"sum":"120000000","weightedInterestRate":null}]}}`, 1},
			{"by partner and role, each participation", `{ projectStats(groupBy: [PARTICIPANT, PARTICIPANT_ROLE], includeAll: true) { total { count } excluded { count } groups { key { participant { name } participantRole } count } } }`,
				`{"projectStats":{"total":{"count":7},"excluded":{"count":0},"groups":[
					{"key":{"participant":{"name":"Kazakhstan"},"participantRole":"HOST_GOVERNMENT"},"count":1},
					{"key":{"participant":{"name":"Shandong Hi-Speed Group"},"participantRole":"FINANCIER"},"count":1},
					{"key":{"participant":{"name":"Shandong Hi-Speed Group"},"participantRole":"OPERATOR"},"count":1},
					{"key":{"participant":{"name":"Linglong Tyre"},"participantRole":"INVESTOR"},"count":1},
					{"key":{"participant":{"name":"Export-Import Bank of China"},"participantRole":"FINANCIER"},"count":3},
					{"key":{"participant":{"name":"Export-Import Bank of China"},"participantRole":"GUARANTOR"},"count":1}]}}`, 2},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				db.Counter.Reset()
				res := s.DoAs("", c.query, nil)
				if len(res.Errors) > 0 {
					t.Fatal(res.Errors)
				}
				jsonEq(t, res.Data, c.want, vars...)
				if n := db.Counter.Count(); n != c.stmts {
					t.Errorf("%d statements, want %d", n, c.stmts)
				}
			})
		}

		// on a partner and a policy
		res := s.DoAs("", `query($pak: ID!, $exim: ID!, $fta: ID!) {
			pak: node(id: $pak) { ... on Partner { projectStats { total { count sum weightedInterestRate } excluded { count sum } }
				all: projectStats(includeAll: true) { total { count sum weightedInterestRate } excluded { count sum } } } }
			exim: node(id: $exim) { ... on Partner { projectStats(groupBy: [PARTICIPANT_ROLE]) { total { count } excluded { count sum } groups { key { participantRole } count } }
				pledges: projectStats(where: {countsInAggregates: false}) { total { count } excluded { count } } } }
			fta: node(id: $fta) { ... on Policy { projectStats { total { count sum } excluded { count sum } }
				all: projectStats(includeAll: true) { total { count sum } excluded { count sum } } } }
		}`, map[string]any{"pak": gid(f.pak.ID), "exim": gid(f.exim.ID), "fta": gid(f.fta.ID)})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{
			"pak":{"projectStats":{"total":{"count":3,"sum":"2043000000.25","weightedInterestRate":"$rCounted"},"excluded":{"count":2,"sum":"700000000"}},
				"all":{"total":{"count":5,"sum":"2743000000.25","weightedInterestRate":"$rAll"},"excluded":{"count":0,"sum":null}}},
			"exim":{"projectStats":{"total":{"count":2},"excluded":{"count":1,"sum":"700000000"},"groups":[
					{"key":{"participantRole":"FINANCIER"},"count":2},{"key":{"participantRole":"GUARANTOR"},"count":1}]},
				"pledges":{"total":{"count":1},"excluded":{"count":0}}},
			"fta":{"projectStats":{"total":{"count":2,"sum":"1114000000.5"},"excluded":{"count":1,"sum":"700000000"}},
				"all":{"total":{"count":3,"sum":"1814000000.5"},"excluded":{"count":0,"sum":null}}}}`, vars...)

		// under lists, one statement for each field, as before
		db.Counter.Reset()
		res = s.DoAs("", `{
			partners(orderBy: {field: NAME}) { edges { node { name
				projectStats { total { count sum } excluded { count sum } }
				all: projectStats(includeAll: true) { total { count } excluded { count } } } } }
			policies(orderBy: {field: TITLE}) { edges { node { projectStats { total { count } excluded { count sum } } } } }
		}`, nil)
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"partners":{"edges":[
			{"node":{"name":"China","projectStats":{"total":{"count":0,"sum":null},"excluded":{"count":0,"sum":null}},"all":{"total":{"count":0},"excluded":{"count":0}}}},
			{"node":{"name":"Export-Import Bank of China","projectStats":{"total":{"count":2,"sum":"2043000000.25"},"excluded":{"count":1,"sum":"700000000"}},"all":{"total":{"count":3},"excluded":{"count":0}}}},
			{"node":{"name":"Kazakhstan","projectStats":{"total":{"count":1,"sum":"120000000"},"excluded":{"count":0,"sum":null}},"all":{"total":{"count":1},"excluded":{"count":0}}}},
			{"node":{"name":"Linglong Tyre","projectStats":{"total":{"count":1,"sum":"994000000.5"},"excluded":{"count":0,"sum":null}},"all":{"total":{"count":1},"excluded":{"count":0}}}},
			{"node":{"name":"Pakistan","projectStats":{"total":{"count":3,"sum":"2043000000.25"},"excluded":{"count":2,"sum":"700000000"}},"all":{"total":{"count":5},"excluded":{"count":0}}}},
			{"node":{"name":"Serbia","projectStats":{"total":{"count":1,"sum":"994000000.5"},"excluded":{"count":0,"sum":null}},"all":{"total":{"count":1},"excluded":{"count":0}}}},
			{"node":{"name":"Shandong Hi-Speed Group","projectStats":{"total":{"count":2,"sum":"2032000000"},"excluded":{"count":0,"sum":null}},"all":{"total":{"count":2},"excluded":{"count":0}}}}]},
			"policies":{"edges":[
			{"node":{"projectStats":{"total":{"count":2},"excluded":{"count":1,"sum":"700000000"}}}},
			{"node":{"projectStats":{"total":{"count":1},"excluded":{"count":0,"sum":null}}}}]}}`)
		if n := db.Counter.Count(); n != 5 { // partners, policies, and one statistics query per field
			t.Fatalf("%d statements, want 5", n)
		}
		// grouped under a list: an owner whose only projects do not count has no groups
		db.Counter.Reset()
		res = s.DoAs("", `{ partners(where: {nameIn: ["Pakistan", "Export-Import Bank of China"]}, orderBy: {field: NAME}) { edges { node { name
			projectStats(groupBy: [FLOW_CLASS]) { total { count weightedInterestRate } excluded { count } groups { key { flowClass } count weightedInterestRate } }
			pledges: projectStats(where: {countsInAggregatesNEQ: true}, groupBy: [FLOW_TYPE]) { excluded { count } groups { key { flowType } count weightedInterestRate } } } } } }`, nil)
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"partners":{"edges":[
			{"node":{"name":"Export-Import Bank of China",
				"projectStats":{"total":{"count":2,"weightedInterestRate":"$rCounted"},"excluded":{"count":1},"groups":[{"key":{"flowClass":"OOF_LIKE"},"count":2,"weightedInterestRate":"$rCounted"}]},
				"pledges":{"excluded":{"count":0},"groups":[{"key":{"flowType":"Loan"},"count":1,"weightedInterestRate":"3"}]}}},
			{"node":{"name":"Pakistan",
				"projectStats":{"total":{"count":3,"weightedInterestRate":"$rCounted"},"excluded":{"count":2},"groups":[
					{"key":{"flowClass":"ODA_LIKE"},"count":1,"weightedInterestRate":null},{"key":{"flowClass":"OOF_LIKE"},"count":2,"weightedInterestRate":"$rCounted"}]},
				"pledges":{"excluded":{"count":0},"groups":[{"key":{"flowType":"Loan"},"count":1,"weightedInterestRate":"3"},{"key":{"flowType":null},"count":1,"weightedInterestRate":null}]}}}]}}`, vars...)
		if n := db.Counter.Count(); n != 3 {
			t.Fatalf("%d statements, want 3", n)
		}
	})
}
