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
// order mark, reads CRLF and LF line ends alike and quoted cells that span
// lines, and numbers rows by the line their record starts on (the header is
// line 1), which is what a person opening the file in an editor sees.
type table struct {
	r      *csv.Reader
	index  map[string]int // normalized header name → position
	header []string
}

// row is one record of the table.
type row struct {
	line   int
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
		return nil, fmt.Errorf("read the file: %w", err)
	}
	line, _ := t.r.FieldPos(0)
	return &row{line: line, cells: cells, index: t.index, header: t.header}, nil
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

// invalidUTF8 names the first column whose cell is not valid UTF-8.
func (r *row) invalidUTF8() (string, bool) {
	for i, c := range r.cells {
		if !utf8.ValidString(c) && i < len(r.header) {
			return strings.TrimPrefix(r.header[i], "\uFEFF"), true
		}
	}
	return "", false
}

// headerKey makes header matching forgiving of case and spacing, which
// spreadsheet round trips change, but of nothing else.
func headerKey(h string) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.TrimPrefix(h, "\uFEFF")), " "))
}
