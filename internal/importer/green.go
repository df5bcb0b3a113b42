package importer

import (
	"regexp"
	"slices"
	"strings"

	"github.com/bri-tracker/bri-tracker/ent/project"
)

// greenRule finds one green category in a project's words. AidData has no
// such column, so the category is read from the title, and from the
// description when the project's OECD sector is one where the category is
// at home: a road's description that mentions the nearby hydropower dam
// does not make the road renewable energy, a power plant's does.
type greenRule struct {
	category project.GreenCategory
	// all must each match (coal and an upgrade, for coal power upgrades).
	all []*regexp.Regexp
	// sectors are the OECD codes whose descriptions count.
	sectors []string
	// hints are lower-case substrings one of which any match contains: a
	// text without any is passed over without running the expressions,
	// which most texts are (the expressions cost a tenth of a millisecond
	// on a long description, times twenty thousand rows).
	hints []string
}

var (
	coalPower   = regexp.MustCompile(`(?i)\bcoal[- ]fired\b|\bcoal\b[\w\s-]{0,30}\b(power|plants?|stations?|electricity|generat\w*|units?)\b`)
	coalUpgrade = regexp.MustCompile(`(?i)\b(ultra[- ]?)?super[- ]?critical\b|desulph?uri[sz]ation|\bflue[- ]gas\b|\bFGD\b|denitrification|\bretrofit\w*|\bupgrad\w*|\bclean coal\b|\bultra[- ]low emissions?\b|circulating fluidi[sz]ed bed`)
	renewable   = regexp.MustCompile(`(?i)\bsolar\b|photovoltaic|\bwind\s*(power|farms?|parks?|energy|turbines?|plants?)\b|\bhydro[- ]?power\b|\bhydro[- ]?electric\w*|\bhydro\b|\bgeothermal\b|\bbiomass\b|\bbiogas\b`)
	cleanMoves  = regexp.MustCompile(`(?i)\b(metro|subway|light[- ]rail|railways?|rail|railroads?|trams?|tramways?|monorail|electric (buses|bus|vehicles?|cars?)|e-bus(es)?)\b`)
	efficiency  = regexp.MustCompile(`(?i)\benergy[- ]efficien\w*|\benergy[- ]saving\b|\benergy conservation\b|\befficient (lighting|lamps?|stoves?)\b|\bsmart grids?\b|\bwaste heat\b|\bLED (lights?|lamps?|lighting|street ?lights?)\b`)
	led         = regexp.MustCompile(`\bLED\b`) // upper case only: "led" is a verb
	ecological  = regexp.MustCompile(`(?i)\b(forests?|afforestation|reforestation|biodiversity|wastewater|waste water|sewage treatment|wetlands?|mangroves?|desertification|(nature|wildlife|forest|marine|biosphere|game) reserves?|national parks?|ecological (protection|restoration|conservation))\b`)
)

// greenRules are tried in order; the first that matches gives the
// category. Coal power upgrades come first, since their words ("efficiency")
// would otherwise make them energy efficiency.
var greenRules = []greenRule{
	{project.GreenCategoryCOAL_POWER_UPGRADE, []*regexp.Regexp{coalPower, coalUpgrade}, []string{"230"}, []string{"coal"}},
	{project.GreenCategoryRENEWABLE_ENERGY, []*regexp.Regexp{renewable}, []string{"230"}, []string{"solar", "photovoltaic", "wind", "hydro", "geothermal", "bio"}},
	{project.GreenCategoryCLEAN_TRANSPORT, []*regexp.Regexp{cleanMoves}, []string{"210"}, []string{"metro", "subway", "rail", "tram", "electric", "e-bus"}},
	{project.GreenCategoryENERGY_EFFICIENCY, []*regexp.Regexp{efficiency}, []string{"230"}, []string{"energy", "efficient", "smart grid", "waste heat", "led"}},
	{project.GreenCategoryENERGY_EFFICIENCY, []*regexp.Regexp{led}, nil, []string{"led"}},
	{project.GreenCategoryECOLOGICAL_PROTECTION, []*regexp.Regexp{ecological}, []string{"410", "140"},
		[]string{"forest", "biodiversity", "waste", "sewage", "wetland", "mangrove", "desertification", "reserve", "national park", "ecological"}},
}

// greenCategory derives a project's green category from its OECD sector
// code, title and description. A project of GENERAL ENVIRONMENTAL
// PROTECTION (410) that no rule matches is ECOLOGICAL_PROTECTION; any other
// is NONE.
func greenCategory(sectorCode, title, description string) project.GreenCategory {
	both := title + "\n" + description
	lowerTitle, lowerBoth := strings.ToLower(title), strings.ToLower(both)
	for _, r := range greenRules {
		text, lower := title, lowerTitle
		if slices.Contains(r.sectors, sectorCode) {
			text, lower = both, lowerBoth
		}
		if hinted(lower, r.hints) && matchesAll(text, r.all) {
			return r.category
		}
	}
	if sectorCode == "410" {
		return project.GreenCategoryECOLOGICAL_PROTECTION
	}
	return project.GreenCategoryNONE
}

func hinted(lower string, hints []string) bool {
	for _, h := range hints {
		if strings.Contains(lower, h) {
			return true
		}
	}
	return false
}

func matchesAll(text string, all []*regexp.Regexp) bool {
	for _, re := range all {
		if !re.MatchString(text) {
			return false
		}
	}
	return true
}
