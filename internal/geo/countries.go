package geo

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// countryPointsCSV is iso3,name,lng,lat for each country: Natural Earth's
// label points (see COUNTRYPOINTS.md for where they come from).
//
//go:embed countrypoints.csv
var countryPointsCSV string

type countryPoint struct {
	name     string
	lng, lat float64
}

var countryPoints = sync.OnceValue(func() map[string]countryPoint {
	m, err := parseCountryPoints(countryPointsCSV)
	if err != nil {
		panic("geo: countrypoints.csv: " + err.Error())
	}
	return m
})

// CountryPoint is a representative point of the country with the ISO
// 3166-1 alpha-3 code iso3 (any letter case): the point Natural Earth places
// a country's label at, which lies inside the country, on its main landmass,
// unlike a centroid. A few territories without an ISO code are under Natural
// Earth's own code (KOS Kosovo, SOL Somaliland, CYN Northern Cyprus). ok is
// false for a code it does not know.
func CountryPoint(iso3 string) (lng, lat float64, ok bool) {
	p, ok := countryPoints()[strings.ToUpper(strings.TrimSpace(iso3))]
	return p.lng, p.lat, ok
}

func parseCountryPoints(text string) (map[string]countryPoint, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) == 0 || lines[0] != "iso3,name,lng,lat" {
		return nil, fmt.Errorf("want the header iso3,name,lng,lat")
	}
	m := make(map[string]countryPoint, len(lines)-1)
	for i, line := range lines[1:] {
		fields := strings.Split(line, ",")
		if len(fields) != 4 {
			return nil, fmt.Errorf("line %d: want 4 fields, got %d", i+2, len(fields))
		}
		code := fields[0]
		if len(code) != 3 || strings.ToUpper(code) != code {
			return nil, fmt.Errorf("line %d: %q is not an upper-case three-letter code", i+2, code)
		}
		if _, dup := m[code]; dup {
			return nil, fmt.Errorf("line %d: %s again", i+2, code)
		}
		lng, err1 := strconv.ParseFloat(fields[2], 64)
		lat, err2 := strconv.ParseFloat(fields[3], 64)
		if err1 != nil || err2 != nil || lng < -180 || lng > 180 || lat < -90 || lat > 90 {
			return nil, fmt.Errorf("line %d: %s,%s is not a longitude,latitude", i+2, fields[2], fields[3])
		}
		m[code] = countryPoint{name: fields[1], lng: lng, lat: lat}
	}
	return m, nil
}
