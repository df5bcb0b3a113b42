package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// amountText is a plain decimal or one with comma thousands separators in
// the right places ("1,234,567.89"). Anything else, "1,23" or "1.2E7" say,
// is refused rather than guessed at: amounts must keep their exact value.
var amountText = regexp.MustCompile(`^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$`)

// parseAmount reads an amount exactly, every decimal the file gives; ""
// means none.
func parseAmount(s string) (*scalar.Decimal, error) {
	if s == "" {
		return nil, nil
	}
	if !amountText.MatchString(s) {
		return nil, fmt.Errorf("%q is not a number such as 1234567.89 or 1,234,567.89", clip(s))
	}
	d, err := scalar.ParseDecimal(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		return nil, fmt.Errorf("%q: %v", clip(s), err)
	}
	if d.IsNegative() {
		return nil, fmt.Errorf("%s is negative; amounts are not", d.String())
	}
	return &d, nil
}

// The two date forms of the published extracts, and the time of day that
// spreadsheet exports sometimes append.
var (
	usDate   = regexp.MustCompile(`^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$`)
	isoDate  = regexp.MustCompile(`^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$`)
	midnight = regexp.MustCompile(`[ T]00:00(:00(\.0+)?)?$`)
)

// parseDate reads MM/DD/YYYY or YYYY-MM-DD (the headers say the first, some
// extracts hold the second); "" means none. The day must exist.
func parseDate(s string) (*scalar.Date, error) {
	if s == "" {
		return nil, nil
	}
	text := midnight.ReplaceAllString(s, "")
	var y, m, d string
	if p := usDate.FindStringSubmatch(text); p != nil {
		m, d, y = p[1], p[2], p[3]
	} else if p := isoDate.FindStringSubmatch(text); p != nil {
		y, m, d = p[1], p[2], p[3]
	} else {
		return nil, fmt.Errorf("%q is not a date in the form MM/DD/YYYY or YYYY-MM-DD", clip(s))
	}
	year, _ := strconv.Atoi(y)
	month, _ := strconv.Atoi(m)
	day, _ := strconv.Atoi(d)
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Year() != year || int(t.Month()) != month || t.Day() != day {
		return nil, fmt.Errorf("%q is not a day of the calendar", clip(s))
	}
	date := scalar.NewDate(year, time.Month(month), day)
	return &date, nil
}

// yearText is a year, written as an integer or, by tools that read the
// column as a float, with a zero fraction ("2021.0").
var yearText = regexp.MustCompile(`^([0-9]{4})(?:\.0+)?$`)

// parseYear reads a year between 1900 and 2200 (the schema's range); ""
// means none.
func parseYear(s string) (*int, error) {
	if s == "" {
		return nil, nil
	}
	p := yearText.FindStringSubmatch(s)
	if p == nil {
		return nil, fmt.Errorf("%q is not a year such as 2021", clip(s))
	}
	y, _ := strconv.Atoi(p[1])
	if y < 1900 || y > 2200 {
		return nil, fmt.Errorf("%d is outside the years 1900 to 2200", y)
	}
	return &y, nil
}

// recordID reads AidData's record id, a whole number ("96203"; "96203.0"
// from float-typed tools).
var recordIDText = regexp.MustCompile(`^([0-9]+)(?:\.0+)?$`)

func parseRecordID(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("is empty: every row needs its AidData record id")
	}
	p := recordIDText.FindStringSubmatch(s)
	if p == nil {
		return "", fmt.Errorf("%q is not an AidData record id (a whole number)", clip(s))
	}
	if id := strings.TrimLeft(p[1], "0"); id != "" {
		return id, nil
	}
	return "0", nil
}

// splitList splits a multi-valued cell at "|", AidData's separator. Empty
// items are kept so that names and their types stay aligned by position.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "|")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// clip shortens a cell quoted in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// truncate cuts s to at most n bytes (the schema's limits count bytes), at
// a character boundary, marking the cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := 0 // the last character boundary that leaves room for the mark
	for i := range s {
		if i > n-len(mark) {
			break
		}
		cut = i
	}
	return strings.TrimSpace(s[:cut]) + mark
}

// parseYesNo reads AidData's Yes/No cells, forgiving case and spacing; ""
// means not given.
func parseYesNo(s string) (*bool, error) {
	switch headerKey(s) {
	case "":
		return nil, nil
	case "yes":
		v := true
		return &v, nil
	case "no":
		v := false
		return &v, nil
	}
	return nil, fmt.Errorf("%q is neither Yes nor No", clip(s))
}

// parseParentID reads AidData's Parent ID, the identifier of a group of
// linked records, a whole number like a record id. A cell may name several
// groups, separated by "|" ("669|943"): the first is the record's group. ""
// means none.
func parseParentID(s string) (string, error) {
	for _, id := range splitList(s) {
		if id == "" {
			continue
		}
		p := recordIDText.FindStringSubmatch(id)
		if p == nil {
			return "", fmt.Errorf("%q is not an AidData Parent ID (whole numbers separated by |)", clip(s))
		}
		if id := strings.TrimLeft(p[1], "0"); id != "" {
			return id, nil
		}
		return "0", nil
	}
	return "", nil
}

// termText is a finance term: a plain decimal, without separators, signs
// or exponents.
var termText = regexp.MustCompile(`^[0-9]+(?:\.[0-9]+)?$`)

// parseTerm reads a finance term (a rate or a grant element in percent, a
// period in years) exactly, every decimal the file gives, never through a
// float; "" means none (not 0).
func parseTerm(s string) (*scalar.Decimal, error) {
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "-") && termText.MatchString(s[1:]) {
		return nil, fmt.Errorf("%s is negative; a finance term is not", clip(s))
	}
	if !termText.MatchString(s) {
		return nil, fmt.Errorf("%q is not a number such as 2.5", clip(s))
	}
	d, err := scalar.ParseDecimal(s)
	if err != nil {
		return nil, fmt.Errorf("%q: %v", clip(s), err)
	}
	return &d, nil
}

// FlowClasses maps AidData's Flow Class values to flow classes. Any other
// value makes the row a bad row.
var FlowClasses = []struct {
	AidData string
	Class   project.FlowClass
}{
	{"ODA-like", project.FlowClassODA_LIKE},
	{"OOF-like", project.FlowClassOOF_LIKE},
	{"Vague (Official Finance)", project.FlowClassVAGUE},
}

var flowClassByKey = func() map[string]project.FlowClass {
	m := map[string]project.FlowClass{}
	for _, c := range FlowClasses {
		m[headerKey(c.AidData)] = c.Class
	}
	return m
}()

// mapFlowClass reads a Flow Class cell, forgiving case and spacing only; ""
// means none.
func mapFlowClass(s string) (*project.FlowClass, error) {
	if s == "" {
		return nil, nil
	}
	if c, ok := flowClassByKey[headerKey(s)]; ok {
		return &c, nil
	}
	want := make([]string, len(FlowClasses))
	for i, c := range FlowClasses {
		want[i] = c.AidData
	}
	return nil, fmt.Errorf("unknown flow class %q; want one of %s", clip(s), strings.Join(want, ", "))
}
