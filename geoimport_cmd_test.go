package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/geo"
)

// AidData's geometries of the 20 records of latin_america_ports.csv (see
// the SOURCE.md and NOTICE.md beside them).
const aiddataGeo = "internal/importer/testdata/geo"

func importGeoCmd(env func(string) string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = runImport(context.Background(), append([]string{"aiddata-geo"}, args...), env, &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestImportGeo: AidData's geometries give each imported project its
// footprint, a point on that footprint (not a centroid), the precision the
// features state and a bounding box withinBounds meets; a second run
// changes nothing; re-importing the CSV keeps the finer location;
// /geojson/projects serves the geometries with geometry=full.
func TestImportGeo(t *testing.T) {
	eachStore(t, func(t *testing.T, env func(string) string, db *apitest.DB) {
		if _, errOut, err := importCmd(env, aiddataSamples[1]); err != nil {
			t.Fatalf("import the CSV: %v\n%s", err, errOut)
		}
		out, errOut, err := importGeoCmd(env, aiddataGeo)
		if err != nil || errOut != "" {
			t.Fatalf("import the geometries: %v\n%s", err, errOut)
		}
		if !regexp.MustCompile(`^imported \S+geo: 20 files: 20 projects located, 0 unchanged, 0 skipped in `).MatchString(out) {
			t.Fatalf("summary: %q", out)
		}
		ctx := auth.SystemContext(context.Background(), "test")
		files, _ := filepath.Glob(filepath.Join(aiddataGeo, "*.geojson"))
		for _, f := range files {
			id := strings.TrimSuffix(filepath.Base(f), ".geojson")
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			features, err := geo.ParseFeatureCollection(data)
			if err != nil {
				t.Fatal(err)
			}
			want := project.LocationPrecisionCITY // every OpenStreetMap object approximate
			if strings.Contains(string(data), `"osm_precision_list": "precise`) || strings.Contains(string(data), `,precise`) {
				want = project.LocationPrecisionEXACT
			}
			p := db.Client.Project.Query().Where(project.ExternalRef("aiddata:" + id)).OnlyX(ctx)
			if p.Geometry == nil || p.Latitude == nil || p.LocationPrecision == nil {
				t.Fatalf("%s: geometry %v, point %v, precision %v", id, p.Geometry != nil, p.Latitude, p.LocationPrecision)
			}
			if *p.LocationPrecision != want {
				t.Errorf("%s: precision %s, want %s", id, *p.LocationPrecision, want)
			}
			g := features[0].Geometry
			if !geo.Contains(g, *p.Longitude, *p.Latitude) {
				t.Errorf("%s: point %v,%v is not on the geometry", id, *p.Longitude, *p.Latitude)
			}
			minLng, minLat, maxLng, maxLat := geo.Bounds(g)
			if *p.BboxMinLng != minLng || *p.BboxMinLat != minLat || *p.BboxMaxLng != maxLng || *p.BboxMaxLat != maxLat {
				t.Errorf("%s: box %v %v %v %v, want %v %v %v %v", id, *p.BboxMinLng, *p.BboxMinLat, *p.BboxMaxLng, *p.BboxMaxLat, minLng, minLat, maxLng, maxLat)
			}
			stored, err := geo.ParseGeometry([]byte(*p.Geometry))
			if err != nil {
				t.Fatalf("%s: stored geometry: %v", id, err)
			}
			if a, b := mustMarshal(t, stored), mustMarshal(t, g); a != b {
				t.Errorf("%s: the stored geometry differs from the file's", id)
			}
		}

		// again: nothing to do; the CSV again: the sites stay
		out, _, err = importGeoCmd(env, aiddataGeo)
		if err != nil || !strings.Contains(out, "20 files: 0 projects located, 20 unchanged, 0 skipped") {
			t.Fatalf("again: %v %q", err, out)
		}
		if out, _, err = importCmd(env, aiddataSamples[1]); err != nil || !strings.Contains(out, "20 rows: 0 created, 0 updated, 20 unchanged") {
			t.Fatalf("the CSV again: %v %q", err, out)
		}
		if n := db.Client.Project.Query().Where(project.LocationPrecisionEQ(project.LocationPrecisionCOUNTRY)).CountX(ctx); n != 0 {
			t.Errorf("%d projects back at their country's point after the CSV again", n)
		}

		// withinBounds meets a footprint whose point lies outside the rectangle
		p := db.Client.Project.Query().Where(project.ExternalRef("aiddata:39740")).OnlyX(ctx)
		s := apitest.NewServer(t, db)
		west := map[string]any{"minLat": *p.BboxMinLat, "maxLat": *p.BboxMaxLat, "minLng": *p.BboxMinLng, "maxLng": *p.BboxMinLng + 0.0001}
		if *p.Longitude <= west["maxLng"].(float64) {
			t.Fatalf("the point %v lies in the west strip: choose another record", *p.Longitude)
		}
		res := s.Do(`query($b: BoundsInput!) { projects(where: {withinBounds: $b}) { edges { node { externalRef } } } }`, map[string]any{"b": west})
		if !strings.Contains(string(res.Data), `"aiddata:39740"`) {
			t.Errorf("withinBounds misses a footprint that meets the rectangle: %s %v", res.Data, res.Errors)
		}

		// the GeoJSON feed: points by default, footprints on request
		for q, want := range map[string]string{"": "Point", "?geometry=full": "MultiPolygon"} {
			resp, err := http.Get(s.URL + "/geojson/projects" + q)
			if err != nil {
				t.Fatal(err)
			}
			var fc struct {
				Features []struct {
					Geometry struct{ Type string }
				}
			}
			err = json.NewDecoder(resp.Body).Decode(&fc)
			resp.Body.Close()
			if err != nil || len(fc.Features) != 20 {
				t.Fatalf("%s: %v, %d features", q, err, len(fc.Features))
			}
			for _, f := range fc.Features {
				if f.Geometry.Type != want {
					t.Errorf("/geojson/projects%s: a %s feature, want %s", q, f.Geometry.Type, want)
				}
			}
		}
		resp, err := http.Get(s.URL + "/geojson/projects?geometry=polygons")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("geometry=polygons: status %d, want 400", resp.StatusCode)
		}
	})
}

// TestImportGeoSkips: files that cannot be used are named with the reason,
// the others are imported, and the command fails unless --allow-skips.
func TestImportGeoSkips(t *testing.T) {
	eachStore(t, func(t *testing.T, env func(string) string, db *apitest.DB) {
		if _, errOut, err := importCmd(env, aiddataSamples[1]); err != nil {
			t.Fatalf("import the CSV: %v\n%s", err, errOut)
		}
		dir := t.TempDir()
		good, err := os.ReadFile(filepath.Join(aiddataGeo, "39740.geojson"))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{
			"39740.geojson": string(good),
			"11111.geojson": strings.Replace(string(good), `"id": 39740`, `"id": 11111`, 1),
			"22222.geojson": `{"type": "FeatureCollection", "features": [`,
			"39831.geojson": `{"type": "Feature", "properties": {}, "geometry": null}`,
			"notes.txt":     "not GeoJSON, and not named .geojson: ignored",
		}
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out, errOut, err := importGeoCmd(env, dir)
		if err == nil || !strings.Contains(err.Error(), "3 files skipped") {
			t.Fatalf("want a failure for 3 skipped files, got %v", err)
		}
		for _, want := range []string{
			filepath.Join(dir, "11111.geojson") + ": no project has externalRef aiddata:11111: import the AidData CSV first",
			filepath.Join(dir, "22222.geojson") + ": ",
			filepath.Join(dir, "39831.geojson") + ": not a FeatureCollection",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
		if !strings.Contains(out, "4 files: 1 projects located, 0 unchanged, 3 skipped") {
			t.Errorf("summary: %q", out)
		}
		if _, _, err := importGeoCmd(env, dir, "--allow-skips"); err != nil {
			t.Errorf("--allow-skips: %v", err)
		}
	})
}

func mustMarshal(t *testing.T, g geo.Geometry) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(g.JSON(), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
