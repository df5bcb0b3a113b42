package importer

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestTable: cells by header name whatever the column order, a byte order
// mark, CRLF, quoted cells over several lines, and each record's row (the
// header is row 1, a record one row, a blank line an empty row) and the
// line it starts on.
func TestTable(t *testing.T) {
	const header = "Title,AidData Record ID,Status,Sector Name"
	for _, c := range []struct {
		name, file  string
		ids         []string
		rows, lines []int
		titles      []string
	}{
		{"plain", header + "\nA,1,Completion,ENERGY\nB,2,Completion,ENERGY\n", []string{"1", "2"}, []int{2, 3}, []int{2, 3}, []string{"A", "B"}},
		{"bom and crlf", "\xEF\xBB\xBF" + header + "\r\nA,1,Completion,ENERGY\r\nB,2,Completion,ENERGY\r\n", []string{"1", "2"}, []int{2, 3}, []int{2, 3}, []string{"A", "B"}},
		{"reordered", "Sector Name,Status,AidData Record ID,Title\nENERGY,Completion,1,A\n", []string{"1"}, []int{2}, []int{2}, []string{"A"}},
		{"multi-line", header + "\n\"A\nstill A\r\nand A\",1,Completion,ENERGY\nB,2,Completion,ENERGY\n", []string{"1", "2"}, []int{2, 3}, []int{2, 5}, []string{"A\nstill A\nand A", "B"}},
		{"multi-line last cell", header + "\nA,1,Completion,\"ENERGY\r\n\r\n\"\nB,2,Completion,ENERGY\n", []string{"1", "2"}, []int{2, 3}, []int{2, 5}, []string{"A", "B"}},
		{"multi-line header", "\"Title\n\",AidData Record ID,Status,Sector Name\nA,1,Completion,ENERGY\n", []string{"1"}, []int{2}, []int{3}, []string{"A"}},
		{"blank lines", header + "\n\nA,1,Completion,ENERGY\r\n\r\n\n\"B\n\",2,Completion,ENERGY\n\nC,3,Completion,ENERGY\n", []string{"1", "2", "3"}, []int{3, 6, 8}, []int{3, 6, 9}, []string{"A", "B", "C"}},
		{"no final newline", header + "\nA,1,Completion,ENERGY", []string{"1"}, []int{2}, []int{2}, []string{"A"}},
		{"header spacing and case", " title ,AIDDATA  RECORD ID,Status,sector name\nA,1,Completion,ENERGY\n", []string{"1"}, []int{2}, []int{2}, []string{"A"}},
		{"stray quote", header + "\nThe \"Food Bank\" project,1,Completion,ENERGY\n", []string{"1"}, []int{2}, []int{2}, []string{`The "Food Bank" project`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb, err := openTable(strings.NewReader(c.file))
			if err != nil {
				t.Fatal(err)
			}
			var ids, titles []string
			var rows, lines []int
			for {
				r, err := tb.next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				ids, titles = append(ids, r.get(ColID)), append(titles, r.get(ColTitle))
				rows, lines = append(rows, r.num), append(lines, r.line)
				if r.get(ColAmount) != "" {
					t.Fatal("a missing column has a value")
				}
			}
			if strings.Join(ids, ",") != strings.Join(c.ids, ",") || strings.Join(titles, "|") != strings.Join(c.titles, "|") || !equalInts(rows, c.rows) || !equalInts(lines, c.lines) {
				t.Fatalf("ids %q titles %q rows %v lines %v", ids, titles, rows, lines)
			}
		})
	}
	for _, bad := range []string{"", "Title,Status\nA,Completion\n"} {
		if _, err := openTable(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestRowDefects: a short row and text that is not UTF-8 are bad rows.
func TestRowDefects(t *testing.T) {
	file := "AidData Record ID,Title,Status,Sector Name,Description\n" +
		"1,A,Completion,ENERGY\n" +
		"2,B,Completion,ENERGY,caf\xe9\n"
	tb, err := openTable(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`row 2: has 4 fields; the header has 5`, `row 3, column "Description": is not UTF-8 text: save the file as UTF-8`}
	for _, w := range want {
		r, err := tb.next()
		if err != nil {
			t.Fatal(err)
		}
		_, ps := mapRow(r)
		if len(ps) != 1 || ps[0].String() != w {
			t.Errorf("got %v, want %s", ps, w)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
