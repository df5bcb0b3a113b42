package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// defect breaks one cell of a sample row.
type defect struct {
	record int    // which data record of the sample
	column string // the cell to break ("" leaves the cells alone)
	value  string
	reason string // what the report must say
	short  bool   // drop the row's last field
}

var defects = []defect{
	{record: 3, column: ColID, value: "", reason: "is empty: every row needs its AidData record id"},
	{record: 5, column: ColStatus, value: "Finished", reason: `unknown status "Finished"`},
	{record: 8, column: ColAmountUSD, value: "12,34.5", reason: `"12,34.5" is not a number`},
	{record: 9, column: ColAmount, value: "1.5E7", reason: `"1.5E7" is not a number`},
	{record: 12, column: ColSignedOn, value: "02/30/2019", reason: `"02/30/2019" is not a day of the calendar`},
	{record: 14, column: ColStartedOn, value: "2019.05.01", reason: "is not a date in the form MM/DD/YYYY or YYYY-MM-DD"},
	{record: 15, column: ColCommitmentYear, value: "20x1", reason: `"20x1" is not a year`},
	{record: 17, column: ColID, value: "96082", reason: "repeats the record id of row"},
	{record: 20, short: true, reason: "has 125 fields; the header has 126"},
	{record: 22, column: ColCompletedOn, value: "01/01/1999", reason: "is before the actual implementation start date"},
	{record: 22, column: ColStartedOn, value: "2005-06-01"},
}

// brokenSample writes the Malaysia sample with the defects, and a record
// whose description spans three lines before them, and returns the path
// and the line each record starts on (its row is the record's number + 2).
func brokenSample(t *testing.T) (string, map[int]int) {
	t.Helper()
	raw, err := os.ReadFile(samples[0])
	if err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range all[0] {
		col[h] = i
	}
	all[1+1][col[ColDescription]] = "First line.\nSecond line.\r\nThird line."
	for _, d := range defects {
		rec := all[1+d.record]
		if d.short {
			all[1+d.record] = rec[:len(rec)-1]
			continue
		}
		rec[col[d.column]] = d.value
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	lines := map[int]int{} // record → line
	for i, rec := range all {
		lines[i-1] = 1 + bytes.Count(b.Bytes(), []byte("\n"))
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		w.Flush()
	}
	return writeTemp(t, "broken.csv", b.Bytes()), lines
}

// TestImportBadRows: each kind of defect is reported with its spreadsheet
// row, the line the record starts on (two more, after the record with three
// lines), its column and the reason, and skipped; the other rows are
// imported.
func TestImportBadRows(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		path, lines := brokenSample(t)
		facts := readFacts(t, samples[0])
		sum, err := ImportFile(context.Background(), db.Client, path, Options{BatchSize: 40})
		if err != nil {
			t.Fatal(err)
		}
		bad := map[int]bool{}
		for _, d := range defects {
			bad[d.record] = true
		}
		if sum.Rows != facts.rows || sum.Skipped != len(bad) || sum.Created != facts.rows-len(bad) {
			t.Fatalf("summary %+v", sum)
		}
		got := map[string]bool{}
		for _, p := range sum.Problems {
			got[p.String()] = true
		}
		for _, d := range defects {
			if d.reason == "" {
				continue
			}
			row, line := d.record+2, lines[d.record]
			at := fmt.Sprintf("row %d (line %d)", row, line)
			if d.column != "" {
				at += fmt.Sprintf(", column %q", d.column)
			}
			found := false
			for _, p := range sum.Problems {
				found = found || (p.Row == row && p.Line == line && p.Column == d.column && strings.Contains(p.Reason, d.reason) &&
					strings.HasPrefix(p.String(), at+": "))
			}
			if !found {
				t.Errorf("record %d (%s): no problem %q; got:\n%s", d.record, at, d.reason, strings.Join(keys(got), "\n"))
			}
		}
		if len(sum.Problems) != len(bad) {
			t.Errorf("%d problems for %d bad rows: %v", len(sum.Problems), len(bad), sum.Problems)
		}
		ctx := auth.SystemContext(context.Background(), "test")
		if n := db.Client.Project.Query().CountX(ctx); n != facts.rows-len(bad) {
			t.Fatalf("%d projects stored", n)
		}
		// the record with three lines is whole, and its neighbours too
		p := db.Client.Project.Query().Where(project.ExternalRef("aiddata:96082")).OnlyX(ctx)
		if !strings.HasPrefix(*p.Description, "First line.\nSecond line.\nThird line.") {
			t.Fatalf("multi-line description: %q", *p.Description)
		}
	})
}

// TestImportRefusedByRules: a row that a database rule refuses, a rule the
// importer does not check itself, is reported against its column and
// skipped, and the rest of its batch is written.
func TestImportRefusedByRules(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		// a rule of the test's own, registered like the domain's hooks
		db.Client.Project.Use(func(next ent.Mutator) ent.Mutator {
			return hook.ProjectFunc(func(ctx context.Context, m *ent.ProjectMutation) (ent.Value, error) {
				if title, _ := m.Title(); strings.Contains(strings.ToLower(title), "jamaica") {
					return nil, apperr.Invalid("title", "nothing in Jamaica in this test")
				}
				return next.Mutate(ctx, m)
			})
		})
		facts := readFacts(t, samples[1])
		sum, err := ImportFile(context.Background(), db.Client, samples[1], Options{BatchSize: 6})
		if err != nil {
			t.Fatal(err)
		}
		refused := 0
		for _, p := range sum.Problems {
			if p.Column != ColTitle || p.Reason != "nothing in Jamaica in this test" {
				t.Fatalf("problem %v", p)
			}
			refused++
		}
		if refused != 5 || sum.Skipped != refused || sum.Created != facts.rows-refused {
			t.Fatalf("summary %+v", sum)
		}
		ctx := auth.SystemContext(context.Background(), "test")
		if n := db.Client.Project.Query().CountX(ctx); n != facts.rows-refused {
			t.Fatalf("%d projects stored", n)
		}
	})
}

// TestRefusedItem: the batch item and the column a refusal concerns.
func TestRefusedItem(t *testing.T) {
	for _, c := range []struct {
		err    error
		n      int
		i      int
		column string
		ok     bool
	}{
		{apperr.Invalid("input[3].completedOn", "2020-01-01 is before startedOn 2021-01-01"), 5, 3, ColCompletedOn, true},
		{apperr.Missing("input[0].participants[2].partner", "no partner has externalRef x"), 5, 0, ColFunding, true},
		{apperr.Invalid("input[1]", "repeats input[0]"), 5, 1, "", true},
		{apperr.Invalid("input[9].title", "too long"), 5, 0, "", false}, // beyond the batch
		{apperr.Invalid("input", "is empty"), 5, 0, "", false},
		{os.ErrClosed, 5, 0, "", false},
	} {
		i, column, _, ok := refusedItem(c.err, c.n)
		if ok != c.ok || (ok && (i != c.i || column != c.column)) {
			t.Errorf("%v: got %d %q %v", c.err, i, column, ok)
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
