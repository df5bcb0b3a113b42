package aiddatagen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bri-tracker/bri-tracker/internal/geo"
)

// isoColumn is where the recipient's code is in a generated row.
var isoColumn = slices.Index(Header, "Recipient ISO-3")

// WriteGeo writes, into dir, a GeoGCDF-style file <id>.geojson for every
// n-th row that Write writes with the same options: a FeatureCollection of
// one feature, a MultiPolygon of a few small squares near the recipient
// country's representative point (a site and its annexes), with AidData's
// id and osm_precision_list properties. It returns how many files it wrote.
// The shapes are invented, like the rows.
func WriteGeo(dir string, o Options, n int) (int, error) {
	if o.FirstID == 0 {
		o.FirstID = 100001
	}
	rnd := rand.New(rand.NewPCG(o.Seed, 0x9E3779B97F4A7C15))
	shapes := rand.New(rand.NewPCG(o.Seed, 7))
	written := 0
	for i := range o.Rows {
		row := generate(rnd, o.FirstID+i) // the same sequence as Write's
		if i%n != 0 {
			continue
		}
		iso3 := row[isoColumn]
		lng, lat, ok := geo.CountryPoint(iso3)
		if !ok {
			continue
		}
		var polys []string
		for range 1 + shapes.IntN(3) {
			x, y := lng+shapes.Float64()-0.5, lat+shapes.Float64()-0.5
			d := 0.001 + shapes.Float64()*0.01
			polys = append(polys, fmt.Sprintf("[[[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]",
				x, y, x+d, y, x+d, y+d, x, y+d, x, y))
		}
		precision := "precise"
		if shapes.IntN(5) == 0 {
			precision = "approximate"
		}
		id := o.FirstID + i
		text := fmt.Sprintf(`{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": %d, "feature_count": %d, "osm_precision_list": %q}, "geometry": {"type": "MultiPolygon", "coordinates": [%s]}}]}`,
			id, len(polys), precision, strings.Join(polys, ","))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.geojson", id)), []byte(text), 0o644); err != nil {
			return written, err
		}
		written++
	}
	return written, nil
}
