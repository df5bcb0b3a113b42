package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// aidDataDir holds the real AidData GeoGCDF v3 files (see its NOTICE.md).
const aidDataDir = "../importer/testdata/geo"

func ring(coords ...float64) []Position {
	ps := make([]Position, 0, len(coords)/2)
	for i := 0; i+1 < len(coords); i += 2 {
		ps = append(ps, Position{Lng: coords[i], Lat: coords[i+1]})
	}
	return ps
}

func square(x0, y0, size float64) []Position {
	return ring(x0, y0, x0+size, y0, x0+size, y0+size, x0, y0+size, x0, y0)
}

// areaCentroid is the centroid a naive pin would use, to show it misses.
func areaCentroid(polygons [][][]Position) Position {
	var a, cx, cy float64
	for _, rings := range polygons {
		for _, r := range rings {
			for i := 1; i < len(r); i++ {
				p, q := r[i-1], r[i]
				c := p.Lng*q.Lat - q.Lng*p.Lat
				a += c
				cx += (p.Lng + q.Lng) * c
				cy += (p.Lat + q.Lat) * c
			}
		}
	}
	return Position{Lng: cx / (3 * a), Lat: cy / (3 * a)}
}

func inBounds(g Geometry, lng, lat float64) bool {
	minLng, minLat, maxLng, maxLat := Bounds(g)
	return minLng <= lng && lng <= maxLng && minLat <= lat && lat <= maxLat
}

func TestPointOnSurface(t *testing.T) {
	u := ring(0, 0, 10, 0, 10, 10, 8, 10, 8, 2, 2, 2, 2, 10, 0, 10, 0, 0)
	c := ring(0, 0, 10, 0, 10, 2, 2, 2, 2, 8, 10, 8, 10, 10, 0, 10, 0, 0)
	hole := ring(2, 2, 2, 8, 8, 8, 8, 2, 2, 2)
	tests := []struct {
		name string
		g    Geometry
		want Position
		// centroidOutside: the area centroid is not on the geometry, which
		// is why the point on the surface is needed.
		centroidOutside bool
	}{
		{"convex square", Polygon{Coordinates: [][]Position{square(0, 0, 10)}}, Position{5, 5}, false},
		{"U shape", Polygon{Coordinates: [][]Position{u}}, Position{1, 6}, true},
		{"C shape", Polygon{Coordinates: [][]Position{c}}, Position{1, 5}, true},
		{"hole around the centroid", Polygon{Coordinates: [][]Position{square(0, 0, 10), hole}}, Position{1, 5}, true},
		{"two far-apart squares", MultiPolygon{Coordinates: [][][]Position{{square(0, 0, 2)}, {square(100, 0, 4)}}}, Position{102, 2}, true},
		{"square with a vertex at the middle latitude", Polygon{Coordinates: [][]Position{ring(0, 0, 10, 0, 12, 5, 10, 10, 0, 10, 0, 0)}}, Position{5.5, 7.5}, false},
		{"line bending around", LineString{Coordinates: ring(0, 0, 10, 0, 10, 10, 4, 10)}, Position{10, 0}, false},
		{"line of two points", LineString{Coordinates: ring(0, 0, 4, 0)}, Position{0, 0}, false},
		{"lines", MultiLineString{Coordinates: [][]Position{ring(0, 0, 1, 0), ring(50, 50, 51, 52, 53, 50)}}, Position{51, 52}, false},
		{"point", Point{Coordinates: Position{-77.5, 26.9}}, Position{-77.5, 26.9}, false},
		{"points", MultiPoint{Coordinates: ring(0, 0, 1, 1, 10, 10)}, Position{1, 1}, false},
		{"collection: the area wins", GeometryCollection{Geometries: []Geometry{
			Point{Coordinates: Position{50, 50}},
			LineString{Coordinates: ring(20, 20, 30, 30)},
			Polygon{Coordinates: [][]Position{square(0, 0, 2)}},
		}}, Position{1, 1}, false},
		{"collection: the line wins over points", GeometryCollection{Geometries: []Geometry{
			MultiPoint{Coordinates: ring(0, 0, 5, 5)},
			LineString{Coordinates: ring(20, 20, 25, 30, 30, 20)},
		}}, Position{25, 30}, false},
		{"polygon without area falls back to its ring", Polygon{Coordinates: [][]Position{ring(0, 0, 1, 1, 2, 2, 0, 0)}}, Position{1, 1}, false},
		{"pointer", &Polygon{Coordinates: [][]Position{square(0, 0, 10)}}, Position{5, 5}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lng, lat, err := PointOnSurface(tt.g)
			if err != nil {
				t.Fatal(err)
			}
			if (Position{lng, lat}) != tt.want {
				t.Errorf("PointOnSurface = (%v, %v), want (%v, %v)", lng, lat, tt.want.Lng, tt.want.Lat)
			}
			if !Contains(tt.g, lng, lat) {
				t.Errorf("(%v, %v) is not on the geometry", lng, lat)
			}
			if !inBounds(tt.g, lng, lat) {
				t.Errorf("(%v, %v) is outside the bounds", lng, lat)
			}
			if tt.centroidOutside {
				var polys [][][]Position
				switch g := tt.g.(type) {
				case Polygon:
					polys = [][][]Position{g.Coordinates}
				case MultiPolygon:
					polys = g.Coordinates
				}
				c := areaCentroid(polys)
				if Contains(tt.g, c.Lng, c.Lat) {
					t.Errorf("the centroid (%v, %v) is on the geometry: not a test of PointOnSurface", c.Lng, c.Lat)
				}
			}
		})
	}
}

func TestPointOnSurfaceEmpty(t *testing.T) {
	for _, g := range []Geometry{nil, MultiPolygon{}, GeometryCollection{}, (*Point)(nil)} {
		if _, _, err := PointOnSurface(g); !errors.Is(err, ErrNoPoint) {
			t.Errorf("PointOnSurface(%#v): err = %v, want ErrNoPoint", g, err)
		}
		if minLng, _, _, _ := Bounds(g); !math.IsNaN(minLng) {
			t.Errorf("Bounds(%#v) = %v, want NaN", g, minLng)
		}
	}
}

func TestContains(t *testing.T) {
	withHole := Polygon{Coordinates: [][]Position{square(0, 0, 10), ring(2, 2, 2, 8, 8, 8, 8, 2, 2, 2)}}
	line := LineString{Coordinates: ring(0, 0, 10, 0, 10, 10)}
	tests := []struct {
		g        Geometry
		lng, lat float64
		want     bool
	}{
		{withHole, 1, 1, true},
		{withHole, 5, 5, false}, // in the hole
		{withHole, 9, 5, true},
		{withHole, 11, 5, false},
		{withHole, -1, 5, false},
		{line, 5, 0, true},
		{line, 10, 3, true},
		{line, 5, 1, false},
		{line, 11, 0, false},
		{Point{Coordinates: Position{1, 2}}, 1, 2, true},
		{Point{Coordinates: Position{1, 2}}, 2, 1, false},
		{MultiPolygon{Coordinates: [][][]Position{{square(0, 0, 1)}, {square(5, 5, 1)}}}, 5.5, 5.5, true},
		{MultiPolygon{Coordinates: [][][]Position{{square(0, 0, 1)}, {square(5, 5, 1)}}}, 3, 3, false},
	}
	for _, tt := range tests {
		if got := Contains(tt.g, tt.lng, tt.lat); got != tt.want {
			t.Errorf("Contains(%s, %v, %v) = %v, want %v", tt.g.JSON(), tt.lng, tt.lat, got, tt.want)
		}
	}
}

func TestBounds(t *testing.T) {
	g, err := ParseGeometry([]byte(`{"type":"GeometryCollection","geometries":[
		{"type":"Point","coordinates":[-10,5]},
		{"type":"Polygon","coordinates":[[[0,0],[20,-3],[4,40],[0,0]]]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	minLng, minLat, maxLng, maxLat := Bounds(g)
	if minLng != -10 || minLat != -3 || maxLng != 20 || maxLat != 40 {
		t.Errorf("Bounds = %v %v %v %v, want -10 -3 20 40", minLng, minLat, maxLng, maxLat)
	}
}

func aidDataFiles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(aidDataDir, "*.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestAidDataGeometries parses the 20 real GeoGCDF files: each point on the
// surface must lie inside the project's MultiPolygon and its box.
func TestAidDataGeometries(t *testing.T) {
	files := aidDataFiles(t)
	if len(files) != 20 {
		t.Fatalf("%d files in %s, want 20", len(files), aidDataDir)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			features, err := ParseFeatureCollection(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(features) != 1 {
				t.Fatalf("%d features, want 1", len(features))
			}
			f := features[0]
			mp, ok := f.Geometry.(MultiPolygon)
			if !ok {
				t.Fatalf("geometry is a %s, want MultiPolygon", f.Geometry.Type())
			}
			lng, lat, err := PointOnSurface(mp)
			if err != nil {
				t.Fatal(err)
			}
			if !Contains(mp, lng, lat) {
				t.Errorf("point (%v, %v) is not inside the MultiPolygon", lng, lat)
			}
			if !inBounds(mp, lng, lat) {
				t.Errorf("point (%v, %v) is outside Bounds", lng, lat)
			}

			// The stored geometry is the file's, compacted, byte for byte.
			var compact bytes.Buffer
			if err := json.Compact(&compact, data); err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(compact.Bytes(), mp.JSON()) || !bytes.HasPrefix(mp.JSON(), []byte(`{"type":"MultiPolygon","coordinates":[[[[`)) {
				t.Errorf("JSON() is not the file's geometry: %.80s", mp.JSON())
			}
			again, err := ParseGeometry(mp.JSON())
			if err != nil || !bytes.Equal(again.JSON(), mp.JSON()) {
				t.Errorf("JSON() does not parse back to itself: %v", err)
			}

			id := strings.TrimSuffix(filepath.Base(file), ".geojson")
			if got, _ := f.Properties["id"].(json.Number); string(got) != id {
				t.Errorf("properties id = %v, want %s", f.Properties["id"], id)
			}
			iso, _ := f.Properties["Recipient.ISO-3"].(string)
			if _, _, ok := CountryPoint(iso); !ok {
				t.Errorf("no country point for the recipient %q", iso)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	fc := func(geometry string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":` + geometry + `}]}`
	}
	polygon := func(rings string) string { return fc(`{"type":"Polygon","coordinates":` + rings + `}`) }
	tests := []struct {
		name, input, want string
	}{
		{"malformed JSON", `{"type":"FeatureCollection","features":[`, "malformed JSON"},
		{"NaN", fc(`{"type":"Point","coordinates":[NaN,1]}`), "malformed JSON"},
		{"not an object", `[1,2]`, "want a GeoJSON object, got an array"},
		{"wrong type", `{"type":"Feature","geometry":null,"properties":null}`, `not a FeatureCollection: type is "Feature"`},
		{"no type", `{"Type":"FeatureCollection","features":[]}`, "not a FeatureCollection: no type member"},
		{"empty FeatureCollection", `{"type":"FeatureCollection","features":[]}`, "FeatureCollection has no features"},
		{"features not an array", `{"type":"FeatureCollection","features":{}}`, "features: want an array, got an object"},
		{"feature of the wrong type", `{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[1,2]}]}`, `feature 0: type is "Point"; want "Feature"`},
		{"null geometry", fc(`null`), "feature 0: geometry: is null"},
		{"open ring", polygon(`[[[0,0],[1,0],[1,1],[0,1]]]`), "feature 0: geometry: polygon ring 0 is not closed: it starts at [0, 0] and ends at [0, 1]"},
		{"short ring", polygon(`[[[0,0],[4,0],[4,4],[0,0]],[[1,1],[2,1],[1,1]]]`), "feature 0: geometry: polygon ring 1 has 3 positions; want at least 4 (closed)"},
		{"polygon without rings", polygon(`[]`), "feature 0: geometry: polygon has no rings"},
		{"multipolygon ring", fc(`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,0],[0,0]]]]}`), "feature 0: geometry: polygon 1 ring 0 has 3 positions"},
		{"longitude out of range", fc(`{"type":"Point","coordinates":[200,10]}`), "feature 0: geometry: coordinates: longitude 200 is outside -180..180"},
		{"latitude out of range", polygon(`[[[0,0],[1,0],[1,95],[0,0]]]`), "coordinates[0][2]: latitude 95 is outside -90..90"},
		{"infinite", fc(`{"type":"Point","coordinates":[1e400,10]}`), "coordinates[0]: 1e400 is not a finite number"},
		{"string coordinate", fc(`{"type":"Point","coordinates":["1",10]}`), "coordinates[0]: want a number, got a string"},
		{"short position", fc(`{"type":"LineString","coordinates":[[1],[2,3]]}`), "coordinates[0]: a position has 1 number; want 2"},
		{"long position", fc(`{"type":"Point","coordinates":[1,2,3,4]}`), "a position has 4 numbers"},
		{"line of one position", fc(`{"type":"LineString","coordinates":[[1,2]]}`), "line string has 1 position; want at least 2"},
		{"unknown type", fc(`{"type":"Circle","coordinates":[1,2]}`), `unknown geometry type "Circle"`},
		{"no coordinates", fc(`{"type":"Point"}`), "Point has no coordinates member"},
		{"empty collection", fc(`{"type":"GeometryCollection","geometries":[]}`), "GeometryCollection has no geometries"},
		{"bad member of a collection", fc(`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[0,0]},{"type":"Point","coordinates":[0,-91]}]}`), "geometry: geometries[1]: coordinates: latitude -91 is outside"},
		{"empty multipolygon", fc(`{"type":"MultiPolygon","coordinates":[]}`), "MultiPolygon has no polygons"},
		{"properties not an object", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":[1],"geometry":{"type":"Point","coordinates":[0,0]}}]}`, "feature 0: properties: want an object, got an array"},
		{"bad bbox", `{"type":"FeatureCollection","bbox":[1,2,3],"features":[]}`, "bbox: want an array of 4 or 6 numbers"},
		{"second feature", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[0,0]}},{"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[0]}}]}`, "feature 1: geometry: coordinates: a position has 1 number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFeatureCollection([]byte(tt.input))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseGeometry(t *testing.T) {
	in := "{ \"type\": \"Polygon\",\n \"coordinates\": [[[0, 0, 5], [10.50, 0], [10.50, 1e1], [0, 0, 5]]], \"name\": \"x\" }"
	g, err := ParseGeometry([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := g.(Polygon)
	if !ok {
		t.Fatalf("got a %T, want Polygon", g)
	}
	if want := ring(0, 0, 10.5, 0, 10.5, 10, 0, 0); !slices.Equal(p.Coordinates[0], want) {
		t.Errorf("coordinates = %v, want %v", p.Coordinates[0], want)
	}
	// Kept as written, only without the spaces: altitude, number spelling
	// and the foreign member survive.
	if want := `{"type":"Polygon","coordinates":[[[0,0,5],[10.50,0],[10.50,1e1],[0,0,5]]],"name":"x"}`; string(g.JSON()) != want {
		t.Errorf("JSON() = %s, want %s", g.JSON(), want)
	}

	if _, err := ParseGeometry([]byte("\xef\xbb\xbf{\"type\":\"Point\",\"coordinates\":[1,2]}")); err != nil {
		t.Errorf("a byte order mark: %v", err)
	}
	if _, err := ParseGeometry([]byte(`{"type":"Feature","geometry":null}`)); err == nil || !strings.Contains(err.Error(), `not a geometry: type is "Feature"`) {
		t.Errorf("a Feature: err = %v", err)
	}

	// A geometry built in Go encodes its own fields.
	built := MultiPoint{Coordinates: ring(1.5, -2, 3, 4)}
	if want := `{"type":"MultiPoint","coordinates":[[1.5,-2],[3,4]]}`; string(built.JSON()) != want {
		t.Errorf("JSON() = %s, want %s", built.JSON(), want)
	}
	if _, err := ParseGeometry(built.JSON()); err != nil {
		t.Errorf("built JSON does not parse: %v", err)
	}
}

func TestFeatureMembers(t *testing.T) {
	features, err := ParseFeatureCollection([]byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","id":"a-1","properties":{"amount":12345678901234567890,"name":"Port"},"geometry":{"type":"Point","coordinates":[100,5]}},
		{"type":"Feature","id":7,"properties":null,"geometry":{"type":"Point","coordinates":[100,5]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if features[0].ID != "a-1" || features[1].ID != json.Number("7") {
		t.Errorf("ids %#v %#v", features[0].ID, features[1].ID)
	}
	if got := features[0].Properties["amount"]; got != json.Number("12345678901234567890") {
		t.Errorf("amount = %#v, want every digit", got)
	}
	if features[1].Properties != nil {
		t.Errorf("null properties = %#v, want nil", features[1].Properties)
	}
}

func TestCountryPoint(t *testing.T) {
	for _, code := range strings.Fields("MYS BHS JAM ECU CUB GRD SLV BRA ATG MEX PAK KAZ SRB LAO CHN FRA NOR KOS TUV") {
		if _, _, ok := CountryPoint(code); !ok {
			t.Errorf("CountryPoint(%s): not found", code)
		}
	}
	boxes := []struct {
		code                           string
		minLng, maxLng, minLat, maxLat float64
	}{
		{"MYS", 99, 120, 0, 8},
		{"CHN", 73, 135, 18, 54},
		{"BRA", -74, -34, -34, 6},
		{"ATG", -62, -61.6, 16.9, 17.8},
		{"GRD", -61.9, -61.5, 11.9, 12.6},
		{"JAM", -78.5, -76, 17.6, 18.6},
		{"PAK", 60, 78, 23, 37},
		{"KAZ", 46, 88, 40, 56},
		{"SRB", 18.8, 23, 42.2, 46.2},
		{"LAO", 100, 108, 13.9, 22.5},
		{"FRA", -5, 8.5, 42, 51.5}, // the label is in mainland France
		{"ECU", -81, -75, -5, 1.5}, // the mainland, not the Galápagos
	}
	for _, b := range boxes {
		lng, lat, ok := CountryPoint(b.code)
		if !ok || lng < b.minLng || lng > b.maxLng || lat < b.minLat || lat > b.maxLat {
			t.Errorf("CountryPoint(%s) = (%v, %v, %v), want inside lng %v..%v lat %v..%v", b.code, lng, lat, ok, b.minLng, b.maxLng, b.minLat, b.maxLat)
		}
	}
	lower, lowerLat, ok := CountryPoint(" mys ")
	upper, upperLat, _ := CountryPoint("MYS")
	if !ok || lower != upper || lowerLat != upperLat {
		t.Errorf("CountryPoint(\" mys \") = (%v, %v, %v), want MYS's point", lower, lowerLat, ok)
	}
	for _, code := range []string{"XXX", "", "MY", "MYSS", "-99"} {
		if _, _, ok := CountryPoint(code); ok {
			t.Errorf("CountryPoint(%q) found", code)
		}
	}
}

func TestCountryPointsFile(t *testing.T) {
	m, err := parseCountryPoints(countryPointsCSV)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) < 230 {
		t.Errorf("%d countries, want at least 230", len(m))
	}
	lines := strings.Split(strings.TrimSpace(countryPointsCSV), "\n")[1:]
	if !slices.IsSorted(lines) {
		t.Error("countrypoints.csv is not sorted by code")
	}
	for _, bad := range []string{"", "code,name,lng,lat\n", "iso3,name,lng,lat\nmys,Malaysia,1,2\n", "iso3,name,lng,lat\nMYS,Malaysia,200,2\n", "iso3,name,lng,lat\nMYS,Malaysia,1,2\nMYS,Malaysia,1,2\n"} {
		if _, err := parseCountryPoints(bad); err == nil {
			t.Errorf("parseCountryPoints(%q) accepted", bad)
		}
	}
}

// FuzzParseFeatureCollection: no input makes the parser panic, and whatever
// it accepts has a point on its surface inside its bounds, and JSON that
// parses back to the same geometry.
func FuzzParseFeatureCollection(f *testing.F) {
	for _, file := range aidDataFiles(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[1,2]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1],[2,0]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[2,8],[8,8],[8,2],[2,2]]]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[{"type":"MultiPoint","coordinates":[[0,0],[3,3]]},{"type":"MultiLineString","coordinates":[[[0,0],[0,0]]]},{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,2],[0,0]]]}]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[180,90],[-180,90],[-180,-90],[180,90]]]]}}]}`,
		`{"type":"FeatureCollection","features":[]}`,
		`{"type":"Feature"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		features, err := ParseFeatureCollection(data)
		if err != nil {
			if features != nil {
				t.Fatal("features with an error")
			}
			return
		}
		if len(features) == 0 {
			t.Fatal("accepted a collection of no features")
		}
		for i, feat := range features {
			g := feat.Geometry
			lng, lat, err := PointOnSurface(g)
			if err != nil {
				t.Fatalf("feature %d: %v", i, err)
			}
			minLng, minLat, maxLng, maxLat := Bounds(g)
			if !(minLng <= lng && lng <= maxLng && minLat <= lat && lat <= maxLat) {
				t.Fatalf("feature %d: point (%v, %v) outside bounds %v %v %v %v", i, lng, lat, minLng, minLat, maxLng, maxLat)
			}
			if minLng < -180 || maxLng > 180 || minLat < -90 || maxLat > 90 {
				t.Fatalf("feature %d: bounds %v %v %v %v outside the world", i, minLng, minLat, maxLng, maxLat)
			}
			again, err := ParseGeometry(g.JSON())
			if err != nil {
				t.Fatalf("feature %d: JSON() does not parse: %v", i, err)
			}
			if !bytes.Equal(again.JSON(), g.JSON()) {
				t.Fatalf("feature %d: JSON() changes when parsed again", i)
			}
			if _, _, err := PointOnSurface(again); err != nil {
				t.Fatalf("feature %d: reparsed: %v", i, err)
			}
		}
	})
}
