package importer

import (
	"regexp"
	"slices"
	"strings"

	"github.com/bri-tracker/bri-tracker/ent/project"
)

// greenRule finds one green category in a project's words. AidData has no
// such column, so the category is read from the title, for projects of the
// OECD sectors where the category is at home (a donation of masks by
// "China Railway Dongfang Group" is not clean transport). Descriptions
// count only where they are reliable: AidData's name subcontractors ("Eight
// Bureau of Power Construction Hydropower" builds gas plants), product
// lines ("solar glass" at a glass factory) and neighbouring works, so a
// description is read only for coal power upgrades (which need both coal
// power and an upgrade named) and for ecological protection in
// environmental and water projects.
type greenRule struct {
	category project.GreenCategory
	// all must each match (coal and an upgrade, for coal power upgrades).
	all []*regexp.Regexp
	// sectors are the OECD codes of the projects whose titles count.
	sectors []string
	// describedIn are the OECD codes of the projects whose descriptions
	// count too.
	describedIn []string
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

	// companyName matches the Chinese companies whose names hold a green
	// word ("China Railway Dongfang Group", "China Hydropower Engineering
	// Consulting Group", "China Energy Engineering Corporation"): they build
	// roads and donate masks too, so their names are left out of the text
	// the rules read.
	companyName = regexp.MustCompile(`\bChina (Railways?|Hydropower|Energy|Electric|Power|Three Gorges|Wind|Solar)( [A-Z][\w&.()-]*)*`)
)

// greenRules are tried in order; the first that matches gives the
// category. Coal power upgrades come first, since their words ("efficiency")
// would otherwise make them energy efficiency.
var greenRules = []greenRule{
	{project.GreenCategoryCOAL_POWER_UPGRADE, []*regexp.Regexp{coalPower, coalUpgrade}, []string{"230"}, []string{"230"}, []string{"coal"}},
	{project.GreenCategoryRENEWABLE_ENERGY, []*regexp.Regexp{renewable}, []string{"230", "140", "310", "410", "430"}, nil,
		[]string{"solar", "photovoltaic", "wind", "hydro", "geothermal", "bio"}},
	{project.GreenCategoryCLEAN_TRANSPORT, []*regexp.Regexp{cleanMoves}, []string{"210", "430"}, nil,
		[]string{"metro", "subway", "rail", "tram", "electric", "e-bus"}},
	{project.GreenCategoryENERGY_EFFICIENCY, []*regexp.Regexp{efficiency}, []string{"230", "160", "320", "410", "430"}, nil,
		[]string{"energy", "efficient", "smart grid", "waste heat", "led"}},
	{project.GreenCategoryENERGY_EFFICIENCY, []*regexp.Regexp{led}, []string{"230", "160", "320", "410", "430"}, nil, []string{"led"}},
	{project.GreenCategoryECOLOGICAL_PROTECTION, []*regexp.Regexp{ecological}, []string{"410", "140", "310", "430"}, []string{"410", "140"},
		[]string{"forest", "biodiversity", "waste", "sewage", "wetland", "mangrove", "desertification", "reserve", "national park", "ecological"}},
}

// greenCategory derives a project's green category from its OECD sector
// code, title and description. A project of GENERAL ENVIRONMENTAL
// PROTECTION (410) that no rule matches is ECOLOGICAL_PROTECTION; any other
// is NONE.
func greenCategory(sectorCode, title, description string) project.GreenCategory {
	var both, lowerBoth, head, lowerHead string // made once, for a project some rule applies to
	for _, r := range greenRules {
		if !slices.Contains(r.sectors, sectorCode) {
			continue
		}
		if head == "" {
			head = companyName.ReplaceAllString(title, "")
			both = head + "\n" + companyName.ReplaceAllString(description, "")
			lowerHead, lowerBoth = strings.ToLower(head), strings.ToLower(both)
		}
		text, lower := head, lowerHead
		if slices.Contains(r.describedIn, sectorCode) {
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
