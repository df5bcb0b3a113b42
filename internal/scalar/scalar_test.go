package scalar

import (
	"sort"
	"testing"
	"time"
)

func TestDecimalStorageTextSortsNumerically(t *testing.T) {
	in := []string{"10", "9.99", "0.5", "1234567890123456789012345.123456789", "0", "100.000001", "9.9900"}
	texts := make([]string, len(in))
	for i, s := range in {
		v, err := MustParseDecimal(s).Value()
		if err != nil {
			t.Fatal(err)
		}
		texts[i] = v.(string)
	}
	sort.Strings(texts)
	var got []string
	for _, txt := range texts {
		var d Decimal
		if err := d.Scan(txt); err != nil {
			t.Fatal(err)
		}
		got = append(got, d.String())
	}
	want := []string{"0", "0.5", "9.99", "9.99", "10", "100.000001", "1234567890123456789012345.123456789"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sorted storage texts give %v, want %v", got, want)
		}
	}
}

func TestDecimalInput(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
		ok   bool
	}{
		{"1234567.89", "1234567.89", true},
		{"-0.01", "-0.01", true},
		{"007", "7", true},
		{int64(42), "42", true},
		{"1e9", "", false},
		{"1,000", "", false},
		{" 1", "", false},
		{"", "", false},
		{0.1, "", false},
		{"1234567890123456789012345678901", "", false}, // 31 integer digits
		{"0.1234567890123456789", "", false},           // 19 fraction digits
		{true, "", false},
	} {
		var d Decimal
		err := d.UnmarshalGQL(c.in)
		if (err == nil) != c.ok || (c.ok && d.String() != c.want) {
			t.Errorf("%#v: got %s, %v; want %s ok=%v", c.in, d.String(), err, c.want, c.ok)
		}
	}
}

func TestDate(t *testing.T) {
	d := MustParseDate("2024-02-29")
	if v, _ := d.Value(); v != "2024-02-29" {
		t.Fatalf("value %v", v)
	}
	for _, src := range []any{"2024-02-29", []byte("2024-02-29"), time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "2024-02-29T00:00:00Z"} {
		var got Date
		if err := got.Scan(src); err != nil || got != d {
			t.Errorf("scan %#v: %v %v", src, got, err)
		}
	}
	for _, bad := range []any{"2023-02-29", "29/02/2024", "2024-2-9", 20240229} {
		var got Date
		if err := got.UnmarshalGQL(bad); err == nil {
			t.Errorf("%#v accepted as %v", bad, got)
		}
	}
	if !MustParseDate("2020-04-30").Before(MustParseDate("2020-05-01")) {
		t.Fatal("Before")
	}
}
