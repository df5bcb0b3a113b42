package importer

import (
	"os"
	"strings"
	"testing"
)

// TestDocumentedTables: docs/import.md lists every entry of the mapping
// tables, so the documentation cannot fall behind the code.
func TestDocumentedTables(t *testing.T) {
	raw, err := os.ReadFile("../../docs/import.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	need := func(what, s string) {
		if !strings.Contains(doc, s) {
			t.Errorf("docs/import.md does not mention %s %q", what, s)
		}
	}
	for _, s := range OECDSectors {
		need("the sector code", s.Code)
		need("the sector", s.Name)
		for _, a := range s.Aliases {
			need("the sector alias", a)
		}
		need("our sector", "`"+string(s.Sector)+"`")
	}
	for _, s := range Statuses {
		need("the status", "| "+s.AidData+" | `"+string(s.Status)+"` |")
	}
	for _, k := range AgencyKinds {
		need("the agency type", "| "+k.Type+" | `"+string(k.Kind))
	}
	for name, r := range Regions {
		need("the region", name)
		need("our region", "`"+string(r)+"`")
	}
	for _, c := range []string{ColID, ColRecipient, ColRecipientISO3, ColRecipientRegion, ColCommitmentYear, ColTitle, ColDescription, ColStatus,
		ColSectorCode, ColSectorName, ColFunding, ColCofinancing, ColImplementing, ColAmount, ColCurrency, ColAmountUSD,
		ColSignedOn, ColStartedOn, ColCompletedOn, ColSourceURLs,
		ColAggregates, ColUmbrella, ColParentID, ColFlowType, ColFlowClass, ColInterestRate, ColMaturity, ColGracePeriod, ColGrantElement} {
		need("the column", c)
	}
	for _, c := range AgencyColumns {
		need("the agency column and its role", "| `"+c.Names+"` (+ `"+c.Types+"`) | partners, `"+string(c.Role)+"` participants |")
	}
	for _, c := range FlowClasses {
		need("the flow class", "| "+c.AidData+" | `"+string(c.Class)+"` |")
	}
	for _, s := range []string{"`countsInAggregates`", "`umbrella`", "`groupRef` `" + GroupRefPrefix + "<id>`", "`parent`", "`flowType`", "`flowClass`",
		"`interestRate`", "`maturityYears`", "`gracePeriodYears`", "`grantElement`", "`locationPrecision` `COUNTRY`",
		"GCDF 3.0 documentation", "TUFF 3.0", "projects left unlocated: regional or multi-country"} {
		need("the field or phrase", s)
	}
	for _, r := range greenRules {
		need("the green category", "`"+string(r.category)+"`")
	}
}
