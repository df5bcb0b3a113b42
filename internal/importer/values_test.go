package importer

import (
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"", "", ""},
		{"6558437637.0", "6558437637", ""},
		{"1016812036.74418", "1016812036.74418", ""},
		{"1,016,812,036.74418", "1016812036.74418", ""},
		{"0.000000000000000001", "0.000000000000000001", ""},
		{"123456789012345678901234567890.123456789012345678", "123456789012345678901234567890.123456789012345678", ""},
		{"999", "999", ""},
		{"1,234", "1234", ""},
		{"12,34.5", "", "is not a number"},
		{"1,2345", "", "is not a number"},
		{"1.5E7", "", "is not a number"},
		{"USD 100", "", "is not a number"},
		{"1.2.3", "", "is not a number"},
		{"-5", "", "is negative"},
		{"1234567890123456789012345678901", "", "too many digits"},
	} {
		got, err := parseAmount(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
		case err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.want == "" && got != nil, c.want != "" && (got == nil || got.String() != c.want):
			t.Errorf("%q: got %v, want %q", c.in, got, c.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"", "", ""},
		{"2021-01-01", "2021-01-01", ""},
		{"12/03/2019", "2019-12-03", ""},
		{"2/3/2019", "2019-02-03", ""},
		{"2019-2-3", "2019-02-03", ""},
		{"2007-06-28 00:00:00", "2007-06-28", ""},
		{"02/29/2020", "2020-02-29", ""},
		{"02/29/2021", "", "is not a day of the calendar"},
		{"13/01/2020", "", "is not a day of the calendar"},
		{"2020-02-30", "", "is not a day of the calendar"},
		{"03.12.2019", "", "MM/DD/YYYY or YYYY-MM-DD"},
		{"2019", "", "MM/DD/YYYY or YYYY-MM-DD"},
		{"Dec 3, 2019", "", "MM/DD/YYYY or YYYY-MM-DD"},
	} {
		got, err := parseDate(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
		case err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.want == "" && got != nil, c.want != "" && (got == nil || got.String() != c.want):
			t.Errorf("%q: got %v, want %q", c.in, got, c.want)
		}
	}
}

func TestParseYearAndID(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{{"2021", 2021, true}, {"2021.0", 2021, true}, {"", 0, true}, {"21", 0, false}, {"1850", 0, false}, {"20x1", 0, false}} {
		got, err := parseYear(c.in)
		if (err == nil) != c.ok || (got != nil && *got != c.want) || (got == nil && c.want != 0) {
			t.Errorf("year %q: %v %v", c.in, got, err)
		}
	}
	for _, c := range []struct{ in, want string }{{"96203", "96203"}, {"96203.0", "96203"}, {"007", "7"}, {"0", "0"}, {"", ""}, {"A-12", ""}, {"12 3", ""}} {
		got, err := parseRecordID(c.in)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("id %q: %q %v", c.in, got, err)
		}
	}
}

func TestTruncateAndDescribe(t *testing.T) {
	long := strings.Repeat("北京", 200) // 1,200 bytes
	if got := truncate(long, 500); len(got) > 500 || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "北京北京") {
		t.Fatalf("truncate: %d bytes %q", len(got), got[len(got)-9:])
	}
	if truncate("short", 500) != "short" {
		t.Fatal("short text truncated")
	}
	for _, c := range []struct {
		desc string
		urls []string
		want string
	}{
		{"", nil, ""},
		{"About.", nil, "About."},
		{"", []string{"https://a", "", "https://b"}, "Sources:\nhttps://a\nhttps://b"},
		{"About.", []string{"https://a"}, "About.\n\nSources:\nhttps://a"},
	} {
		got := describe(c.desc, c.urls)
		if (got == nil && c.want != "") || (got != nil && *got != c.want) {
			t.Errorf("describe(%q, %q) = %v", c.desc, c.urls, got)
		}
	}
	huge := describe(strings.Repeat("x", 60000), []string{"https://source"})
	if len(*huge) > maxDescription || !strings.HasSuffix(*huge, "…\n\nSources:\nhttps://source") {
		t.Fatalf("huge description: %d bytes", len(*huge))
	}
}

func TestParseTerm(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"", "", ""}, // none, not 0
		{"0", "0", ""},
		{"0.0", "0", ""},
		{"1.50", "1.5", ""},
		{"2.745", "2.745", ""},
		{"15.5", "15.5", ""},
		{"9.4895", "9.4895", ""},
		{"0.1", "0.1", ""},
		{"3.141592653589793238", "3.141592653589793238", ""}, // more digits than a float holds
		{"-1.5", "", "is negative"},
		{"-0", "", "is negative"},
		{"2.5%", "", "is not a number"},
		{"1,5", "", "is not a number"},
		{"1,500", "", "is not a number"},
		{"1e2", "", "is not a number"},
		{"n/a", "", "is not a number"},
		{"+2", "", "is not a number"},
		{".5", "", "is not a number"},
		{"1.0000000000000000001", "", "too many digits"},
	} {
		got, err := parseTerm(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
		case err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.want == "" && got != nil, c.want != "" && (got == nil || got.String() != c.want):
			t.Errorf("%q: got %v, want %q", c.in, got, c.want)
		}
	}
	// exact: 0.1 + 0.2 is 0.3, which it is not in floats
	a, _ := parseTerm("0.1")
	b, _ := parseTerm("0.2")
	c, _ := parseTerm("0.3")
	if !a.Add(b.Decimal).Equal(c.Decimal) {
		t.Fatal("0.1 + 0.2 != 0.3: a term went through a float")
	}
}

func TestParseYesNo(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // "" for nil
		ok   bool
	}{
		{"Yes", "true", true}, {"No", "false", true}, {"yes", "true", true}, {" NO ", "false", true}, {"", "", true},
		{"Y", "", false}, {"1", "", false}, {"True", "", false}, {"Maybe", "", false},
	} {
		got, err := parseYesNo(c.in)
		s := ""
		if got != nil {
			s = map[bool]string{true: "true", false: "false"}[*got]
		}
		if (err == nil) != c.ok || s != c.want {
			t.Errorf("%q: %s %v", c.in, s, err)
		}
	}
}

func TestParseParentID(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"", "", ""},
		{"1892", "1892", ""},
		{"1892.0", "1892", ""},
		{"669|943", "669", ""}, // several groups: the first
		{" 669 | 943 ", "669", ""},
		{"|943", "943", ""},
		{"0031", "31", ""},
		{"P-12", "", "is not an AidData Parent ID"},
		{"12;13", "", "is not an AidData Parent ID"},
	} {
		got, err := parseParentID(c.in)
		if got != c.want || (err != nil) != (c.err != "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: %q %v", c.in, got, err)
		}
	}
}

func TestMapFlowClass(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ODA-like", "ODA_LIKE"}, {"OOF-like", "OOF_LIKE"}, {"Vague (Official Finance)", "VAGUE"},
		{"oda-like", "ODA_LIKE"}, {"Vague  (Official Finance)", "VAGUE"}, {"", ""},
	} {
		got, err := mapFlowClass(c.in)
		if err != nil || (got == nil) != (c.want == "") || (got != nil && string(*got) != c.want) {
			t.Errorf("%q: %v %v", c.in, got, err)
		}
	}
	for _, bad := range []string{"ODA", "Vague", "Official Finance", "OOF like"} {
		if _, err := mapFlowClass(bad); err == nil || !strings.Contains(err.Error(), "unknown flow class") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
