package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// placeProjects puts projects at given coordinates.
func placeProjects(t *testing.T, c *ent.Client, places map[string][2]float64) {
	t.Helper()
	ctx := auth.SystemContext(context.Background(), "test")
	for title, ll := range places {
		c.Project.Create().SetTitle(title).SetSector(project.SectorTRANSPORT).SetLatitude(ll[0]).SetLongitude(ll[1]).ExecX(ctx)
	}
}

func TestWithinBounds(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		placeProjects(t, db.Client, map[string][2]float64{
			"Qingdao port":    {36.0671, 120.3826},
			"Almaty":          {43.2389, 76.8897},
			"Edge south-west": {30, 70},  // on the rectangle's corner
			"Edge north-east": {45, 121}, // on the opposite corner
			"Suva":            {-18.14, 178.44},
			"Apia":            {-13.83, -171.76},
			"Nowhere":         {0, 0},
		})
		ctx := auth.SystemContext(context.Background(), "test")
		db.Client.Project.Create().SetTitle("No coordinates").SetSector(project.SectorTRADE).ExecX(ctx)
		s := apitest.NewServer(t, db)
		cases := []struct{ bounds, want string }{
			{`{minLat: 30, minLng: 70, maxLat: 45, maxLng: 121}`, `["Almaty","Edge north-east","Edge south-west","Qingdao port"]`},
			{`{minLat: 30.0001, minLng: 70, maxLat: 45, maxLng: 120.99}`, `["Almaty","Qingdao port"]`},
			{`{minLat: -20, minLng: 170, maxLat: -10, maxLng: -170}`, `["Apia","Suva"]`}, // across the antimeridian
			{`{minLat: -90, minLng: -180, maxLat: 90, maxLng: 180}`, `["Almaty","Apia","Edge north-east","Edge south-west","Nowhere","Qingdao port","Suva"]`},
			{`{minLat: 50, minLng: 0, maxLat: 60, maxLng: 10}`, `[]`},
		}
		for _, c := range cases {
			var out struct {
				Projects struct {
					Edges []struct{ Node struct{ Title string } }
				}
			}
			s.MustOK(`{ projects(where: {withinBounds: `+c.bounds+`}, orderBy: {field: TITLE}) { edges { node { title } } } }`, nil, &out)
			titles := []string{}
			for _, e := range out.Projects.Edges {
				titles = append(titles, e.Node.Title)
			}
			jsonEq(t, mustJSON(t, titles), c.want)
		}
		// combined with other filters, nested in or/not
		var out struct{ Projects struct{ TotalCount int } }
		s.MustOK(`{ projects(where: {or: [{withinBounds: {minLat: 40, minLng: 70, maxLat: 50, maxLng: 80}}, {titleHasPrefix: "Qing"}]}) { totalCount } }`, nil, &out)
		if out.Projects.TotalCount != 2 {
			t.Fatalf("or: %d", out.Projects.TotalCount)
		}
		for _, bad := range []string{`{minLat: 50, minLng: 0, maxLat: 40, maxLng: 10}`, `{minLat: -91, minLng: 0, maxLat: 40, maxLng: 10}`, `{minLat: 0, minLng: -181, maxLat: 40, maxLng: 10}`} {
			e := s.MustFail("BAD_USER_INPUT", `{ projects(where: {withinBounds: `+bad+`}) { totalCount } }`, nil)
			if e.Extensions["field"] != "withinBounds" {
				t.Fatalf("%s: %+v", bad, e)
			}
		}
	})
}

func TestGeoJSON(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		ctx := auth.SystemContext(context.Background(), "test")
		db.Client.Project.UpdateOneID(f.almaty.ID).SetLatitude(43.2389).SetLongitude(76.8897).SetCity("Almaty").ExecX(ctx)
		db.Client.Project.UpdateOneID(f.sahiwal.ID).SetLatitude(30.6682).SetLongitude(73.1114).ExecX(ctx)
		var many []*ent.ProjectCreate
		for i := range 230 { // more than two pages
			many = append(many, db.Client.Project.Create().SetTitle(fmt.Sprintf("Grid %03d", i)).SetSector(project.SectorWATER).
				SetLatitude(float64(i%90)).SetLongitude(float64(i%180)))
		}
		db.Client.Project.CreateBulk(many...).ExecX(ctx)
		s := apitest.NewServer(t, db)
		get := func(query string) (int, string, map[string]any) {
			res, err := http.Get(s.URL + "/geojson/projects?" + query)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			var out map[string]any
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("not JSON: %s", b)
			}
			return res.StatusCode, res.Header.Get("Content-Type"), out
		}
		status, ctype, out := get("where=" + url.QueryEscape(`{"sectorIn":["ENERGY","LOGISTICS"]}`))
		if status != 200 || ctype != "application/geo+json" {
			t.Fatalf("%d %s", status, ctype)
		}
		jsonEq(t, mustJSON(t, out), fmt.Sprintf(`{"type":"FeatureCollection","features":[
			{"type":"Feature","id":%q,"geometry":{"type":"Point","coordinates":[76.8897,43.2389]},"properties":{"title":"Almaty assembly centre","sector":"LOGISTICS","status":"OPERATIONAL","greenCategory":"NONE","amountUsd":"120000000","commitmentYear":2019,"countsInAggregates":true,"locationPrecision":"EXACT","city":"Almaty","hostCountry":{"countryCode":"KAZ","name":"Kazakhstan"}}},
			{"type":"Feature","id":%q,"geometry":{"type":"Point","coordinates":[73.1114,30.6682]},"properties":{"title":"Sahiwal coal power plant","sector":"ENERGY","status":"OPERATIONAL","greenCategory":"COAL_POWER_UPGRADE","amountUsd":"1912000000","commitmentYear":2014,"countsInAggregates":true,"locationPrecision":"EXACT","city":null,"hostCountry":{"countryCode":"PAK","name":"Pakistan"}}}]}`,
			gid(f.almaty.ID), gid(f.sahiwal.ID)))

		// every located project, over three internal pages; projects without coordinates left out
		_, _, out = get("")
		if n := len(out["features"].([]any)); n != 232 {
			t.Fatalf("features: %d, want 232", n)
		}
		_, _, out = get("bbox=" + url.QueryEscape("70,30,80,45"))
		if n := len(out["features"].([]any)); n != 2 {
			t.Fatalf("bbox: %d features", n)
		}
		for _, bad := range []string{"where=" + url.QueryEscape(`{"sector":"SPACE"}`), "where=not-json", "bbox=1,2,3"} {
			if status, _, _ := get(bad); status != http.StatusBadRequest {
				t.Errorf("%s: status %d", bad, status)
			}
		}
	})
}
