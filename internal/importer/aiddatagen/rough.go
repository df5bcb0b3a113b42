package aiddatagen

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"
)

// Rough lists the rough edges of real files to put into a file.
type Rough struct {
	// BOM starts the file with a UTF-8 byte order mark, as Excel writes.
	BOM bool
	// CRLF ends lines with CRLF (inside quoted cells too).
	CRLF bool
	// ShuffleColumns writes the columns in another order.
	ShuffleColumns bool
	// Thousands writes amounts with comma thousands separators.
	Thousands bool
	// USDates writes every date MM/DD/YYYY; MixedDates every other row's.
	USDates, MixedDates bool
	// MultiLine breaks descriptions over several lines.
	MultiLine bool
}

// Rewrite copies a CSV file (a published extract, say) adding rough edges.
func Rewrite(w io.Writer, r io.Reader, rough Rough, seed uint64) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	all, err := cr.ReadAll()
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return fmt.Errorf("aiddatagen: empty file")
	}
	header := append([]string(nil), all[0]...)
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	return writeRows(w, header, all[1:], rough, seed)
}

var (
	amountColumns = map[string]bool{"Amount (Original Currency)": true, "Amount (Constant USD 2021)": true, "Amount (Nominal USD)": true,
		"Adjusted Amount (Original Currency)": true, "Adjusted Amount (Constant USD 2021)": true, "Adjusted Amount (Nominal USD)": true}
	isoDay = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})$`)
)

// writeRows writes header and rows with the rough edges asked for.
func writeRows(w io.Writer, header []string, rows [][]string, rough Rough, seed uint64) error {
	if rough.BOM {
		if _, err := w.Write([]byte("\uFEFF")); err != nil {
			return err
		}
	}
	order := make([]int, len(header))
	for i := range order {
		order[i] = i
	}
	if rough.ShuffleColumns {
		rand.New(rand.NewPCG(seed, 7)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = rough.CRLF
	out := make([]string, len(header))
	for i, j := range order {
		out[i] = header[j]
	}
	if err := cw.Write(out); err != nil {
		return err
	}
	for n, row := range rows {
		for i, j := range order {
			out[i] = ""
			if j < len(row) {
				out[i] = roughen(header[j], row[j], n, rough)
			}
		}
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// roughen rewrites one cell.
func roughen(col, v string, n int, rough Rough) string {
	switch {
	case v == "":
		return v
	case rough.Thousands && amountColumns[col]:
		return thousands(v)
	case (rough.USDates || (rough.MixedDates && n%2 == 1)) && strings.Contains(col, "(MM/DD/YYYY)"):
		if m := isoDay.FindStringSubmatch(v); m != nil {
			return m[2] + "/" + m[3] + "/" + m[1]
		}
	case rough.MultiLine && col == "Description":
		return strings.Replace(v, ". ", ".\n", 2) + "\n\n(continued)"
	}
	return v
}

// thousands puts comma separators in a decimal's integer part.
func thousands(v string) string {
	intPart, frac, hasFrac := strings.Cut(v, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
