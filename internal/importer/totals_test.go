package importer

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

// TestMalaysiaTotals imports malaysia.csv through the importer on both
// databases and asks the GraphQL handler for projectStats: by default the
// total is the rows AidData recommends for aggregates (their count, and
// the exact sum of their Amount (Constant USD 2021) to the last digit),
// the rows it does not recommend are the excluded ones; with includeAll,
// every row. The expected figures are computed here from the file with
// encoding/csv and math/big.
func TestMalaysiaTotals(t *testing.T) {
	type figures struct {
		count int
		sum   *big.Rat
	}
	yes, no, all := figures{sum: new(big.Rat)}, figures{sum: new(big.Rat)}, figures{sum: new(big.Rat)}
	for _, row := range csvRows(t, samples[0]) {
		amount := new(big.Rat)
		if cell := strings.ReplaceAll(row["Amount (Constant USD 2021)"], ",", ""); cell != "" {
			if _, ok := amount.SetString(cell); !ok {
				t.Fatalf("amount %q", cell)
			}
		}
		for _, f := range []*figures{&all, map[string]*figures{"Yes": &yes, "No": &no}[row["Recommended For Aggregates"]]} {
			if f == nil {
				t.Fatalf("record %s: Recommended For Aggregates %q", row["AidData Record ID"], row["Recommended For Aggregates"])
			}
			f.count++
			f.sum.Add(f.sum, amount)
		}
	}
	if no.count == 0 || yes.count == 0 {
		t.Fatalf("malaysia.csv: %d rows for aggregates, %d not: the test checks nothing", yes.count, no.count)
	}
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		if s := importFiles(t, db.Client, Options{}, samples[0]); s.Skipped != 0 || s.Created != all.count {
			t.Fatalf("%+v", s)
		}
		s := apitest.NewServer(t, db)
		// one question at a time, so that each answer is checked on its own
		ask := func(what, query string, want figures) {
			t.Helper()
			res := s.Do(`{ projectStats`+query+` }`, nil)
			if len(res.Errors) > 0 {
				t.Errorf("%s: %+v", what, res.Errors)
				return
			}
			var out struct {
				ProjectStats map[string]struct {
					Count int
					Sum   *string
				}
			}
			if err := json.Unmarshal(res.Data, &out); err != nil {
				t.Fatalf("%s: %s: %v", what, res.Data, err)
			}
			for _, g := range out.ProjectStats {
				got := new(big.Rat)
				if g.Sum != nil {
					if _, ok := got.SetString(*g.Sum); !ok {
						t.Fatalf("%s: sum %q", what, *g.Sum)
					}
				}
				if g.Count != want.count || got.Cmp(want.sum) != 0 || (g.Sum == nil) != (want.count == 0) {
					sum := "null"
					if g.Sum != nil {
						sum = *g.Sum
					}
					t.Errorf("%s: count %d sum %s; the file gives %d and %s", what, g.Count, sum, want.count, want.sum.FloatString(10))
				}
			}
		}
		ask("total", ` { total { count sum } }`, yes)
		ask("excluded", ` { excluded { count sum } }`, no)
		ask("total with includeAll", `(includeAll: true) { total { count sum } }`, all)
		ask("excluded with includeAll", `(includeAll: true) { excluded { count sum } }`, figures{sum: new(big.Rat)})
	})
}
