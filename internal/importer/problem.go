package importer

import (
	"fmt"
	"sort"
)

// Problem is why a row was not imported: its line (the CSV line the record
// starts on, the header being line 1), the column at fault ("" for the row
// as a whole) and the reason.
type Problem struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// String says it as the command prints it: row 7, column "Status": ...
func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("row %d: %s", p.Row, p.Reason)
	}
	return fmt.Sprintf("row %d, column %q: %s", p.Row, p.Column, p.Reason)
}

// problems collects a row's problems.
type problems struct {
	line int
	list []Problem
}

func (ps *problems) add(col string, err error) {
	if err != nil {
		ps.list = append(ps.list, Problem{Row: ps.line, Column: col, Reason: err.Error()})
	}
}

// sortProblems orders problems by row, then as they were found.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Row < ps[j].Row })
}
