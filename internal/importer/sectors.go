package importer

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/bri-tracker/bri-tracker/ent/project"
)

// OECDSector is one OECD DAC three-digit sector as AidData names it, and the
// sector it becomes here.
type OECDSector struct {
	// Code is the OECD three-digit code (AidData's Sector Code).
	Code string
	// Name is AidData's spelling in GCDF 3.0 (its Sector Name).
	Name string
	// Aliases are other wordings of the same sector in OECD lists and older
	// AidData releases (case, punctuation and "&" need none: see sectorKey).
	Aliases []string
	// Sector is the project sector it maps to.
	Sector project.Sector
}

// OECDSectors is the complete mapping of the OECD sectors AidData uses to
// our sixteen. Where an OECD sector spans several of ours, the table gives
// the main one and refineSector may pick a closer one from the title.
var OECDSectors = []OECDSector{
	{"110", "EDUCATION", nil, project.SectorEDUCATION},
	{"120", "HEALTH", nil, project.SectorHEALTH},
	{"130", "POPULATION POLICIES/PROGRAMMES AND REPRODUCTIVE HEALTH", nil, project.SectorHEALTH},
	{"140", "WATER SUPPLY AND SANITATION", []string{"WATER AND SANITATION"}, project.SectorWATER},
	{"150", "GOVERNMENT AND CIVIL SOCIETY", nil, project.SectorOTHER},
	{"160", "OTHER SOCIAL INFRASTRUCTURE AND SERVICES", nil, project.SectorOTHER},
	{"210", "TRANSPORT AND STORAGE", nil, project.SectorTRANSPORT},
	{"220", "COMMUNICATIONS", []string{"COMMUNICATION"}, project.SectorICT},
	{"230", "ENERGY", []string{"ENERGY GENERATION AND SUPPLY", "ENERGY GENERATION, DISTRIBUTION AND EFFICIENCY"}, project.SectorENERGY},
	{"240", "BANKING AND FINANCIAL SERVICES", nil, project.SectorFINANCE},
	{"250", "BUSINESS AND OTHER SERVICES", nil, project.SectorOTHER},
	{"310", "AGRICULTURE, FORESTRY, FISHING", []string{"AGRICULTURE, FORESTRY AND FISHING"}, project.SectorAGRICULTURE},
	{"320", "INDUSTRY, MINING, CONSTRUCTION", []string{"INDUSTRY, MINING AND CONSTRUCTION"}, project.SectorMANUFACTURING},
	{"330", "TRADE POLICIES AND REGULATIONS", []string{"TRADE POLICY AND REGULATIONS", "TRADE AND TOURISM"}, project.SectorTRADE},
	{"410", "GENERAL ENVIRONMENTAL PROTECTION", []string{"GENERAL ENVIRONMENT PROTECTION"}, project.SectorOTHER},
	{"420", "WOMEN IN DEVELOPMENT", nil, project.SectorOTHER},
	{"430", "OTHER MULTISECTOR", []string{"OTHER MULTI-SECTOR"}, project.SectorOTHER},
	{"510", "GENERAL BUDGET SUPPORT", nil, project.SectorFINANCE},
	{"520", "DEVELOPMENTAL FOOD AID/FOOD SECURITY ASSISTANCE", []string{"DEVELOPMENTAL FOOD AID"}, project.SectorAGRICULTURE},
	{"530", "NON-FOOD COMMODITY ASSISTANCE", []string{"OTHER COMMODITY ASSISTANCE"}, project.SectorOTHER},
	{"600", "ACTION RELATING TO DEBT", nil, project.SectorFINANCE},
	{"700", "EMERGENCY RESPONSE", []string{"HUMANITARIAN AID"}, project.SectorOTHER},
	{"720", "EMERGENCY RESPONSE", nil, project.SectorOTHER},
	{"730", "RECONSTRUCTION RELIEF AND REHABILITATION", nil, project.SectorOTHER},
	{"740", "DISASTER PREVENTION AND PREPAREDNESS", nil, project.SectorOTHER},
	{"920", "SUPPORT TO NON-GOVERNMENTAL ORGANIZATIONS (NGOs) AND GOVERNMENT ORGANIZATIONS", []string{"SUPPORT TO NGOs", "SUPPORT TO NON-GOVERNMENTAL ORGANISATIONS (NGOs)", "SUPPORT TO NON-GOVERNMENTAL ORGANIZATIONS (NGOs)"}, project.SectorOTHER},
	{"998", "UNALLOCATED/UNSPECIFIED", nil, project.SectorOTHER},
}

var (
	sectorByName = map[string]*OECDSector{}
	sectorByCode = map[string]*OECDSector{}
)

func init() {
	for i := range OECDSectors {
		s := &OECDSectors[i]
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			if _, dup := sectorByName[sectorKey(n)]; !dup {
				sectorByName[sectorKey(n)] = s
			}
		}
		sectorByCode[s.Code] = s
	}
}

// sectorKey compares sector names by their words only: case, "&" for
// "and", and punctuation vary between releases and spreadsheets.
func sectorKey(s string) string {
	s = strings.ReplaceAll(strings.ToUpper(s), "&", " AND ")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// lookupSector finds the OECD sector by name, then by code (the name is
// what the file's readers see, the code what survives renaming); nil when
// neither is known.
func lookupSector(name, code string) *OECDSector {
	if s, ok := sectorByName[sectorKey(name)]; ok {
		return s
	}
	code = strings.TrimSuffix(strings.TrimSpace(code), ".0")
	if s, ok := sectorByCode[code]; ok {
		return s
	}
	return nil
}

// The title words that place an INDUSTRY, MINING, CONSTRUCTION project, an
// OECD sector that spans three of ours, in the closer one.
var (
	miningWords     = regexp.MustCompile(`(?i)\b(mines?|mining|minerals?|ores?|copper|gold|bauxite|nickel|iron ore|lithium|cobalt|quarry|smelter)\b`)
	textileWords    = regexp.MustCompile(`(?i)\b(textiles?|garments?|spinning|weaving|cotton mill|apparel)\b`)
	industrialWords = regexp.MustCompile(`(?i)\b(industrial (park|zone|estate)|economic (and trade cooperation )?zone|special economic zone|free trade zone)\b`)
)

// mapSector returns the project sector for a row: the OECD sector's, refined
// by title for INDUSTRY, MINING, CONSTRUCTION (320). An unknown sector maps
// to OTHER: the sector is descriptive, and no row is lost over it.
func mapSector(name, code, title string) (project.Sector, *OECDSector) {
	s := lookupSector(name, code)
	if s == nil {
		return project.SectorOTHER, nil
	}
	if s.Code == "320" {
		switch {
		case industrialWords.MatchString(title):
			return project.SectorINDUSTRIAL_PARK, s
		case textileWords.MatchString(title):
			return project.SectorTEXTILES, s
		case miningWords.MatchString(title):
			return project.SectorMINING, s
		}
	}
	return s.Sector, s
}
