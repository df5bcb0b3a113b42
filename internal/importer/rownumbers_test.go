package importer

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/importer/aiddatagen"
)

// doneReason is what an unknown status "Done" is told.
const doneReason = `unknown status "Done"; want one of Pipeline: Pledge, Pipeline: Commitment, Implementation, Completion, Suspended, Cancelled`

// tableProblems maps every row of a file and returns its problems as the
// command prints them.
func tableProblems(t *testing.T, file []byte) []string {
	t.Helper()
	tb, err := openTable(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		r, err := tb.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		_, ps := mapRow(r)
		for _, p := range ps {
			out = append(out, p.String())
		}
	}
}

// TestRowNumbers: a problem names the spreadsheet row (the header is row 1,
// a record one row however many lines its quoted cells take) and, where it
// differs, the line the record starts on; CRLF and LF breaks in cells count
// as lines alike.
func TestRowNumbers(t *testing.T) {
	file := "AidData Record ID,Title,Status,Sector Name,Description\r\n" + // row 1, line 1
		"1,A,Done,ENERGY,plain\r\n" + // row 2, line 2
		"2,B,Completion,ENERGY,\"one\r\ntwo\r\nthree\"\r\n" + // row 3, lines 3-5
		"3,C,Completion,ENERGY,\"a\nb\"\r\n" + // row 4, lines 6-7
		"4,D,Completion,ENERGY\r\n" + // row 5, line 8
		",\"E\r\nstill E\nand E\",Done,ENERGY,x\r\n" + // row 6, lines 9-11
		"6,F,Done,ENERGY,x\r\n" // row 7, line 12
	want := []string{
		`row 2, column "Status": ` + doneReason,
		`row 5 (line 8): has 4 fields; the header has 5`,
		`row 6 (line 9), column "AidData Record ID": is empty: every row needs its AidData record id`,
		`row 6 (line 9), column "Status": ` + doneReason,
		`row 7 (line 12), column "Status": ` + doneReason,
	}
	if got := tableProblems(t, []byte(file)); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestProblemJSON: a problem carries its row and its line.
func TestProblemJSON(t *testing.T) {
	b, err := json.Marshal(Problem{Row: 12, Line: 22, Column: ColAmountUSD, Reason: "is negative"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"row":12,"line":22,"column":"Amount (Constant USD 2021)","reason":"is negative"}`; string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	for _, c := range []struct {
		p    Problem
		want string
	}{
		{Problem{Row: 12, Line: 22, Column: ColAmountUSD, Reason: "is negative"}, `row 12 (line 22), column "Amount (Constant USD 2021)": is negative`},
		{Problem{Row: 12, Line: 12, Column: ColAmountUSD, Reason: "is negative"}, `row 12, column "Amount (Constant USD 2021)": is negative`},
		{Problem{Row: 12, Line: 22, Reason: "has 4 fields; the header has 5"}, `row 12 (line 22): has 4 fields; the header has 5`},
		{Problem{Row: 12, Line: 12, Reason: "has 4 fields; the header has 5"}, `row 12: has 4 fields; the header has 5`},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}

// TestSyntaxErrorRow: a record encoding/csv cannot read is named by its row
// and line too. The table tolerates stray quotes, so the test makes its
// reader strict to have one.
func TestSyntaxErrorRow(t *testing.T) {
	const header = "Title,AidData Record ID,Status,Sector Name\n"
	for _, c := range []struct{ file, want string }{
		{header + "A,1,Completion,ENERGY\n\"bad\"x,2,Completion,ENERGY\n",
			`read the file: row 3: parse error on line 3, column 5: extraneous or missing " in quoted-field`},
		{header + "\"A\r\nA\",1,Completion,ENERGY\n\n\"ba\nd\"x,2,Completion,ENERGY\n",
			`read the file: row 4 (line 5): record on line 5; parse error on line 6, column 2: extraneous or missing " in quoted-field`},
	} {
		tb, err := openTable(strings.NewReader(c.file))
		if err != nil {
			t.Fatal(err)
		}
		tb.r.LazyQuotes = false
		for {
			_, err = tb.next()
			if err != nil {
				break
			}
		}
		var pe *csv.ParseError
		if err.Error() != c.want || !errors.As(err, &pe) {
			t.Errorf("got %v, want %s", err, c.want)
		}
	}
}

// recordStarts finds, by counting line feeds outside quotes, the line each
// record of a CSV file starts on (the header's first) and the byte offset
// it starts at, with the file's length last. Blank lines are no records.
// It is the test's own count, to check the importer's against; it needs a
// file without stray quotes.
func recordStarts(data []byte) (lines, offsets []int) {
	line, quoted, between := 1, false, true
	for i, b := range data {
		if between {
			if b == '\n' || (b == '\r' && i+1 < len(data) && data[i+1] == '\n') {
				if b == '\n' {
					line++
				}
				continue
			}
			lines, offsets, between = append(lines, line), append(offsets, i), false
		}
		switch b {
		case '"':
			quoted = !quoted
		case '\n':
			line++
			between = !quoted
		}
	}
	return lines, append(offsets, len(data))
}

// TestRowNumbersSample: on the Malaysia sample, and on copies of it whose
// descriptions break over lines, each record's row and line are those the
// test counts itself, and a corrupted status is reported with them: the
// first record's (its row and line are one number) and that of the first
// record whose line is not its row (the last record where there is none).
func TestRowNumbersSample(t *testing.T) {
	raw, err := os.ReadFile(samples[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name       string
		file       []byte
		multiLines bool // descriptions break over lines
	}{
		{"sample", raw, false},
		{"multi-line descriptions", readBytes(t, roughCopy(t, samples[0], aiddatagen.Rough{MultiLine: true})), true},
		{"multi-line descriptions, CRLF and BOM", readBytes(t, roughCopy(t, samples[0], aiddatagen.Rough{MultiLine: true, CRLF: true, BOM: true})), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines, offsets := recordStarts(c.file)
			records := len(lines) - 1 // the header is not one
			facts := readFacts(t, samples[0])
			if records != facts.rows {
				t.Fatalf("counted %d records, want %d", records, facts.rows)
			}
			// record i (from 0) is row i+2 and starts on line lines[i+1]
			tb, err := openTable(bytes.NewReader(c.file))
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; ; i++ {
				r, err := tb.next()
				if errors.Is(err, io.EOF) {
					if i != records {
						t.Fatalf("%d rows read, want %d", i, records)
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if r.num != i+2 || r.line != lines[i+1] {
					t.Fatalf("record %d: row %d line %d, want row %d line %d", i, r.num, r.line, i+2, lines[i+1])
				}
			}

			other := -1
			for i := 0; i < records; i++ {
				if lines[i+1] != i+2 {
					other = i
					break
				}
			}
			if other < 0 {
				if c.multiLines {
					t.Fatal("no record starts on a line other than its row")
				}
				other = records - 1
			}
			broken := withStatus(t, c.file, offsets, []int{0, other}, "Done")
			if l, _ := recordStarts(broken); !equalInts(l, lines) {
				t.Fatal("corrupting the status moved records to other lines")
			}
			var want []string
			for _, i := range []int{0, other} {
				row, line := i+2, lines[i+1]
				if row == line {
					want = append(want, fmt.Sprintf(`row %d, column "Status": %s`, row, doneReason))
				} else {
					want = append(want, fmt.Sprintf(`row %d (line %d), column "Status": %s`, row, line, doneReason))
				}
			}
			if got := tableProblems(t, broken); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// withStatus returns a copy of a CSV file whose records (from 0) have the
// status given, rewriting only those records.
func withStatus(t *testing.T, file []byte, offsets []int, records []int, status string) []byte {
	t.Helper()
	header, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file[:offsets[1]], utf8BOM))).Read()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range header {
		if h == ColStatus {
			col = i
		}
	}
	if col < 0 {
		t.Fatal("no Status column")
	}
	out := append([]byte(nil), file[:offsets[1]]...)
	next := 0
	for i := 0; i+1 < len(offsets)-1; i++ {
		span := file[offsets[i+1]:offsets[i+2]]
		if next < len(records) && records[next] == i {
			next++
			rec, err := csv.NewReader(bytes.NewReader(span)).Read()
			if err != nil {
				t.Fatal(err)
			}
			rec[col] = status
			var b bytes.Buffer
			w := csv.NewWriter(&b)
			w.UseCRLF = bytes.HasSuffix(span, []byte("\r\n"))
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			span = b.Bytes()
		}
		out = append(out, span...)
	}
	return out
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
