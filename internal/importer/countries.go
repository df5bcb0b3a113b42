package importer

import (
	"regexp"
	"strings"

	"github.com/bri-tracker/bri-tracker/ent/partner"
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
