package importer

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
)

func TestMapStatus(t *testing.T) {
	for _, c := range []struct {
		in   string
		want project.Status
	}{
		{"Pipeline: Pledge", project.StatusPIPELINE},
		{"Pipeline: Commitment", project.StatusSIGNED},
		{"Implementation", project.StatusUNDER_CONSTRUCTION},
		{"Completion", project.StatusCOMPLETED},
		{"Suspended", project.StatusSUSPENDED},
		{"Cancelled", project.StatusCANCELLED},
		{"pipeline:  pledge", project.StatusPIPELINE},
		{"Finished", ""},
		{"", ""},
	} {
		got, err := mapStatus(c.in)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("%q: %s %v", c.in, got, err)
		}
	}
}

// TestSectorsOfTheSamples: every sector name the published samples use is
// in the table, and its code agrees.
func TestSectorsOfTheSamples(t *testing.T) {
	for _, path := range samples {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		all, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range all[0] {
			col[h] = i
		}
		for _, rec := range all[1:] {
			name, code := rec[col[ColSectorName]], rec[col[ColSectorCode]]
			s, ok := sectorByName[sectorKey(name)]
			if !ok || (s.Code != code && !(s.Name == "EMERGENCY RESPONSE" && (code == "700" || code == "720"))) {
				t.Errorf("%s: sector %q (%s) not in the table", path, name, code)
			}
		}
	}
}

func TestMapSector(t *testing.T) {
	for _, c := range []struct {
		name, code, title string
		want              project.Sector
	}{
		{"TRANSPORT AND STORAGE", "210", "", project.SectorTRANSPORT},
		{"INDUSTRY, MINING, CONSTRUCTION", "320", "Cement plant", project.SectorMANUFACTURING},
		{"INDUSTRY, MINING, CONSTRUCTION", "320", "Copper Mine expansion", project.SectorMINING},
		{"INDUSTRY, MINING, CONSTRUCTION", "320", "Textile Mill", project.SectorTEXTILES},
		{"INDUSTRY, MINING, CONSTRUCTION", "320", "Malaysia-China Kuantan Industrial Park", project.SectorINDUSTRIAL_PARK},
		{"Industry, Mining & Construction", "", "", project.SectorMANUFACTURING},
		{"GENERAL ENVIRONMENT PROTECTION", "", "", project.SectorOTHER},
		{"COMMUNICATIONS", "", "", project.SectorICT},
		{"BANKING AND FINANCIAL SERVICES", "240", "", project.SectorFINANCE},
		{"DEVELOPMENTAL FOOD AID/FOOD SECURITY ASSISTANCE", "520", "", project.SectorAGRICULTURE},
		{"WATER SUPPLY AND SANITATION", "140", "", project.SectorWATER},
		{"SUPPORT TO NGOs", "", "", project.SectorOTHER},
		{"", "230", "", project.SectorENERGY}, // by code when the name is missing
		{"SOMETHING NEW", "", "", project.SectorOTHER},
	} {
		if got, _ := mapSector(c.name, c.code, c.title); got != c.want {
			t.Errorf("%q %q %q: %s, want %s", c.name, c.code, c.title, got, c.want)
		}
	}
	// every entry is found by its name, its aliases and its code
	for _, s := range OECDSectors {
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			if got := lookupSector(n, ""); got == nil || got.Sector != s.Sector {
				t.Errorf("%q not found", n)
			}
		}
		if got := lookupSector("", s.Code); got == nil || got.Code != s.Code {
			t.Errorf("code %s not found", s.Code)
		}
		if err := project.SectorValidator(s.Sector); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
}

func TestAgencies(t *testing.T) {
	for _, c := range []struct {
		typ, name string
		want      partner.Kind
	}{
		{"State-owned Policy Bank", "Export-Import Bank of China (China Eximbank)", partner.KindFINANCIAL_INSTITUTION},
		{"State-Owned Commercial Bank", "Bank of China (BOC)", partner.KindFINANCIAL_INSTITUTION},
		{"Chinese State-owned Commercial Bank", "Bank of China (BOC)", partner.KindFINANCIAL_INSTITUTION},
		{"State-owned Fund", "Silk Road Fund", partner.KindFINANCIAL_INSTITUTION},
		{"Other State-owned Bank", "Bank of Taiwan", partner.KindFINANCIAL_INSTITUTION},
		{"Government Agency", "China Ministry of Commerce", partner.KindGOVERNMENT_AGENCY},
		{"Government Agency", "Shanxi Provincial Government", partner.KindSUBNATIONAL_GOVERNMENT},
		{"Chinese Government Agency", "Provincial Government of Fujian", partner.KindSUBNATIONAL_GOVERNMENT},
		{"Government Agency", "Xi'an Municipal Government", partner.KindSUBNATIONAL_GOVERNMENT},
		{"Recipient Government Agency", "Government of Malaysia", partner.KindGOVERNMENT_AGENCY},
		{"State-owned Company", "China Harbour Engineering Co., Ltd.", partner.KindENTERPRISE},
		{"Chinese Private Sector", "ZTE Corporation", partner.KindENTERPRISE},
		{"Other Private Sector", "Standard Chartered Bank PLC", partner.KindFINANCIAL_INSTITUTION},
		{"Other Joint Venture/Special Purpose Vehicle", "Bornion Guangken Rubber Sdn Bhd", partner.KindENTERPRISE},
		{"Other Intergovernmental Organization", "World Bank", partner.KindINTERNATIONAL_ORGANIZATION},
		{"Chinese NGO/CSO/Foundation", "Fosun Foundation", partner.KindOTHER},
		{"Recipient Miscellaneous Agency Type", "Unknown", partner.KindOTHER},
		{"", "Nobody", partner.KindOTHER},
		{"Political Party", "Some Party", partner.KindOTHER},
	} {
		if got := agencyKind(c.typ, c.name); got != c.want {
			t.Errorf("%q %q: %s, want %s", c.typ, c.name, got, c.want)
		}
	}
	for _, c := range []struct{ name, want string }{
		{"China Development Bank (CDB)", "aiddata:agency:china-development-bank-cdb"},
		{"China State Construction Engineering (M) Sdn. Bhd", "aiddata:agency:china-state-construction-engineering-m-sdn-bhd"},
		{"Crédit Agricole CIB", "aiddata:agency:credit-agricole-cib"},
		{"中国进出口银行", "aiddata:agency:中国进出口银行"},
		{" -- ", ""},
	} {
		if got := agencyRef(c.name); got != c.want {
			t.Errorf("%q: %q, want %q", c.name, got, c.want)
		}
	}
	long := agencyRef(strings.Repeat("银行 ", 100))
	if len(long) > 200 {
		t.Fatalf("external reference of %d bytes", len(long))
	}
}

func TestRecipientCountry(t *testing.T) {
	for _, c := range []struct {
		name, code, region string
		want               string
		region2            partner.Region
	}{
		{"Malaysia", "MYS", "Asia", "MYS", partner.RegionASIA},
		{"Jamaica", "jam", "America", "JAM", partner.RegionAMERICAS},
		{"Egypt", "EGY", "Middle East", "EGY", partner.RegionMIDDLE_EAST},
		{"Africa, regional", "", "Africa", "", ""},
		{"Africa, regional", "AFR", "Africa", "", ""},
		{"Somewhere", "XX", "Asia", "", ""},
		{"Kosovo", "XKX", "Europe", "XKX", partner.RegionEUROPE},
		{"Everywhere", "ABC", "Multi-Region", "", ""},
	} {
		got := recipientCountry(c.name, c.code, c.region)
		switch {
		case c.want == "" && got != nil:
			t.Errorf("%q: a country %+v", c.name, got)
		case c.want != "" && (got == nil || got.code != c.want || got.region == nil || *got.region != c.region2):
			t.Errorf("%q: %+v", c.name, got)
		}
	}
}

func TestGreenCategory(t *testing.T) {
	for _, c := range []struct {
		sector, title, description string
		want                       project.GreenCategory
	}{
		{"230", "China Eximbank provides $200 million loan for 100MW Solar Power Plant", "", project.GreenCategoryRENEWABLE_ENERGY},
		{"230", "Sinohydro builds Grand Poubara Hydroelectric Dam", "", project.GreenCategoryRENEWABLE_ENERGY},
		{"230", "Wind Farm Project", "", project.GreenCategoryRENEWABLE_ENERGY},
		{"230", "Geothermal plant", "", project.GreenCategoryRENEWABLE_ENERGY},
		{"230", "Power plant", "The plant burns biomass from palm oil mills.", project.GreenCategoryNONE}, // titles only
		{"230", "Tanjung Kidurong Gas-fired Power Plant", "Built by Eight Bureau of Power Construction Hydropower.", project.GreenCategoryNONE},
		{"320", "Glass Factory Construction", "It makes energy-saving glass and solar glass.", project.GreenCategoryNONE},
		{"310", "Biogas technology training", "", project.GreenCategoryRENEWABLE_ENERGY},
		{"230", "Supercritical Coal-Fired Power Plant Upgrade", "", project.GreenCategoryCOAL_POWER_UPGRADE},
		{"230", "Sahiwal coal power plant", "Flue gas desulfurization units were installed.", project.GreenCategoryCOAL_POWER_UPGRADE},
		{"230", "Coal-Fired Power Plant", "", project.GreenCategoryNONE},
		{"230", "China Hydropower Engineering Consulting Group builds coal-fired plant", "", project.GreenCategoryNONE},
		{"230", "Transmission Line", "", project.GreenCategoryNONE},
		{"230", "Energy-saving street lighting", "", project.GreenCategoryENERGY_EFFICIENCY},
		{"230", "Street lighting", "The project replaced sodium lamps with energy-saving lamps.", project.GreenCategoryNONE},
		{"160", "China donates LED lamps to community centres", "", project.GreenCategoryENERGY_EFFICIENCY},
		{"160", "Aid project led by the embassy", "", project.GreenCategoryNONE},
		{"110", "China donates LED lamps to schools", "", project.GreenCategoryNONE}, // not a sector of the rule
		{"210", "Metro Line 1", "", project.GreenCategoryCLEAN_TRANSPORT},
		{"210", "Addis Ababa-Djibouti Railway", "", project.GreenCategoryCLEAN_TRANSPORT},
		{"210", "Electric Bus Fleet", "", project.GreenCategoryCLEAN_TRANSPORT},
		{"210", "China Railway Construction Corporation builds Mombasa-Nairobi Standard Gauge Railway", "", project.GreenCategoryCLEAN_TRANSPORT},
		{"210", "China Railway Construction Corporation builds a highway", "", project.GreenCategoryNONE},
		{"210", "Highway Rehabilitation", "The road runs past the hydropower station.", project.GreenCategoryNONE},
		{"210", "Highway Rehabilitation", "The road connects to the railway station.", project.GreenCategoryNONE}, // titles only, for transport
		{"120", "China Railway Dongfang Group donates Covid-19 supplies", "", project.GreenCategoryNONE},
		{"720", "Flood relief after typhoon winds", "", project.GreenCategoryNONE},
		{"720", "Relief", "Solar lamps were donated.", project.GreenCategoryNONE},
		{"310", "Forest Reserve Management", "", project.GreenCategoryECOLOGICAL_PROTECTION},
		{"140", "Water Supply", "It includes a wastewater treatment plant.", project.GreenCategoryECOLOGICAL_PROTECTION},
		{"410", "Biodiversity Conservation", "", project.GreenCategoryECOLOGICAL_PROTECTION},
		{"410", "Environmental Monitoring Station", "", project.GreenCategoryECOLOGICAL_PROTECTION},
		{"310", "Rubber Plantation", "Planted on former forest land.", project.GreenCategoryNONE},
		{"240", "Reserve bank currency swap", "Foreign exchange reserves.", project.GreenCategoryNONE},
		{"120", "Hospital", "", project.GreenCategoryNONE},
	} {
		if got := greenCategory(c.sector, c.title, c.description); got != c.want {
			t.Errorf("%s %q %q: %s, want %s", c.sector, c.title, c.description, got, c.want)
		}
	}
}
