package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

const upsertProjectsMutation = `mutation($in: [UpsertProjectInput!]!) { upsertProjects(input: $in) {
	created updated unchanged results { index externalRef outcome project { title status amountUsd version hostCountry { countryCode }
	participations(orderBy: {field: ROLE}) { edges { node { role sharePercent partner { name } } } } policies { totalCount } } } } }`

func TestUpsertProjects(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		ctx := auth.SystemContext(context.Background(), "test")
		db.Client.OpeningPolicy.Create().SetTitle("RCEP").SetLevel(openingpolicy.LevelMULTILATERAL).SetCategory(openingpolicy.CategoryTARIFF).SetExternalRef("gov:rcep").ExecX(ctx)
		s := apitest.NewServer(t, db)

		// partners first: a new country and a new bank, by their keys
		var pp struct {
			UpsertPartners struct {
				Created, Updated, Unchanged int
				Results                     []struct {
					Key, Outcome string
				}
			}
		}
		partners := map[string]any{"in": []map[string]any{
			{"countryCode": "UZB", "name": "Uzbekistan", "kind": "COUNTRY", "region": "ASIA"},
			{"countryCode": "KAZ", "name": "Kazakhstan", "kind": "COUNTRY", "region": "ASIA"},
			{"externalRef": "aiddata:agency:cdb", "name": "China Development Bank", "kind": "FINANCIAL_INSTITUTION", "homeCountryCode": "CHN"},
		}}
		const upsertPartners = `mutation($in: [UpsertPartnerInput!]!) { upsertPartners(input: $in) { created updated unchanged results { key outcome } } }`
		s.MustOK(upsertPartners, partners, &pp)
		jsonEq(t, mustJSON(t, pp), `{"UpsertPartners":{"Created":2,"Updated":0,"Unchanged":1,"Results":[
			{"Key":"countryCode UZB","Outcome":"CREATED"},{"Key":"countryCode KAZ","Outcome":"UNCHANGED"},{"Key":"externalRef aiddata:agency:cdb","Outcome":"CREATED"}]}}`)
		s.MustOK(upsertPartners, partners, &pp)
		if pp.UpsertPartners.Unchanged != 3 {
			t.Fatalf("second partner upsert: %+v", pp)
		}

		items := []map[string]any{
			{"externalRef": "aiddata:1001", "title": "Tashkent logistics hub", "sector": "LOGISTICS", "status": "SIGNED",
				"amountUsd": "25000000.125", "hostCountryCode": "UZB", "policyRefs": []string{"gov:rcep"},
				"participants": []map[string]any{
					{"partner": map[string]any{"countryCode": "UZB"}, "role": "HOST_GOVERNMENT"},
					{"partner": map[string]any{"externalRef": "aiddata:agency:cdb"}, "role": "FINANCIER", "sharePercent": 60},
				}},
			{"externalRef": "aiddata:1002", "title": "Almaty solar plant", "sector": "ENERGY", "greenCategory": "RENEWABLE_ENERGY", "hostCountryCode": "KAZ"},
		}
		var out struct {
			UpsertProjects struct {
				Created, Updated, Unchanged int
				Results                     []struct {
					Index       int
					ExternalRef string
					Outcome     string
					Project     struct {
						Title, Status string
						Version       int
					}
				}
			}
		}
		s.MustOK(upsertProjectsMutation, map[string]any{"in": items}, &out)
		if out.UpsertProjects.Created != 2 || out.UpsertProjects.Results[1].Outcome != "CREATED" {
			t.Fatalf("first upsert: %+v", out)
		}
		before := fingerprint(t, db.Client)
		var audits struct{ AuditEvents struct{ TotalCount int } }
		s.MustOK(`{ auditEvents { totalCount } }`, nil, &audits)

		// the same call again: same state, no duplicate, nothing written
		res := s.Do(upsertProjectsMutation, map[string]any{"in": items})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		if !strings.Contains(string(res.Data), `"created":0,"updated":0,"unchanged":2`) {
			t.Fatalf("second upsert: %s", res.Data)
		}
		if after := fingerprint(t, db.Client); after != before {
			t.Fatal("a repeated upsert changed data")
		}
		var audits2 struct{ AuditEvents struct{ TotalCount int } }
		s.MustOK(`{ auditEvents { totalCount } }`, nil, &audits2)
		if audits2.AuditEvents.TotalCount != audits.AuditEvents.TotalCount {
			t.Fatal("a repeated upsert wrote audit events")
		}

		// a newer version of one item updates it in place; participants are the whole set
		items[0]["status"] = "UNDER_CONSTRUCTION"
		items[0]["participants"] = []map[string]any{
			{"partner": map[string]any{"countryCode": "UZB"}, "role": "HOST_GOVERNMENT"},
			{"partner": map[string]any{"externalRef": "aiddata:agency:cdb"}, "role": "FINANCIER", "sharePercent": 75},
			{"partner": map[string]any{"countryCode": "CHN"}, "role": "INVESTOR"},
		}
		res = s.Do(upsertProjectsMutation, map[string]any{"in": items})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"upsertProjects":{"created":0,"updated":1,"unchanged":1,"results":[
			{"index":0,"externalRef":"aiddata:1001","outcome":"UPDATED","project":{"title":"Tashkent logistics hub","status":"UNDER_CONSTRUCTION","amountUsd":"25000000.125","version":2,
				"hostCountry":{"countryCode":"UZB"},"participations":{"edges":[
					{"node":{"role":"FINANCIER","sharePercent":75,"partner":{"name":"China Development Bank"}}},
					{"node":{"role":"HOST_GOVERNMENT","sharePercent":null,"partner":{"name":"Uzbekistan"}}},
					{"node":{"role":"INVESTOR","sharePercent":null,"partner":{"name":"China"}}}]},"policies":{"totalCount":1}}},
			{"index":1,"externalRef":"aiddata:1002","outcome":"UNCHANGED","project":{"title":"Almaty solar plant","status":"PIPELINE","amountUsd":null,"version":1,
				"hostCountry":{"countryCode":"KAZ"},"participations":{"edges":[]},"policies":{"totalCount":0}}}]}}`)
		if n := db.Client.Project.Query().CountX(ctx); n != 6 {
			t.Fatalf("projects: %d, want the fixture's 4 and 2 upserted", n)
		}

		// a bad item fails the whole call with its index, and writes nothing
		before = fingerprint(t, db.Client)
		for _, c := range []struct {
			items []map[string]any
			code  string
			field string
		}{
			{[]map[string]any{{"externalRef": "aiddata:2000", "title": "ok", "sector": "TRADE"}, {"externalRef": "aiddata:2001", "title": "bad", "sector": "TRADE", "latitude": 123}}, "BAD_USER_INPUT", "input[1].latitude"},
			{[]map[string]any{{"externalRef": "aiddata:2000", "title": "ok", "sector": "TRADE", "hostCountryCode": "ATL"}}, "NOT_FOUND", "input[0].hostCountryCode"},
			{[]map[string]any{{"externalRef": "aiddata:2000", "title": "ok", "sector": "TRADE", "participants": []map[string]any{{"partner": map[string]any{"externalRef": "nobody:1"}, "role": "OTHER"}}}}, "NOT_FOUND", "input[0].participants[0].partner"},
			{[]map[string]any{{"externalRef": "aiddata:2000", "title": "ok", "sector": "TRADE", "policyRefs": []string{"gov:none"}}}, "NOT_FOUND", "input[0].policyRefs[0]"},
			{[]map[string]any{{"externalRef": "aiddata:2000", "title": "a", "sector": "TRADE"}, {"externalRef": "aiddata:2000", "title": "b", "sector": "TRADE"}}, "BAD_USER_INPUT", "input[1].externalRef"},
			{[]map[string]any{{"externalRef": "aiddata:1001", "title": "Tashkent logistics hub", "sector": "LOGISTICS", "status": "PIPELINE"}}, "", ""}, // admin: corrections allowed
			{[]map[string]any{}, "BAD_USER_INPUT", "input"},
		} {
			res := s.Do(upsertProjectsMutation, map[string]any{"in": c.items})
			if c.code == "" {
				if len(res.Errors) > 0 {
					t.Fatalf("%v: %+v", c.items, res.Errors)
				}
				before = fingerprint(t, db.Client)
				continue
			}
			if len(res.Errors) != 1 || res.Errors[0].Code() != c.code || res.Errors[0].Extensions["field"] != c.field {
				t.Fatalf("%v: %+v", c.items, res.Errors)
			}
			if after := fingerprint(t, db.Client); after != before {
				t.Fatalf("%v: a failed upsert wrote", c.items)
			}
		}
		many := make([]map[string]any, 1001)
		for i := range many {
			many[i] = map[string]any{"externalRef": fmt.Sprintf("bulk:%d", i), "title": "t", "sector": "TRADE"}
		}
		if e := s.MustFail("BAD_USER_INPUT", upsertProjectsMutation, map[string]any{"in": many}); !strings.Contains(e.Message, "at most 1000") {
			t.Fatal(e.Message)
		}
		res = s.Do(`mutation($in: [UpsertProjectInput!]!) { upsertProjects(input: $in) { created } }`, map[string]any{"in": many[:1000]})
		if len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"created":1000`) {
			t.Fatalf("1000 items: %s %+v", res.Data, res.Errors)
		}
	})
}

// TestUpsertProjectsAidDataFields: upserts carry several roles per partner,
// an umbrella and its component (the umbrella earlier in the same call),
// the aggregation flags and the finance terms; the same call again changes
// nothing; a partner named twice in one role, or an unknown parentRef, is
// refused with the item's field.
func TestUpsertProjectsAidDataFields(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		const mutation = `mutation($in: [UpsertProjectInput!]!) { upsertProjects(input: $in) { created updated unchanged results { outcome project {
			externalRef umbrella countsInAggregates groupRef parent { externalRef } flowType flowClass interestRate maturityYears gracePeriodYears grantElement
			latitude locationPrecision participants { totalCount } participations(orderBy: {field: ROLE}) { edges { node { role partner { name } } } } } } } }`
		items := []map[string]any{
			{"externalRef": "aiddata:500", "title": "Framework credit line", "sector": "FINANCE", "umbrella": true, "countsInAggregates": false,
				"groupRef": "aiddata:parent:9", "hostCountryCode": "PAK", "latitude": 30, "longitude": 70, "locationPrecision": "COUNTRY"},
			{"externalRef": "aiddata:501", "title": "Loan under the line", "sector": "ENERGY", "parentRef": "aiddata:500", "groupRef": "aiddata:parent:9",
				"flowType": "Loan", "flowClass": "OOF_LIKE", "interestRate": "2.745", "maturityYears": "15.5", "gracePeriodYears": "0", "grantElement": "9.4895",
				"participants": []map[string]any{
					{"partner": map[string]any{"countryCode": "PAK"}, "role": "HOST_GOVERNMENT"},
					{"partner": map[string]any{"countryCode": "PAK"}, "role": "GUARANTOR"},
					{"partner": map[string]any{"countryCode": "CHN"}, "role": "FINANCIER"},
				}},
		}
		want := `{"upsertProjects":{"created":2,"updated":0,"unchanged":0,"results":[
			{"outcome":"CREATED","project":{"externalRef":"aiddata:500","umbrella":true,"countsInAggregates":false,"groupRef":"aiddata:parent:9","parent":null,
				"flowType":null,"flowClass":null,"interestRate":null,"maturityYears":null,"gracePeriodYears":null,"grantElement":null,
				"latitude":30,"locationPrecision":"COUNTRY","participants":{"totalCount":0},"participations":{"edges":[]}}},
			{"outcome":"CREATED","project":{"externalRef":"aiddata:501","umbrella":false,"countsInAggregates":true,"groupRef":"aiddata:parent:9","parent":{"externalRef":"aiddata:500"},
				"flowType":"Loan","flowClass":"OOF_LIKE","interestRate":"2.745","maturityYears":"15.5","gracePeriodYears":"0","grantElement":"9.4895",
				"latitude":null,"locationPrecision":null,"participants":{"totalCount":2},"participations":{"edges":[
					{"node":{"role":"FINANCIER","partner":{"name":"China"}}},
					{"node":{"role":"GUARANTOR","partner":{"name":"Pakistan"}}},
					{"node":{"role":"HOST_GOVERNMENT","partner":{"name":"Pakistan"}}}]}}}]}}`
		res := s.Do(mutation, map[string]any{"in": items})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, want)
		res = s.Do(`mutation($in: [UpsertProjectInput!]!) { upsertProjects(input: $in) { created updated unchanged } }`, map[string]any{"in": items})
		jsonEq(t, res.Data, `{"upsertProjects":{"created":0,"updated":0,"unchanged":2}}`)

		// Pakistan no longer guarantees: one role goes, the other stays
		items[1]["participants"] = []map[string]any{
			{"partner": map[string]any{"countryCode": "PAK"}, "role": "HOST_GOVERNMENT"},
			{"partner": map[string]any{"countryCode": "CHN"}, "role": "FINANCIER"},
		}
		res = s.Do(`mutation($in: [UpsertProjectInput!]!) { upsertProjects(input: $in) { updated results { project { participants { totalCount } participations { totalCount } } } } }`, map[string]any{"in": items[1:]})
		jsonEq(t, res.Data, `{"upsertProjects":{"updated":1,"results":[{"project":{"participants":{"totalCount":2},"participations":{"totalCount":2}}}]}}`)

		for _, c := range []struct {
			item        map[string]any
			code, field string
		}{
			{map[string]any{"externalRef": "aiddata:502", "title": "x", "sector": "TRADE", "participants": []map[string]any{
				{"partner": map[string]any{"countryCode": "PAK"}, "role": "GUARANTOR"}, {"partner": map[string]any{"countryCode": "PAK"}, "role": "GUARANTOR"}}},
				"BAD_USER_INPUT", "input[0].participants[1].role"},
			{map[string]any{"externalRef": "aiddata:502", "title": "x", "sector": "TRADE", "parentRef": "aiddata:999"}, "NOT_FOUND", "input[0].parentRef"},
			{map[string]any{"externalRef": "aiddata:502", "title": "x", "sector": "TRADE", "interestRate": "-1.5"}, "BAD_USER_INPUT", "input[0].interestRate"},
		} {
			res := s.Do(mutation, map[string]any{"in": []map[string]any{c.item}})
			if len(res.Errors) != 1 || res.Errors[0].Code() != c.code || res.Errors[0].Extensions["field"] != c.field {
				t.Errorf("%v: %+v", c.item, res.Errors)
			}
		}
	})
}
