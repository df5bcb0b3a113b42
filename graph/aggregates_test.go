package graph_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// TestProjectStatsAggregationRule: projectStats counts only the projects
// that count in aggregates and says what it left out; includeAll counts
// everything; a where on countsInAggregates wins; the same on partners,
// policies and under a list (one statement each); groups by flow class and
// type; the amount-weighted interest rate over the loans stating both; and
// a partner with two roles counts a project once.
func TestProjectStatsAggregationRule(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		ctx := auth.SystemContext(context.Background(), "test")
		dec := func(s string) scalar.Decimal {
			d, err := scalar.ParseDecimal(s)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		c := db.Client
		c.Project.UpdateOneID(f.sahiwal.ID).SetFlowType("Loan").SetFlowClass(project.FlowClassOOF_LIKE).SetInterestRate(dec("2.5")).ExecX(ctx)
		c.Project.UpdateOneID(f.solar.ID).SetFlowType("Export Buyer's Credit").SetFlowClass(project.FlowClassODA_LIKE).SetInterestRate(dec("1.25")).ExecX(ctx)
		// an umbrella over Pakistan's projects, left out of totals, with a rate of its own
		c.Project.Create().SetTitle("Framework facility").SetSector(project.SectorFINANCE).SetHostCountryID(f.pak.ID).
			SetUmbrella(true).SetCountsInAggregates(false).SetAmountUsd(dec("5000000000")).SetCurrency("USD").SetAmount(dec("5000000000")).
			SetFlowType("Loan").SetFlowClass(project.FlowClassOOF_LIKE).SetInterestRate(dec("9")).ExecX(ctx)
		// a loan stating its rate but no amount: no weight
		c.Project.Create().SetTitle("Unknown amount").SetSector(project.SectorENERGY).SetHostCountryID(f.pak.ID).
			SetFlowType("Loan").SetFlowClass(project.FlowClassOOF_LIKE).SetInterestRate(dec("7")).ExecX(ctx)
		// Exim also guarantees Sahiwal: two roles, one project
		c.ProjectParticipant.Create().SetProjectID(f.sahiwal.ID).SetPartnerID(f.exim.ID).SetRole(projectparticipant.RoleGUARANTOR).ExecX(ctx)

		weighted := func(pairs ...[2]string) string {
			num, den := decimal.Zero, decimal.Zero
			for _, p := range pairs {
				a, r := decimal.RequireFromString(p[0]), decimal.RequireFromString(p[1])
				num, den = num.Add(a.Mul(r)), den.Add(a)
			}
			return num.DivRound(den, 6).String()
		}
		s := apitest.NewServer(t, db)
		cases := []struct {
			name, query, want string
		}{
			{"counted only, the rest reported", `{ projectStats { total { count sum weightedInterestRate } excluded { count sum } } }`,
				`{"projectStats":{"total":{"count":5,"sum":"3157000000.75","weightedInterestRate":"` + weighted([2]string{"1912000000", "2.5"}, [2]string{"131000000.25", "1.25"}) + `"},"excluded":{"count":1,"sum":"5000000000"}}}`},
			{"includeAll", `{ projectStats(includeAll: true) { total { count sum weightedInterestRate } excluded { count sum } } }`,
				`{"projectStats":{"total":{"count":6,"sum":"8157000000.75","weightedInterestRate":"` + weighted([2]string{"1912000000", "2.5"}, [2]string{"131000000.25", "1.25"}, [2]string{"5000000000", "9"}) + `"},"excluded":{"count":0,"sum":null}}}`},
			{"a where on countsInAggregates wins", `{ projectStats(where: {countsInAggregates: false}) { total { count sum } excluded { count } } }`,
				`{"projectStats":{"total":{"count":1,"sum":"5000000000"},"excluded":{"count":0}}}`},
			{"nested too", `{ projectStats(where: {or: [{umbrella: true}, {countsInAggregatesNEQ: true}]}) { total { count } } }`,
				`{"projectStats":{"total":{"count":1}}}`},
			{"by flow class", `{ projectStats(groupBy: [FLOW_CLASS]) { groups { key { flowClass } count sum weightedInterestRate } } }`,
				`{"projectStats":{"groups":[
					{"key":{"flowClass":"ODA_LIKE"},"count":1,"sum":"131000000.25","weightedInterestRate":"1.25"},
					{"key":{"flowClass":"OOF_LIKE"},"count":2,"sum":"1912000000","weightedInterestRate":"2.5"},
					{"key":{"flowClass":null},"count":2,"sum":"1114000000.5","weightedInterestRate":null}]}}`},
			{"by flow type", `{ projectStats(groupBy: [FLOW_TYPE], orderBy: {field: COUNT, direction: DESC}) { groups { key { flowType } count } } }`,
				`{"projectStats":{"groups":[{"key":{"flowType":"Loan"},"count":2},{"key":{"flowType":null},"count":2},{"key":{"flowType":"Export Buyer's Credit"},"count":1}]}}`},
			{"a partner with two roles counts a project once", `{ projectStats(where: {sector: ENERGY}, groupBy: [PARTICIPANT]) { groups { key { participant { name } } count } } }`,
				`{"projectStats":{"groups":[{"key":{"participant":{"name":"Export-Import Bank of China"}},"count":2}]}}`},
			{"and once for each role", `{ projectStats(where: {sector: ENERGY}, groupBy: [PARTICIPANT_ROLE]) { groups { key { participantRole } count } } }`,
				`{"projectStats":{"groups":[{"key":{"participantRole":"FINANCIER"},"count":2},{"key":{"participantRole":"GUARANTOR"},"count":1}]}}`},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				db.Counter.Reset()
				res := s.DoAs("", tc.query, nil)
				if len(res.Errors) > 0 {
					t.Fatal(res.Errors)
				}
				jsonEq(t, res.Data, tc.want)
				if n := db.Counter.Count(); n > 2 {
					t.Errorf("%d statements, want the statistics statement (and the partners it names)", n)
				}
			})
		}

		// on a partner and under a list: the same rule, one statement a field
		db.Counter.Reset()
		res := s.DoAs("", `{ partners(where: {countryCode: "PAK"}) { edges { node { name
			projectStats { total { count sum } excluded { count sum } }
			all: projectStats(includeAll: true) { total { count } excluded { count } } } } } }`, nil)
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"partners":{"edges":[{"node":{"name":"Pakistan",
			"projectStats":{"total":{"count":3,"sum":"2043000000.25"},"excluded":{"count":1,"sum":"5000000000"}},
			"all":{"total":{"count":4},"excluded":{"count":0}}}}]}}`)
		if n := db.Counter.Count(); n != 3 {
			t.Errorf("%d statements, want 3 (partners, then one a statistics field)", n)
		}
	})
}
