package importer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// TestImportUmbrellaGroups imports a file made here: an umbrella and two
// components sharing a parent id (the components first in the file, one
// project a batch, several workers on PostgreSQL, so that a component would
// meet a missing umbrella were the umbrella not written first); a group
// with two umbrellas and one with none, whose records get no parent; and a
// record with no parent id. Then again, which changes nothing.
func TestImportUmbrellaGroups(t *testing.T) {
	rec := func(id, parent, umbrella, aggregates string) map[string]string {
		return map[string]string{"AidData Record ID": id, "Title": "Record " + id, "AidData Parent ID": parent,
			"Umbrella": umbrella, "Recommended For Aggregates": aggregates}
	}
	path := madeCSV(t,
		rec("910002", "5000", "No", "Yes"),
		rec("910003", "5000|77", "No", "Yes"), // several ids: the first is the group
		rec("910004", "6000", "Yes", "No"),
		rec("910005", "6000", "Yes", "No"),
		rec("910006", "6000", "No", "Yes"),
		rec("910007", "7000", "No", "Yes"),
		rec("910008", "7000", "No", "No"),
		rec("910009", "", "No", "Yes"),
		rec("910010", "", "Yes", ""), // an umbrella that does not say: it does not count
		rec("910011", "", "No", ""),  // another that does not say: left as the schema has it
		rec("910001", "5000", "Yes", "No"),
	)
	want := map[string]struct {
		group, parent    string
		umbrella, counts bool
	}{
		"910001": {"aiddata:parent:5000", "", true, false},
		"910002": {"aiddata:parent:5000", "aiddata:910001", false, true},
		"910003": {"aiddata:parent:5000", "aiddata:910001", false, true},
		"910004": {"aiddata:parent:6000", "", true, false},
		"910005": {"aiddata:parent:6000", "", true, false},
		"910006": {"aiddata:parent:6000", "", false, true},
		"910007": {"aiddata:parent:7000", "", false, true},
		"910008": {"aiddata:parent:7000", "", false, false},
		"910009": {"", "", false, true},
		"910010": {"", "", true, false},
		"910011": {"", "", false, true},
	}
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		o := Options{BatchSize: 1, Workers: 1}
		if db.IsPostgres() {
			o.Workers = 4
		}
		sum := importFiles(t, db.Client, o, path)
		if sum.Created != len(want) || sum.Skipped != 0 {
			t.Fatalf("%+v", sum)
		}
		ctx := auth.SystemContext(context.Background(), "test")
		for id, w := range want {
			p := db.Client.Project.Query().Where(project.ExternalRef("aiddata:" + id)).WithParent().OnlyX(ctx)
			group, parent := "", ""
			if p.GroupRef != nil {
				group = *p.GroupRef
			}
			if p.Edges.Parent != nil {
				parent = *p.Edges.Parent.ExternalRef
			}
			if group != w.group || parent != w.parent || p.Umbrella != w.umbrella || p.CountsInAggregates != w.counts {
				t.Errorf("%s: group %q parent %q umbrella %v counts %v; want %+v", id, group, parent, p.Umbrella, p.CountsInAggregates, w)
			}
		}
		umbrella := db.Client.Project.Query().Where(project.ExternalRef("aiddata:910001")).OnlyX(ctx)
		if n := umbrella.QueryComponents().CountX(ctx); n != 2 {
			t.Errorf("the umbrella has %d components", n)
		}
		_, _, _, audits := counts(t, db.Client)
		again := importFiles(t, db.Client, o, path)
		if again.Created+again.Updated+again.Skipped != 0 || again.Unchanged != len(want) {
			t.Fatalf("re-import: %+v", again)
		}
		if _, _, _, a2 := counts(t, db.Client); a2 != audits {
			t.Fatalf("re-import wrote %d audit events", a2-audits)
		}
	})
}

// TestImportAggregationColumnsOfTheSamples: every project of the published
// samples has the aggregation values of its row, read here with
// encoding/csv; a parent exactly where a parent id's group holds one
// umbrella (computed from the file, whatever it finds).
func TestImportAggregationColumnsOfTheSamples(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		if s := importFiles(t, db.Client, Options{}, samples...); s.Skipped != 0 {
			t.Fatalf("%+v", s.Problems)
		}
		ctx := auth.SystemContext(context.Background(), "test")
		for _, path := range samples {
			rows := csvRows(t, path)
			groupOf := func(row map[string]string) string {
				id, _, _ := strings.Cut(row["AidData Parent ID"], "|")
				return strings.TrimSpace(id)
			}
			umbrellas := map[string][]string{} // group → umbrella record ids
			for _, row := range rows {
				if g := groupOf(row); g != "" && row["Umbrella"] == "Yes" {
					umbrellas[g] = append(umbrellas[g], row["AidData Record ID"])
				}
			}
			parents := 0
			for _, row := range rows {
				id := row["AidData Record ID"]
				p := db.Client.Project.Query().Where(project.ExternalRef("aiddata:" + id)).WithParent().OnlyX(ctx)
				if p.CountsInAggregates != (row["Recommended For Aggregates"] == "Yes") || p.Umbrella != (row["Umbrella"] == "Yes") {
					t.Errorf("%s %s: countsInAggregates %v umbrella %v; the row says %q, %q", path, id, p.CountsInAggregates, p.Umbrella,
						row["Recommended For Aggregates"], row["Umbrella"])
				}
				g := groupOf(row)
				if (g == "") != (p.GroupRef == nil) || (g != "" && *p.GroupRef != "aiddata:parent:"+g) {
					t.Errorf("%s %s: groupRef %v; the row's parent id is %q", path, id, p.GroupRef, row["AidData Parent ID"])
				}
				wantParent := ""
				if u := umbrellas[g]; len(u) == 1 && u[0] != id {
					wantParent = "aiddata:" + u[0]
					parents++
				}
				gotParent := ""
				if p.Edges.Parent != nil {
					gotParent = *p.Edges.Parent.ExternalRef
				}
				if gotParent != wantParent {
					t.Errorf("%s %s: parent %q, want %q", path, id, gotParent, wantParent)
				}
			}
			t.Logf("%s: %d projects with a parent", path, parents)
		}
		if n := db.Client.Project.Query().Where(project.HasParent()).CountX(ctx); n != countParents(t) {
			t.Errorf("%d projects have a parent", n)
		}
	})
}

// countParents counts, from the files alone, the records that have an
// umbrella: the others of a parent-id group holding exactly one umbrella.
func countParents(t *testing.T) int {
	n := 0
	for _, path := range samples {
		groups := map[string][]map[string]string{}
		for _, row := range csvRows(t, path) {
			id, _, _ := strings.Cut(row["AidData Parent ID"], "|")
			if id = strings.TrimSpace(id); id != "" {
				groups[id] = append(groups[id], row)
			}
		}
		for _, rows := range groups {
			u := 0
			for _, row := range rows {
				if row["Umbrella"] == "Yes" {
					u++
				}
			}
			if u == 1 {
				n += len(rows) - 1
			}
		}
	}
	return n
}

// TestImportBadAggregationAndTerms: a value the importer cannot read in an
// aggregation or finance-term column skips its row with a problem naming
// the column; the other rows are imported.
func TestImportBadAggregationAndTerms(t *testing.T) {
	bad := []struct{ column, value, reason string }{
		{"Recommended For Aggregates", "Maybe", `"Maybe" is neither Yes nor No`},
		{"Umbrella", "Y", `"Y" is neither Yes nor No`},
		{"AidData Parent ID", "P-12", "is not an AidData Parent ID"},
		{"Flow Class", "Concessional", `unknown flow class "Concessional"`},
		{"Interest Rate", "-1.5", "is negative"},
		{"Interest Rate", "2,5", "is not a number"},
		{"Maturity", "twenty", "is not a number"},
		{"Grace Period", "-2", "is negative"},
		{"Grant Element (OECD Grant-Equiv)", "35%", "is not a number"},
		{"Flow Type", strings.Repeat("Loan ", 41), "over the limit of 200"},
	}
	rows := []map[string]string{{"AidData Record ID": "920000", "Title": "Good"}}
	for i, b := range bad {
		rows = append(rows, map[string]string{"AidData Record ID": fmt.Sprint(920001 + i), "Title": "Bad " + b.column, b.column: b.value})
	}
	path := madeCSV(t, rows...)
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s, err := ImportFile(context.Background(), db.Client, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Created != 1 || s.Skipped != len(bad) || len(s.Problems) != len(bad) {
			t.Fatalf("%+v %v", s, s.Problems)
		}
		for i, b := range bad {
			p := s.Problems[i]
			if p.Column != b.column || !strings.Contains(p.Reason, b.reason) {
				t.Errorf("%s %q: %+v", b.column, b.value, p)
			}
		}
	})
}

// projectByRef loads one project.
func projectByRef(t testing.TB, c *ent.Client, ref string) *ent.Project {
	t.Helper()
	return c.Project.Query().Where(project.ExternalRef(ref)).OnlyX(auth.SystemContext(context.Background(), "test"))
}
