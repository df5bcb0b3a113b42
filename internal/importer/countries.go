package importer

import (
	"regexp"
	"strings"

	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/geo"
	"github.com/bri-tracker/bri-tracker/internal/upsert"
)

// China is the financier country of every GCDF project: the home country
// of the funding agencies.
const (
	ChinaCode = "CHN"
	ChinaName = "China"
)

// Regions maps AidData's Recipient Region to partner regions. The rows say
// "America" where AidData's documentation says "Americas"; both are read.
// "Multi-Region" and anything else give no region.
var Regions = map[string]partner.Region{
	"Africa":      partner.RegionAFRICA,
	"America":     partner.RegionAMERICAS,
	"Americas":    partner.RegionAMERICAS,
	"Asia":        partner.RegionASIA,
	"Europe":      partner.RegionEUROPE,
	"Middle East": partner.RegionMIDDLE_EAST,
	"Oceania":     partner.RegionOCEANIA,
}

var regionByKey = func() map[string]partner.Region {
	m := map[string]partner.Region{}
	for k, v := range Regions {
		m[headerKey(k)] = v
	}
	return m
}()

func mapRegion(s string) *partner.Region {
	if r, ok := regionByKey[headerKey(s)]; ok {
		return &r
	}
	return nil
}

var iso3 = regexp.MustCompile(`^[A-Z]{3}$`)

// regionalRecipient matches AidData's regional recipients ("Africa,
// regional"): they are not countries, so such a project has no host.
var regionalRecipient = regexp.MustCompile(`(?i),\s*regional$|^multi-region`)

// recipientCountry is the row's host COUNTRY partner, or nil when the
// recipient is regional or has no ISO-3 code.
func recipientCountry(name, code, region string) *country {
	code = strings.ToUpper(code)
	if !iso3.MatchString(code) || regionalRecipient.MatchString(name) || regionalRecipient.MatchString(region) {
		return nil
	}
	if name == "" {
		name = code
	}
	return &country{code: code, name: truncate(name, 300), region: mapRegion(region)}
}

// country is a COUNTRY partner a file names.
type country struct {
	code   string
	name   string
	region *partner.Region
}

// china is the financier country.
func china() *country {
	asia := partner.RegionASIA
	return &country{code: ChinaCode, name: ChinaName, region: &asia}
}

// placeInCountry puts a project at its host country's representative point
// (internal/geo: the point Natural Earth labels the country at, inside it)
// with the precision COUNTRY, unless a finer location is stored: a site
// located since the last import stays. It reports false, leaving the
// project unlocated, when there is no host country (a regional or
// multi-country record) or geo knows no point for its code.
func placeInCountry(p *upsert.Project, host *country) bool {
	if host == nil {
		return false
	}
	lng, lat, ok := geo.CountryPoint(host.code)
	if !ok {
		return false
	}
	precision := project.LocationPrecisionCOUNTRY
	p.Latitude, p.Longitude, p.LocationPrecision = &lat, &lng, &precision
	p.KeepFinerLocation = true
	return true
}
