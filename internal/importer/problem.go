package importer

import (
	"fmt"
	"sort"
)

// Problem is why a row was not imported: its row as a spreadsheet numbers
// it (the header is row 1, and a record is one row whatever line breaks its
// cells hold), the file line the record starts on (the header is on line 1),
// the column at fault ("" for the row as a whole) and the reason.
type Problem struct {
	Row    int    `json:"row"`
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// String says it as the command prints it: row 7, column "Status": ...,
// or row 7 (line 9), column "Status": ... when a cell above the row broke
// over lines, so that a person finds the row in a spreadsheet and in an
// editor alike.
func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("%s: %s", where(p.Row, p.Line), p.Reason)
	}
	return fmt.Sprintf("%s, column %q: %s", where(p.Row, p.Line), p.Column, p.Reason)
}

// where names a row, and its line where that is another number; a line of
// 0 is unknown.
func where(row, line int) string {
	if line == 0 || line == row {
		return fmt.Sprintf("row %d", row)
	}
	return fmt.Sprintf("row %d (line %d)", row, line)
}

// problems collects a row's problems.
type problems struct {
	row  int // spreadsheet row
	line int // file line the record starts on
	list []Problem
}

func (ps *problems) add(col string, err error) {
	if err != nil {
		ps.list = append(ps.list, Problem{Row: ps.row, Line: ps.line, Column: col, Reason: err.Error()})
	}
}

// sortProblems orders problems by row, then as they were found.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Row < ps[j].Row })
}
