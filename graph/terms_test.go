package graph_test

import (
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/geo"
)

// TestFinanceTerms: the loan terms are exact decimals, set on create,
// changed and cleared on update (cleared is null, never 0), and filtered;
// flowType and flowClass too.
func TestFinanceTerms(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		var created struct{ CreateProject struct{ ID string } }
		s.MustOK(`mutation { createProject(input: {title: "Port loan", sector: TRANSPORT, flowType: "Export Buyer's Credit", flowClass: OOF_LIKE,
			interestRate: "1.50", maturityYears: "20", gracePeriodYears: "5.25", grantElement: "12.345678901234567891"}) { id } }`, nil, &created)
		id := created.CreateProject.ID
		s.MustOK(`mutation { createProject(input: {title: "Clinic grant", sector: HEALTH, flowType: "Grant", flowClass: ODA_LIKE, grantElement: "100"}) { id } }`, nil, nil)
		res := s.Do(`query($id: ID!) { node(id: $id) { ... on Project { flowType flowClass interestRate maturityYears gracePeriodYears grantElement countsInAggregates umbrella } } }`, map[string]any{"id": id})
		jsonEq(t, res.Data, `{"node":{"flowType":"Export Buyer's Credit","flowClass":"OOF_LIKE","interestRate":"1.5","maturityYears":"20","gracePeriodYears":"5.25","grantElement":"12.345678901234567891","countsInAggregates":true,"umbrella":false}}`)

		res = s.Do(`{
			cheap: projects(where: {interestRateLTE: "1.5"}) { edges { node { title } } }
			dear: projects(where: {interestRateGT: "1.5"}) { totalCount }
			oda: projects(where: {flowClass: ODA_LIKE}) { edges { node { title } } }
			buyers: projects(where: {flowTypeContainsFold: "buyer"}) { totalCount }
			noRate: projects(where: {interestRateIsNil: true, flowClassNotNil: true}) { edges { node { title } } }
		}`, nil)
		jsonEq(t, res.Data, `{"cheap":{"edges":[{"node":{"title":"Port loan"}}]},"dear":{"totalCount":0},
			"oda":{"edges":[{"node":{"title":"Clinic grant"}}]},"buyers":{"totalCount":1},"noRate":{"edges":[{"node":{"title":"Clinic grant"}}]}}`)

		res = s.Do(`mutation($id: ID!) { updateProject(id: $id, input: {interestRate: "2.125", clearGracePeriodYears: true}) { interestRate gracePeriodYears } }`, map[string]any{"id": id})
		jsonEq(t, res.Data, `{"updateProject":{"interestRate":"2.125","gracePeriodYears":null}}`)

		for _, c := range []struct{ input, field string }{
			{`interestRate: "one percent"`, "interestRate"},
			{`interestRate: "-0.5"`, "interestRate"},
			{`maturityYears: "-1"`, "maturityYears"},
			{`grantElement: "100.01"`, "grantElement"},
		} {
			e := s.MustFail("BAD_USER_INPUT", `mutation { createProject(input: {title: "Bad", sector: TRANSPORT, `+c.input+`}) { id } }`, nil)
			if f, _ := e.Extensions["field"].(string); f != c.field {
				t.Errorf("%s: field %q, message %q", c.input, f, e.Message)
			}
		}
	})
}

// TestUmbrellas: a component points at its umbrella and the umbrella lists
// its components, both ways settable; no project becomes its own umbrella;
// filters on umbrella, countsInAggregates and groupRef work.
func TestUmbrellas(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		var u struct{ CreateProject struct{ ID string } }
		s.MustOK(`mutation($a: ID!) { createProject(input: {title: "Credit line", sector: FINANCE, umbrella: true, countsInAggregates: false,
			groupRef: "aiddata:parent:7", componentIDs: [$a]}) { id } }`, map[string]any{"a": gid(f.almaty.ID)}, &u)
		umbrella := u.CreateProject.ID
		s.MustOK(`mutation($s: ID!, $u: ID!) { updateProject(id: $s, input: {parentID: $u, groupRef: "aiddata:parent:7"}) { id } }`, map[string]any{"s": gid(f.sahiwal.ID), "u": umbrella}, nil)
		res := s.Do(`query($u: ID!) {
			node(id: $u) { ... on Project { umbrella countsInAggregates components(orderBy: {field: TITLE}) { totalCount edges { node { title parent { title } } } } } }
			umbrellas: projects(where: {umbrella: true}) { totalCount }
			notCounted: projects(where: {countsInAggregates: false}) { totalCount }
			group: projects(where: {groupRef: "aiddata:parent:7"}) { totalCount }
			underIt: projects(where: {hasParentWith: {umbrella: true}}) { totalCount }
		}`, map[string]any{"u": umbrella})
		jsonEq(t, res.Data, `{"node":{"umbrella":true,"countsInAggregates":false,"components":{"totalCount":2,"edges":[
			{"node":{"title":"Almaty assembly centre","parent":{"title":"Credit line"}}},
			{"node":{"title":"Sahiwal coal power plant","parent":{"title":"Credit line"}}}]}},
			"umbrellas":{"totalCount":1},"notCounted":{"totalCount":1},"group":{"totalCount":2},"underIt":{"totalCount":2}}`)

		// cycles: itself, and its own component
		for _, c := range []struct {
			name, query string
			vars        map[string]any
		}{
			{"own umbrella", `mutation($u: ID!) { updateProject(id: $u, input: {parentID: $u}) { id } }`, map[string]any{"u": umbrella}},
			{"component's component", `mutation($u: ID!, $a: ID!) { updateProject(id: $u, input: {parentID: $a}) { id } }`, map[string]any{"u": umbrella, "a": gid(f.almaty.ID)}},
			{"own component", `mutation($u: ID!, $a: ID!) { updateProject(id: $a, input: {addComponentIDs: [$u]}) { id } }`, map[string]any{"u": umbrella, "a": gid(f.almaty.ID)}},
		} {
			e := s.MustFail("BAD_USER_INPUT", c.query, c.vars)
			if field, _ := e.Extensions["field"].(string); field != "parentID" && field != "addComponentIDs" {
				t.Errorf("%s: field %q, message %q", c.name, field, e.Message)
			}
		}
		s.MustFail("BAD_USER_INPUT", `mutation($u: ID!, $k: ID!) { updateProject(id: $u, input: {parentID: $k}) { id } }`, map[string]any{"u": umbrella, "k": gid(f.kaz.ID)})
	})
}

// TestLocationRules: a geometry alone places the project on its surface
// with precision EXACT; a precision needs coordinates; clearing the
// coordinates clears the precision; a broken geometry is refused.
func TestLocationRules(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		// a C shape whose centroid lies outside it
		shape := map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{0, 0}, {10, 0}, {10, 2}, {2, 2}, {2, 8}, {10, 8}, {10, 10}, {0, 10}, {0, 0}}}}
		var out struct {
			CreateProject struct {
				ID                  string
				Latitude, Longitude float64
				LocationPrecision   string
				Geometry            map[string]any
			}
		}
		s.MustOK(`mutation($g: JSON!) { createProject(input: {title: "Park", sector: INDUSTRIAL_PARK, geometry: $g}) { id latitude longitude locationPrecision geometry } }`, map[string]any{"g": shape}, &out)
		p := out.CreateProject
		g, err := geo.ParseGeometry(mustJSON(t, shape))
		if err != nil {
			t.Fatal(err)
		}
		if !geo.Contains(g, p.Longitude, p.Latitude) || p.LocationPrecision != "EXACT" || p.Geometry["type"] != "Polygon" {
			t.Errorf("placed at %v,%v (%s), geometry %v: want a point on the C, EXACT", p.Longitude, p.Latitude, p.LocationPrecision, p.Geometry)
		}
		res := s.Do(`{ projects(where: {withinBounds: {minLat: 9, maxLat: 9.5, minLng: 8, maxLng: 9}}) { edges { node { title } } } }`, nil)
		jsonEq(t, res.Data, `{"projects":{"edges":[{"node":{"title":"Park"}}]}}`)

		e := s.MustFail("BAD_USER_INPUT", `mutation { createProject(input: {title: "X", sector: TRADE, locationPrecision: CITY}) { id } }`, nil)
		if f, _ := e.Extensions["field"].(string); f != "locationPrecision" {
			t.Errorf("field %q: %s", f, e.Message)
		}
		e = s.MustFail("BAD_USER_INPUT", `mutation { createProject(input: {title: "X", sector: TRADE, geometry: {type: "Polygon", coordinates: [[[0, 0], [1, 1], [0, 0]]]}}) { id } }`, nil)
		if f, _ := e.Extensions["field"].(string); f != "geometry" {
			t.Errorf("field %q: %s", f, e.Message)
		}
		s.MustFail("BAD_USER_INPUT", `mutation { createProject(input: {title: "X", sector: TRADE, latitude: 10}) { id } }`, nil)

		var city struct{ CreateProject struct{ ID string } }
		s.MustOK(`mutation { createProject(input: {title: "Depot", sector: LOGISTICS, latitude: 41.3, longitude: 69.24, locationPrecision: CITY}) { id } }`, nil, &city)
		res = s.Do(`mutation($id: ID!) { updateProject(id: $id, input: {clearLatitude: true, clearLongitude: true}) { latitude locationPrecision } }`, map[string]any{"id": city.CreateProject.ID})
		jsonEq(t, res.Data, `{"updateProject":{"latitude":null,"locationPrecision":null}}`)
	})
}
