package importer

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/importer/aiddatagen"
)

// sampleHead is the header and the first n records of a published sample.
func sampleHead(t testing.TB, path string, n int) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// records may hold quoted line breaks: cut after n+1 records as
	// encoding/csv counts them, at a line end outside quotes
	quoted, records := false, 0
	for i, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			if records++; records == n+1 {
				return data[:i+1]
			}
		}
	}
	return data
}

// FuzzReadPlan reads a CSV file as Import does before it writes anything
// (openTable, next, mapRow, the plan), without a database. Invariants: no
// panic; a file refused as a whole is refused before the first row or names
// the row it stopped at; every row read is either a record or has problems,
// each problem naming its row (and a line not before it) and a reason, and
// its column unless the row is wrong as a whole; a record holds values the
// database takes (a title within its limit, valid UTF-8, amounts that have
// a database text).
func FuzzReadPlan(f *testing.F) {
	minimal := "AidData Record ID,Title,Status,Sector Name,Amount (Original Currency),Original Currency,Commitment Date (MM/DD/YYYY),Actual Implementation Start Date (MM/DD/YYYY),Actual Completion Date (MM/DD/YYYY),Recipient,Funding Agencies,Funding Agencies Type,AidData Parent ID,Umbrella,Interest Rate\n"
	for _, s := range []string{
		"",
		minimal,
		minimal + "1,Port,Completion,TRANSPORT AND STORAGE,\"1,000,000.50\",MYR,01/31/2015,2015-02-01,03/01/2016,Malaysia,Export-Import Bank of China,State-owned Policy Bank,7,No,2.5%\n",
		minimal + "2,\"Bridge \"\"A\"\"\nline two\",Implementation,ENERGY,12,USD,13/45/2015,,,Peru,,,,Yes,\n\n3,,Pledge,,x,usd,,,,,,,,maybe,\n",
		"\xEF\xBB\xBF" + strings.ReplaceAll(minimal, "\n", "\r\n") + "4,T,Completion,ENERGY,1e9,US,02/29/2023,,,Chile,A|B,Private Sector|Government Agency,4,No,\r\n",
		minimal + "5,\"unterminated,Completion,ENERGY\n",
		minimal + "6,T,Completion\n",
		minimal + "7,\xff\xfe,Completion,ENERGY,,,,,,,,,,,\n",
		"Title,AidData Record ID\n1,2\n",
	} {
		f.Add([]byte(s))
	}
	for _, sample := range samples {
		head := sampleHead(f, sample, 3)
		f.Add(head)
		var rough bytes.Buffer
		if err := aiddatagen.Rewrite(&rough, bytes.NewReader(head), roughAll, 7); err != nil {
			f.Fatal(err)
		}
		f.Add(rough.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := readPlan(bytes.NewReader(data))
		if err != nil {
			if _, herr := openTable(bytes.NewReader(data)); herr != nil {
				return // refused at the header, before any row
			}
			if !strings.Contains(err.Error(), "row ") {
				t.Fatalf("refused after the header without naming a row: %v", err)
			}
			return
		}
		bad := map[int]bool{}
		for _, pr := range p.problems {
			if pr.Row < 2 || pr.Line < pr.Row {
				t.Fatalf("problem at row %d, line %d: %s", pr.Row, pr.Line, pr)
			}
			if pr.Reason == "" {
				t.Fatalf("problem without a reason: %+v", pr)
			}
			if pr.Column == "" && !strings.HasPrefix(pr.Reason, "has ") {
				t.Fatalf("problem names no column: %s", pr)
			}
			if !strings.Contains(pr.String(), "row ") {
				t.Fatalf("problem text names no row: %s", pr)
			}
			bad[pr.Row] = true
		}
		if got := len(p.records) + len(bad); got != p.rows {
			t.Fatalf("%d rows read, %d records and %d rows with problems", p.rows, len(p.records), len(bad))
		}
		for _, rec := range p.records {
			pj := rec.project
			if bad[rec.num] {
				t.Fatalf("row %d is a record and has problems", rec.num)
			}
			if pj.Title == "" || len(pj.Title) > maxTitle || !utf8.ValidString(pj.Title) {
				t.Fatalf("row %d: title %q", rec.num, pj.Title)
			}
			if !strings.HasPrefix(pj.ExternalRef, ProjectRefPrefix) || len(pj.ExternalRef) == len(ProjectRefPrefix) {
				t.Fatalf("row %d: external reference %q", rec.num, pj.ExternalRef)
			}
			if pj.Description != nil && (len(*pj.Description) > maxDescription || !utf8.ValidString(*pj.Description)) {
				t.Fatalf("row %d: description of %d bytes", rec.num, len(*pj.Description))
			}
			if pj.Amount != nil {
				if _, err := pj.Amount.Value(); err != nil {
					t.Fatalf("row %d: amount %s has no database text: %v", rec.num, pj.Amount, err)
				}
			}
			if pj.AmountUsd != nil {
				if _, err := pj.AmountUsd.Value(); err != nil {
					t.Fatalf("row %d: USD amount %s has no database text: %v", rec.num, pj.AmountUsd, err)
				}
			}
			if pj.StartedOn != nil && pj.CompletedOn != nil && pj.CompletedOn.Before(*pj.StartedOn) {
				t.Fatalf("row %d: completed %s before started %s", rec.num, pj.CompletedOn, pj.StartedOn)
			}
		}
	})
}

// FuzzImport imports the input into one SQLite database (opened once per
// fuzzing process), then imports it again. Slower than FuzzReadPlan (two
// imports an execution), it checks what the database adds: no panic; with
// the database up, an import fails only for the file (its header, or a
// row it names); every row is counted once (created, updated, unchanged or
// skipped); every problem names its row and a reason; importing the same
// file again creates and updates nothing.
func FuzzImport(f *testing.F) {
	db := apitest.OpenSQLite(f)
	for _, sample := range samples {
		f.Add(sampleHead(f, sample, 2))
	}
	minimal := "AidData Record ID,Title,Status,Sector Name,Amount (Original Currency),Original Currency,Recipient,Recipient ISO-3,Funding Agencies,Funding Agencies Type,AidData Parent ID,Umbrella\n"
	f.Add([]byte(minimal + "1,Port,Completion,TRANSPORT AND STORAGE,\"1,000\",USD,Malaysia,MYS,Export-Import Bank of China,State-owned Policy Bank,9,Yes\n" +
		"2,Road,Implementation,ENERGY,5,USD,Malaysia,MYS,China Development Bank|Export-Import Bank of China,State-owned Policy Bank|State-owned Policy Bank,9,No\n"))
	f.Add([]byte(minimal + "3,Dam,Pledge,ENERGY,,,Africa; regional,,,,,\n3,Dam again,Pledge,ENERGY,,,,,,,,\n"))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		sum, err := Import(ctx, db.Client, bytes.NewReader(data), Options{Workers: 1})
		if err != nil {
			if _, herr := openTable(bytes.NewReader(data)); herr != nil {
				return
			}
			if !strings.Contains(err.Error(), "row ") {
				t.Fatalf("import failed without naming a row: %v", err)
			}
			return
		}
		if n := sum.Created + sum.Updated + sum.Unchanged + sum.Skipped; n != sum.Rows {
			t.Fatalf("%d rows, counted %d: %s", sum.Rows, n, sum)
		}
		for _, pr := range sum.Problems {
			if pr.Row < 2 || pr.Reason == "" {
				t.Fatalf("problem %+v", pr)
			}
		}
		again, err := Import(ctx, db.Client, bytes.NewReader(data), Options{Workers: 1})
		if err != nil {
			t.Fatalf("the second import of a file imported once fails: %v", err)
		}
		if again.Created != 0 || again.Updated != 0 || again.Partners.Created != 0 || again.Partners.Updated != 0 {
			t.Fatalf("importing again changed something: %s (first: %s)", again, sum)
		}
	})
}
