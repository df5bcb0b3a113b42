package importer

import (
	"math/big"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// TestImportFinanceTermsOfTheSamples: every project of the published
// samples has the flow type, flow class and finance terms of its row, the
// terms exactly (compared as rationals with the cell's text), none where
// the cell is empty.
func TestImportFinanceTermsOfTheSamples(t *testing.T) {
	classes := map[string]string{"ODA-like": "ODA_LIKE", "OOF-like": "OOF_LIKE", "Vague (Official Finance)": "VAGUE"}
	terms := []struct {
		column string
		get    func(p *projectTerms) *scalar.Decimal
	}{
		{"Interest Rate", func(p *projectTerms) *scalar.Decimal { return p.interest }},
		{"Maturity", func(p *projectTerms) *scalar.Decimal { return p.maturity }},
		{"Grace Period", func(p *projectTerms) *scalar.Decimal { return p.grace }},
		{"Grant Element (OECD Grant-Equiv)", func(p *projectTerms) *scalar.Decimal { return p.grantElement }},
	}
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		if s := importFiles(t, db.Client, Options{}, samples...); s.Skipped != 0 {
			t.Fatalf("%+v", s.Problems)
		}
		given := map[string]int{}
		for _, path := range samples {
			for _, row := range csvRows(t, path) {
				id := row["AidData Record ID"]
				p := projectByRef(t, db.Client, "aiddata:"+id)
				pt := &projectTerms{p.InterestRate, p.MaturityYears, p.GracePeriodYears, p.GrantElement}
				flowType := strings.TrimSpace(row["Flow Type"])
				if (p.FlowType == nil) != (flowType == "") || (p.FlowType != nil && *p.FlowType != flowType) {
					t.Errorf("%s: flowType %v, the row says %q", id, p.FlowType, row["Flow Type"])
				}
				if p.FlowClass == nil || string(*p.FlowClass) != classes[row["Flow Class"]] {
					t.Errorf("%s: flowClass %v, the row says %q", id, p.FlowClass, row["Flow Class"])
				}
				for _, term := range terms {
					cell, got := row[term.column], term.get(pt)
					if cell == "" {
						if got != nil {
							t.Errorf("%s %s: %s for an empty cell", id, term.column, got)
						}
						continue
					}
					given[term.column]++
					want, ok := new(big.Rat).SetString(cell)
					if !ok {
						t.Fatalf("%s %s: %q", id, term.column, cell)
					}
					if got == nil || got.Rat().Cmp(want) != 0 {
						t.Errorf("%s %s: %v, the row says %s", id, term.column, got, cell)
					}
				}
			}
		}
		for _, term := range terms {
			if given[term.column] == 0 {
				t.Errorf("the samples give no %s: the test checks nothing", term.column)
			}
		}
	})
}

type projectTerms struct {
	interest, maturity, grace, grantElement *scalar.Decimal
}

// TestImportExactTerms: a term keeps every digit of its cell, through both
// databases: "1.50" is 1.5 exactly, and a value with more digits than a
// float holds comes back whole.
func TestImportExactTerms(t *testing.T) {
	path := madeCSV(t, map[string]string{
		"AidData Record ID": "930001", "Title": "Loan",
		"Interest Rate": "1.50", "Maturity": "20.0", "Grace Period": "0", "Grant Element (OECD Grant-Equiv)": "35.123456789012345678",
		"Flow Type": " Loan ", "Flow Class": "OOF-like",
	})
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		if s := importFiles(t, db.Client, Options{}, path); s.Created != 1 {
			t.Fatalf("%+v", s)
		}
		p := projectByRef(t, db.Client, "aiddata:930001")
		for _, c := range []struct {
			got  *scalar.Decimal
			want string
		}{{p.InterestRate, "3/2"}, {p.MaturityYears, "20"}, {p.GracePeriodYears, "0"}, {p.GrantElement, "35123456789012345678/1000000000000000000"}} {
			want, _ := new(big.Rat).SetString(c.want)
			if c.got == nil || c.got.Rat().Cmp(want) != 0 {
				t.Errorf("%v, want %s", c.got, want.RatString())
			}
		}
		if p.GrantElement.String() != "35.123456789012345678" || *p.FlowType != "Loan" || *p.FlowClass != "OOF_LIKE" {
			t.Errorf("grant element %s, flow %q %s", p.GrantElement, *p.FlowType, *p.FlowClass)
		}
		if p.GracePeriodYears == nil {
			t.Error("a grace period of 0 is not none")
		}
		if s := importFiles(t, db.Client, Options{}, path); s.Unchanged != 1 {
			t.Fatalf("re-import: %+v", s)
		}
	})
}
