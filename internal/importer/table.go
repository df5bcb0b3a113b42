package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// table reads a CSV file row by row and gives each row's cells by header
// name, so that the columns may come in any order. It skips a UTF-8 byte
// order mark, and reads CRLF and LF line ends alike and quoted cells that
// span lines.
//
// A row has two numbers. Its row is what a spreadsheet shows: the header is
// row 1 and each record one row, whatever line breaks its quoted cells hold;
// a blank line, which encoding/csv skips but a spreadsheet shows as an empty
// row, counts as one. Its line is the file line the record starts on (the
// header's is 1), what an editor shows. They differ once a cell above has
// broken over lines.
type table struct {
	r      *csv.Reader
	index  map[string]int // normalized header name → position
	header []string
	num    int // the row of the last record read (the header's is 1)
	end    int // the file line the last record read ends on
}

// row is one record of the table.
type row struct {
	num    int // spreadsheet row: the header is row 1
	line   int // file line the record starts on: the header is on line 1
	cells  []string
	index  map[string]int
	header []string
}

// utf8BOM starts files saved by Excel and other Windows tools.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// openTable reads the header and checks that the required columns are in it.
func openTable(r io.Reader) (*table, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a short row is reported as a bad row, not as the end of the file
	cr.LazyQuotes = true    // free text holds stray quotes; tolerate them rather than stop
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: want a header row with AidData's column names")
	}
	if err != nil {
		return nil, fmt.Errorf("read the header: %w", err)
	}
	t := &table{r: cr, index: map[string]int{}, header: header}
	t.advance(header)
	for i, h := range header {
		key := headerKey(h)
		if _, dup := t.index[key]; !dup {
			t.index[key] = i
		}
	}
	var missing []string
	for _, c := range requiredColumns {
		if _, ok := t.index[headerKey(c)]; !ok {
			missing = append(missing, fmt.Sprintf("%q", c))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the header lacks %s: is this an AidData GCDF 3.0 CSV file?", strings.Join(missing, ", "))
	}
	return t, nil
}

// next returns the next row, or io.EOF after the last one.
func (t *table) next() (*row, error) {
	cells, err := t.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		// encoding/csv cannot find the next record after a syntax error
		// it does not tolerate, so the rest of the file cannot be trusted.
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			num := t.num + 1 + max(pe.StartLine-t.end-1, 0)
			return nil, fmt.Errorf("read the file: %s: %w", where(num, pe.StartLine), err)
		}
		return nil, fmt.Errorf("read the file after row %d: %w", t.num, err)
	}
	line := t.advance(cells)
	return &row{num: t.num, line: line, cells: cells, index: t.index, header: t.header}, nil
}

// advance counts the record just read, and the blank lines before it, and
// returns the line it starts on. A record ends as many lines after the line
// its last cell starts on as that cell holds line breaks: encoding/csv
// turns a quoted CRLF into LF, and ends lines at LF alone.
func (t *table) advance(cells []string) int {
	line, _ := t.r.FieldPos(0)
	last, _ := t.r.FieldPos(len(cells) - 1)
	t.num += 1 + max(line-t.end-1, 0)
	t.end = last + strings.Count(cells[len(cells)-1], "\n")
	return line
}

// get returns the row's cell in column col, trimmed; "" when the file has
// no such column or the row is short. The cell is copied: encoding/csv
// slices a record's cells from one string, and keeping a title would keep
// the whole line (staff comments and all) for the rest of the import.
func (r *row) get(col string) string {
	i, ok := r.index[headerKey(col)]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.Clone(strings.TrimSpace(r.cells[i]))
}

// invalidUTF8 names the first column whose cell is not valid UTF-8: by
// its header, or by its position when its header cell is blank.
func (r *row) invalidUTF8() (string, bool) {
	for i, c := range r.cells {
		if !utf8.ValidString(c) && i < len(r.header) {
			name := strings.TrimSpace(strings.TrimPrefix(r.header[i], "\uFEFF"))
			if name == "" {
				name = fmt.Sprintf("(unnamed column %d)", i+1)
			}
			return name, true
		}
	}
	return "", false
}

// headerKey makes header matching forgiving of case and spacing, which
// spreadsheet round trips change, but of nothing else.
func headerKey(h string) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.TrimPrefix(h, "\uFEFF")), " "))
}
