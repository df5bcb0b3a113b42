package graph_test

import (
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

func TestTraversalBothWays(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		// partner → projects → policies → partners
		res := s.Do(`query($id: ID!) { node(id: $id) { ... on Partner {
			name
			projects(orderBy: {field: TITLE}) { totalCount edges { node { title
				policies(orderBy: {field: TITLE}) { edges { node { title
					partners(orderBy: {field: NAME}) { edges { node { name } } }
				} } }
			} } }
		} } }`, map[string]any{"id": gid(f.hiSpeed.ID)})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"node":{"name":"Shandong Hi-Speed Group","projects":{"totalCount":1,"edges":[{"node":{"title":"Almaty assembly centre",
			"policies":{"edges":[
				{"node":{"title":"China (Shandong) Pilot Free Trade Zone","partners":{"edges":[{"node":{"name":"Linglong Tyre"}}]}}},
				{"node":{"title":"Qilu China-Europe train support measures","partners":{"edges":[{"node":{"name":"Kazakhstan"}},{"node":{"name":"Shandong Hi-Speed Group"}}]}}}
			]}}}]}}}`)

		// and back: policy → projects → participants, participations → partner → country → members
		res = s.Do(`query($id: ID!) { node(id: $id) { ... on Policy {
			title documentNumber issuedOn level category status
			projects(orderBy: {field: TITLE}) { edges { node { title hostCountry { countryCode hostedProjects { totalCount } }
				participants { edges { node { name } } }
				participations { edges { node { role partner { name country { name members(orderBy: {field: NAME}) { totalCount } } } } } }
			} } }
		} } }`, map[string]any{"id": gid(f.fta.ID)})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"node":{"title":"China (Shandong) Pilot Free Trade Zone","documentNumber":"国发〔2019〕16号","issuedOn":"2019-08-26","level":"NATIONAL","category":"FREE_TRADE_ZONE","status":"IN_FORCE",
			"projects":{"edges":[
				{"node":{"title":"Almaty assembly centre","hostCountry":{"countryCode":"KAZ","hostedProjects":{"totalCount":1}},
					"participants":{"edges":[{"node":{"name":"Kazakhstan"}},{"node":{"name":"Shandong Hi-Speed Group"}}]},
					"participations":{"edges":[
						{"node":{"role":"OPERATOR","partner":{"name":"Shandong Hi-Speed Group","country":{"name":"China","members":{"totalCount":3}}}}},
						{"node":{"role":"HOST_GOVERNMENT","partner":{"name":"Kazakhstan","country":null}}}]}}},
				{"node":{"title":"Linglong tyre plant Zrenjanin","hostCountry":{"countryCode":"SRB","hostedProjects":{"totalCount":1}},
					"participants":{"edges":[{"node":{"name":"Linglong Tyre"}}]},
					"participations":{"edges":[{"node":{"role":"INVESTOR","partner":{"name":"Linglong Tyre","country":{"name":"China","members":{"totalCount":3}}}}}]}}}
			]}}}`)

		// supersedes / supersededBy, both ends
		s.MustOK(`mutation($id: ID!, $old: ID!) { updatePolicy(id: $id, input: {addSupersedeIDs: [$old]}) { id } }`,
			map[string]any{"id": gid(f.fta.ID), "old": gid(f.corridor.ID)}, nil)
		res = s.Do(`query($id: ID!) { node(id: $id) { ... on Policy { title supersededBy { title supersedes { totalCount edges { node { title } } } } } } }`,
			map[string]any{"id": gid(f.corridor.ID)})
		jsonEq(t, res.Data, `{"node":{"title":"Qilu China-Europe train support measures","supersededBy":{"title":"China (Shandong) Pilot Free Trade Zone","supersedes":{"totalCount":1,"edges":[{"node":{"title":"Qilu China-Europe train support measures"}}]}}}}`)
	})
}

func TestFiltersAndOrdering(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		cases := []struct {
			name, args, want string
		}{
			{"equality", `where: {sector: ENERGY}, orderBy: {field: TITLE}`, `["Quaid-e-Azam solar park","Sahiwal coal power plant"]`},
			{"decimal comparison is numeric", `where: {amountUsdGT: "200000000"}, orderBy: {field: AMOUNT_USD}`, `["Linglong tyre plant Zrenjanin","Sahiwal coal power plant"]`},
			{"decimal order", `orderBy: {field: AMOUNT_USD, direction: DESC}`, `["Sahiwal coal power plant","Linglong tyre plant Zrenjanin","Quaid-e-Azam solar park","Almaty assembly centre"]`},
			{"in and range", `where: {statusIn: [OPERATIONAL, COMPLETED], commitmentYearGTE: 2015}, orderBy: {field: COMMITMENT_YEAR}`, `["Quaid-e-Azam solar park","Almaty assembly centre"]`},
			{"contains fold", `where: {titleContainsFold: "PLANT"}, orderBy: {field: TITLE}`, `["Linglong tyre plant Zrenjanin","Sahiwal coal power plant"]`},
			{"or", `where: {or: [{sector: LOGISTICS}, {greenCategory: RENEWABLE_ENERGY}]}, orderBy: {field: TITLE}`, `["Almaty assembly centre","Quaid-e-Azam solar park"]`},
			{"and", `where: {and: [{sector: ENERGY}, {status: OPERATIONAL}]}`, `["Sahiwal coal power plant"]`},
			{"not", `where: {not: {sector: ENERGY}}, orderBy: {field: TITLE, direction: DESC}`, `["Linglong tyre plant Zrenjanin","Almaty assembly centre"]`},
			{"edge filter", `where: {hasHostCountryWith: {countryCode: "PAK"}}, orderBy: {field: TITLE}`, `["Quaid-e-Azam solar park","Sahiwal coal power plant"]`},
			{"two edge filters", `where: {hasParticipantsWith: {kind: FINANCIAL_INSTITUTION}, hasHostCountryWith: {nameHasPrefix: "Pak"}, amountUsdLT: "1000000000"}`, `["Quaid-e-Azam solar park"]`},
			{"nested edge filter", `where: {hasPoliciesWith: {hasPartnersWith: {kind: COUNTRY}}}`, `["Almaty assembly centre"]`},
			{"through-edge filter", `where: {hasParticipationsWith: {role: OPERATOR}}`, `["Almaty assembly centre"]`},
			{"has edge", `where: {hasPolicies: false}, orderBy: {field: TITLE}`, `["Quaid-e-Azam solar park","Sahiwal coal power plant"]`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var out struct {
					Projects struct {
						Edges []struct{ Node struct{ Title string } }
					}
				}
				s.MustOK(`{ projects(`+c.args+`) { edges { node { title } } } }`, nil, &out)
				titles := make([]string, len(out.Projects.Edges))
				for i, e := range out.Projects.Edges {
					titles[i] = e.Node.Title
				}
				jsonEq(t, mustJSON(t, titles), c.want)
			})
		}
		// partners: field predicates on optional fields, enum orders
		var out struct {
			Partners struct {
				TotalCount int
				Edges      []struct{ Node struct{ Name string } }
			}
		}
		s.MustOK(`{ partners(where: {kind: COUNTRY, countryCodeIn: ["KAZ","PAK","XXX"], regionNotNil: true}, orderBy: {field: COUNTRY_CODE, direction: DESC}) { totalCount edges { node { name } } } }`, nil, &out)
		jsonEq(t, mustJSON(t, out), `{"Partners":{"TotalCount":2,"Edges":[{"Node":{"Name":"Pakistan"}},{"Node":{"Name":"Kazakhstan"}}]}}`)
	})
}
