package graph_test

import (
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// TestBadInput: every kind of bad input gets one error with the exact code,
// a message naming the field, and writes nothing.
func TestBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		ids := map[string]any{
			"kaz": gid(f.kaz.ID), "hs": gid(f.hiSpeed.ID), "almaty": gid(f.almaty.ID), "fta": gid(f.fta.ID),
			"exim": gid(f.exim.ID), "pak": gid(f.pak.ID), "sahiwal": gid(f.sahiwal.ID), "chn": gid(f.chn.ID),
		}
		// an id in the Project range that no row has
		ids["ghostProject"] = globalid.Encode(f.almaty.ID + 1000)
		// a partner whose name holds a NUL character
		ids["in"] = map[string]any{"name": "Hai\x00er", "kind": "ENTERPRISE"}
		// strings one character over their limits
		ids["long"] = strings.Repeat("é", 1001)
		ids["longest"] = strings.Repeat("x", 50001)
		ids["longDescription"] = strings.Repeat("x", 20001)
		cases := []struct {
			name, code, field, query string
			msg                      string // a part of the message
		}{
			{"country without code", "BAD_USER_INPUT", "countryCode",
				`mutation { createPartner(input: {name: "Serbia 2", kind: COUNTRY}) { id } }`, "is required for a COUNTRY partner"},
			{"duplicate country code", "CONFLICT", "countryCode",
				`mutation { createPartner(input: {name: "Kazakhstan again", kind: COUNTRY, countryCode: "KAZ"}) { id } }`, "KAZ is already the country code of partner " + gid(f.kaz.ID)},
			{"duplicate country code on update", "CONFLICT", "countryCode",
				`mutation($pak: ID!) { updatePartner(id: $pak, input: {countryCode: "KAZ"}) { id } }`, "KAZ is already the country code"},
			{"malformed country code", "BAD_USER_INPUT", "countryCode",
				`mutation { createPartner(input: {name: "Kazakhstan", kind: COUNTRY, countryCode: "kz"}) { id } }`, "ISO 3166-1 alpha-3"},
			{"country code on an enterprise", "BAD_USER_INPUT", "countryCode",
				`mutation { createPartner(input: {name: "Haier", kind: ENTERPRISE, countryCode: "CHN"}) { id } }`, "only COUNTRY partners have a country code"},
			{"home country not a country", "BAD_USER_INPUT", "countryID",
				`mutation($hs: ID!) { createPartner(input: {name: "Haier", kind: ENTERPRISE, countryID: $hs}) { id } }`, "is a ENTERPRISE, not a COUNTRY"},
			{"bad website", "BAD_USER_INPUT", "website",
				`mutation { createPartner(input: {name: "Haier", kind: ENTERPRISE, website: "javascript:alert(1)"}) { id } }`, "http or https URL"},
			{"empty name", "BAD_USER_INPUT", "name",
				`mutation { createPartner(input: {name: "", kind: ENTERPRISE}) { id } }`, "name"},
			{"malformed currency", "BAD_USER_INPUT", "currency",
				`mutation { createProject(input: {title: "X", sector: ENERGY, amount: "1", currency: "usd"}) { id } }`, "ISO 4217"},
			{"amount without currency", "BAD_USER_INPUT", "currency",
				`mutation { createProject(input: {title: "X", sector: ENERGY, amount: "1"}) { id } }`, "is required when amount is set"},
			{"completed before started", "BAD_USER_INPUT", "completedOn",
				`mutation { createProject(input: {title: "X", sector: ENERGY, startedOn: "2020-05-01", completedOn: "2020-04-30"}) { id } }`, "2020-04-30 is before startedOn 2020-05-01"},
			{"completed before stored start", "BAD_USER_INPUT", "completedOn",
				`mutation($almaty: ID!) { u1: updateProject(id: $almaty, input: {startedOn: "2021-01-01"}) { id } u2: updateProject(id: $almaty, input: {completedOn: "2020-12-31"}) { id } }`, "before startedOn 2021-01-01"},
			{"negative amount", "BAD_USER_INPUT", "amount",
				`mutation { createProject(input: {title: "X", sector: ENERGY, amount: "-0.01", currency: "USD"}) { id } }`, "must not be negative"},
			{"negative amountUsd", "BAD_USER_INPUT", "amountUsd",
				`mutation($almaty: ID!) { updateProject(id: $almaty, input: {amountUsd: "-5"}) { id } }`, "must not be negative"},
			{"float amount", "BAD_USER_INPUT", "amount",
				`mutation { createProject(input: {title: "X", sector: ENERGY, amount: 0.1, currency: "USD"}) { id } }`, "must be sent as a string"},
			{"not a decimal", "BAD_USER_INPUT", "amount",
				`mutation { createProject(input: {title: "X", sector: ENERGY, amount: "1e9", currency: "USD"}) { id } }`, "not a decimal number"},
			{"not a date", "BAD_USER_INPUT", "signedOn",
				`mutation { createProject(input: {title: "X", sector: ENERGY, signedOn: "2021-02-30"}) { id } }`, "YYYY-MM-DD"},
			{"latitude", "BAD_USER_INPUT", "latitude",
				`mutation { createProject(input: {title: "X", sector: ENERGY, latitude: 90.5}) { id } }`, "between -90 and 90"},
			{"longitude", "BAD_USER_INPUT", "longitude",
				`mutation($almaty: ID!) { updateProject(id: $almaty, input: {longitude: -180.01}) { id } }`, "between -180 and 180"},
			{"share above 100", "BAD_USER_INPUT", "sharePercent",
				`mutation($almaty: ID!, $exim: ID!) { addProjectParticipant(projectID: $almaty, partnerID: $exim, role: FINANCIER, sharePercent: 100.5) { id } }`, "between 0 and 100"},
			{"negative share", "BAD_USER_INPUT", "sharePercent",
				`mutation($almaty: ID!, $exim: ID!) { addProjectParticipant(projectID: $almaty, partnerID: $exim, role: FINANCIER, sharePercent: -1) { id } }`, "between 0 and 100"},
			{"host country not a country", "BAD_USER_INPUT", "hostCountryID",
				`mutation($hs: ID!) { createProject(input: {title: "X", sector: ENERGY, hostCountryID: $hs}) { id } }`, "not a COUNTRY"},
			{"host country of wrong type", "BAD_USER_INPUT", "hostCountryID",
				`mutation($fta: ID!) { createProject(input: {title: "X", sector: ENERGY, hostCountryID: $fta}) { id } }`, "is not the id of a Partner"},
			{"unknown id", "NOT_FOUND", "id",
				`mutation($ghostProject: ID!) { updateProject(id: $ghostProject, input: {title: "Y"}) { id } }`, "no Project has the id"},
			{"unknown id on delete", "NOT_FOUND", "id",
				`mutation($ghostProject: ID!) { deleteProject(id: $ghostProject) { deletedID } }`, "no Project has the id"},
			{"wrong-type id", "BAD_USER_INPUT", "id",
				`mutation($kaz: ID!) { updateProject(id: $kaz, input: {title: "Y"}) { id } }`, "is the id of a Partner, not of a Project"},
			{"wrong-type id on delete", "BAD_USER_INPUT", "id",
				`mutation($almaty: ID!) { deletePolicy(id: $almaty) { deletedID } }`, "is the id of a Project, not of a Policy"},
			{"wrong-type id in a link list", "BAD_USER_INPUT", "addPolicyIDs",
				`mutation($almaty: ID!, $kaz: ID!) { updateProject(id: $almaty, input: {addPolicyIDs: [$kaz]}) { id } }`, "is not the id of a Policy"},
			{"unknown id in a link list", "NOT_FOUND", "addProjectIDs",
				`mutation($fta: ID!, $ghostProject: ID!) { updatePolicy(id: $fta, input: {addProjectIDs: [$ghostProject]}) { id } }`, "no Project has the id"},
			{"participant of unknown project", "NOT_FOUND", "projectID",
				`mutation($ghostProject: ID!, $exim: ID!) { addProjectParticipant(projectID: $ghostProject, partnerID: $exim, role: FINANCIER) { id } }`, "no Project has the id"},
			{"participant twice in one role", "CONFLICT", "role",
				`mutation($almaty: ID!, $hs: ID!) { addProjectParticipant(projectID: $almaty, partnerID: $hs, role: OPERATOR) { id } }`, "already takes part in project"},
			{"remove a role not held", "NOT_FOUND", "role",
				`mutation($almaty: ID!, $hs: ID!) { removeProjectParticipant(projectID: $almaty, partnerID: $hs, role: INVESTOR) { deletedID } }`, "does not take part in project"},
			{"policy period reversed", "BAD_USER_INPUT", "effectiveUntil",
				`mutation { createPolicy(input: {title: "P", level: NATIONAL, category: TARIFF, effectiveFrom: "2024-01-01", effectiveUntil: "2023-12-31"}) { id } }`, "before effectiveFrom"},
			{"policy supersedes itself", "BAD_USER_INPUT", "addSupersedeIDs",
				`mutation($fta: ID!) { updatePolicy(id: $fta, input: {addSupersedeIDs: [$fta]}) { id } }`, "cannot supersede itself"},
			{"delete a participating partner", "CONFLICT", "",
				`mutation($hs: ID!) { deletePartner(id: $hs) { deletedID } }`, "takes part in 1 project(s)"},
			{"delete a hosting country", "CONFLICT", "",
				`mutation($pak: ID!) { deletePartner(id: $pak) { deletedID } }`, "hosts 2 project(s)"},
			{"delete a home country", "CONFLICT", "",
				`mutation($chn: ID!) { deletePartner(id: $chn) { deletedID } }`, "is the home country of 3 partner(s)"},
			{"country that hosts turns enterprise", "CONFLICT", "kind",
				`mutation($pak: ID!) { updatePartner(id: $pak, input: {kind: ENTERPRISE, clearCountryCode: true}) { id } }`, "must stay a COUNTRY"},
			{"second field fails: first is rolled back", "BAD_USER_INPUT", "latitude",
				`mutation($almaty: ID!) { ok: updateProject(id: $almaty, input: {title: "Renamed"}) { id } bad: updateProject(id: $almaty, input: {latitude: 91}) { id } }`, "between -90 and 90"},
			{"NUL in a filter string", "BAD_USER_INPUT", "where.titleContains",
				"{ projects(where: {titleContains: \"a\\u0000b\"}) { edges { node { id } } } }", "NUL character"},
			{"NUL in a mutation's input, through a variable", "BAD_USER_INPUT", "input.name",
				`mutation($in: CreatePartnerInput!) { createPartner(input: $in) { id } }`, "NUL character"},
			{"malformed after cursor", "BAD_USER_INPUT", "after",
				`{ projects(first: 2, after: "not-a-cursor") { edges { node { id } } } }`, "not a cursor this API gave out"},
			{"forged before cursor", "BAD_USER_INPUT", "before",
				`{ partners(last: 2, before: "kqFpzwf/////////") { edges { node { id } } } }`, "not a cursor this API gave out"},
			{"cursor of a nested edge", "BAD_USER_INPUT", "after",
				`{ partners(first: 1) { edges { node { hostedProjects(first: 1, after: "gqFp0wAAAAAAAAAB") { totalCount } } } } }`, "not a cursor this API gave out"},
			{"filter over 1,000 characters", "BAD_USER_INPUT", "where.titleContainsFold",
				`query($long: String!) { projects(where: {titleContainsFold: $long}) { totalCount } }`, "is 1001 characters long; at most 1000 are allowed"},
			{"nested filter over 1,000 characters", "BAD_USER_INPUT", "where.or.hasProjectsWith.titleHasPrefix",
				`query($long: String!) { partners(where: {or: [{nameContains: "a"}, {hasProjectsWith: [{titleHasPrefix: $long}]}]}) { totalCount } }`, "at most 1000 are allowed"},
			{"search over 1,000 characters", "BAD_USER_INPUT", "query",
				`query($long: String!) { search(query: $long) { totalCount } }`, "at most 1000 are allowed"},
			{"filter in a mutation's answer over 1,000 characters", "BAD_USER_INPUT", "where.titleContains",
				`mutation($long: String!, $kaz: ID!) { updatePartner(id: $kaz, input: {name: "Kazakhstan"}) { hostedProjects(where: {titleContains: $long}) { totalCount } } }`, "at most 1000 are allowed"},
			{"written string over 50,000 characters", "BAD_USER_INPUT", "input.description",
				`mutation($longest: String!) { createProject(input: {title: "X", sector: ENERGY, description: $longest}) { id } }`, "is 50001 characters long; at most 50000 are allowed"},
			{"written string over its field's maximum", "BAD_USER_INPUT", "description",
				`mutation($longDescription: String!) { createPartner(input: {name: "Haier", kind: ENTERPRISE, description: $longDescription}) { id } }`, "is too long"},
			{"object literal for an Int", "BAD_USER_INPUT", "first",
				`{ projects(first: {}) { totalCount } }`, "an object was given where Int is expected"},
			{"object literal for a String", "BAD_USER_INPUT", "query",
				`{ search(query: {}) { totalCount } }`, "an object was given where String! is expected"},
			{"object literal for an enum in a filter", "BAD_USER_INPUT", "where.statusIn",
				`{ projects(where: {statusIn: {}}) { totalCount } }`, "an object was given where [ProjectStatus!] is expected"},
			{"empty nested filter", "BAD_USER_INPUT", "where.and",
				`{ projects(where: {and: [{}]}) { totalCount } }`, "an empty filter ({}) has no condition"},
			{"empty filter deeper", "BAD_USER_INPUT", "where.hasParticipationsWith.or",
				`{ projects(where: {hasParticipationsWith: [{or: [{}]}]}) { totalCount } }`, "an empty filter ({}) has no condition"},
			{"unknown enum value", "GRAPHQL_VALIDATION_FAILED", "",
				`mutation { createProject(input: {title: "X", sector: SPACE}) { id } }`, "SPACE"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := rowCounts(t, db.Client)
				titleBefore := db.Client.Project.GetX(t.Context(), f.almaty.ID).Title
				res := s.Do(c.query, ids)
				if len(res.Errors) != 1 {
					t.Fatalf("want one error, got %+v (data %s)", res.Errors, res.Data)
				}
				e := res.Errors[0]
				if e.Code() != c.code {
					t.Fatalf("code %s, want %s: %s", e.Code(), c.code, e.Message)
				}
				if !strings.Contains(e.Message, c.msg) {
					t.Errorf("message %q does not say %q", e.Message, c.msg)
				}
				if c.field != "" {
					if got, _ := e.Extensions["field"].(string); got != c.field {
						t.Errorf("extensions.field %q, want %q (message %q)", got, c.field, e.Message)
					}
					if !strings.Contains(e.Message, c.field) {
						t.Errorf("message %q does not name the field %s", e.Message, c.field)
					}
				}
				for _, leak := range []string{"SELECT", "INSERT", "sql", "pq:", " ent:", ".go:", "goroutine"} {
					if strings.Contains(" "+e.Message, leak) {
						t.Errorf("message leaks %q: %s", leak, e.Message)
					}
				}
				if after := rowCounts(t, db.Client); after != before {
					t.Errorf("rows changed: %s -> %s", before, after)
				}
				if got := db.Client.Project.GetX(t.Context(), f.almaty.ID).Title; got != titleBefore {
					t.Errorf("title changed to %q by a failed request", got)
				}
			})
		}
	})
}
