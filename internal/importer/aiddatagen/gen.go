// Package aiddatagen writes synthetic AidData GCDF 3.0 CSV files in the
// exact published format (the 126 published columns, AidData's value
// spellings, "|"-separated agency lists), for tests and for the import
// benchmark, and can add the rough edges real files have: a byte order
// mark, CRLF line ends, reordered columns, multi-line cells, thousands
// separators and MM/DD/YYYY dates. The rows are invented: they are not
// AidData's data, only its shape.
package aiddatagen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Options say what to write.
type Options struct {
	// Rows is how many projects to write.
	Rows int
	// Seed makes the file: the same options write the same bytes.
	Seed uint64
	// FirstID is the first AidData record id (default 100001); ids follow.
	FirstID int
	// Rough adds the rough edges of real files.
	Rough Rough
}

// Write writes a generated file.
func Write(w io.Writer, o Options) error {
	if o.FirstID == 0 {
		o.FirstID = 100001
	}
	rnd := rand.New(rand.NewPCG(o.Seed, 0x9E3779B97F4A7C15))
	rows := make([][]string, o.Rows)
	for i := range rows {
		rows[i] = generate(rnd, o.FirstID+i)
	}
	return writeRows(w, Header, rows, o.Rough, o.Seed)
}

// generate makes one row, in Header's order.
func generate(rnd *rand.Rand, id int) []string {
	v := map[string]string{}
	rc := recipients[rnd.IntN(len(recipients))]
	sec := sectors[rnd.IntN(len(sectors))]
	work := pick(rnd, works[sec.code])
	year := 2000 + rnd.IntN(22)
	status := pick(rnd, statuses)
	flow := pick(rnd, flowTypes)

	fund := []named{pick(rnd, funders)}
	if rnd.IntN(6) == 0 {
		fund = append(fund, pick(rnd, funders))
	}
	var cofin []named
	if rnd.IntN(5) == 0 {
		for range 1 + rnd.IntN(4) {
			cofin = append(cofin, pick(rnd, cofinanciers))
		}
	}
	var impl []named
	if rnd.IntN(5) < 3 {
		for range 1 + rnd.IntN(2) {
			n := pick(rnd, implementers)
			if strings.Contains(n.name, "%s") {
				n.name = fmt.Sprintf(n.name, rc.name)
			}
			impl = append(impl, n)
		}
	}

	v["AidData Record ID"] = fmt.Sprint(id)
	v["Recommended For Aggregates"] = "Yes"
	v["Umbrella"] = "No"
	v["Financier Country"] = "China (People's Republic of)"
	v["Recipient"], v["Recipient ISO-3"], v["Recipient Region"] = rc.name, rc.iso3, rc.region
	v["Commitment Year"] = fmt.Sprint(year)
	v["Title"] = fmt.Sprintf("%s provides %s for %s Project in %s", short(fund[0].name), strings.ToLower(flow), work, rc.name)
	v["Description"] = describe(rnd, fund, work, rc, year)
	v["Status"] = status
	v["Intent"] = pick(rnd, []string{"Development", "Commercial", "Mixed", "Representational"})
	v["Flow Type"] = flow
	v["Flow Class"] = pick(rnd, []string{"ODA-like", "OOF-like", "Vague (Official Finance)"})
	v["Sector Code"], v["Sector Name"] = sec.code, sec.name
	v["Infrastructure"] = pick(rnd, []string{"Yes", "No"})
	v["COVID"] = "No"
	v["Funding Agencies"], v["Funding Agencies Type"] = join(fund)
	v["Co-financed"] = map[bool]string{true: "Yes", false: "No"}[len(cofin) > 0]
	v["Co-financing Agencies"], v["Co-financing Agencies Type"] = join(cofin)
	v["Implementing Agencies"], v["Implementing Agencies Type"] = join(impl)
	if rnd.IntN(7) > 0 { // about one row in seven has no amount, as in the samples
		currency := pick(rnd, currencies)
		if rnd.IntN(4) == 0 {
			currency = rc.currency
		}
		v["Amount (Original Currency)"] = amount(rnd, 1+rnd.IntN(9), 3)
		v["Original Currency"] = currency
		v["Amount Estimated"] = "No"
		v["Amount (Constant USD 2021)"] = amount(rnd, 1+rnd.IntN(10), 10)
		v["Amount (Nominal USD)"] = amount(rnd, 1+rnd.IntN(10), 10)
	}
	signed := date(rnd, year)
	v["Commitment Date (MM/DD/YYYY)"] = signed
	v["Commitment Date Estimated"] = "No"
	if status != "Pipeline: Pledge" && status != "Pipeline: Commitment" && rnd.IntN(3) > 0 {
		start := year + rnd.IntN(2)
		v["Implementation Start Year"] = fmt.Sprint(start)
		v["Actual Implementation Start Date (MM/DD/YYYY)"] = date(rnd, start)
		if status == "Completion" {
			end := start + 1 + rnd.IntN(4)
			v["Completion Year"] = fmt.Sprint(end)
			v["Actual Completion Date (MM/DD/YYYY)"] = date(rnd, end)
		}
	}
	n := 1 + rnd.IntN(3)
	var urls, titles []string
	for k := range n {
		urls = append(urls, fmt.Sprintf("https://example.org/gcdf/%d/source-%d", id, k+1))
		titles = append(titles, fmt.Sprintf("Report %d on project %d", k+1, id))
	}
	v["Total Source Count"] = fmt.Sprint(n)
	v["Official Source Count"] = fmt.Sprint(rnd.IntN(n + 1))
	v["Source URLs"] = strings.Join(urls, "|")
	v["Source Titles"] = strings.Join(titles, "|")
	v["ODA Eligible Recipient"] = "Yes"
	v["Location Narrative"] = "The project takes place in " + rc.name + "."
	v["Geographic Level of Precision Available"] = pick(rnd, []string{"Precise", "Approximate location", "Province/State/Governorate"})
	v["Source Quality Score"] = fmt.Sprintf("%d.%d", rnd.IntN(5), rnd.IntN(10))
	v["Data Completeness Score"] = fmt.Sprintf("%d.%d", rnd.IntN(5), rnd.IntN(10))

	out := make([]string, len(Header))
	for i, h := range Header {
		out[i] = v[h]
	}
	return out
}

func describe(rnd *rand.Rand, fund []named, work string, rc recipient, year int) string {
	s := fmt.Sprintf("In %d, %s agreed with the Government of %s to finance the %s Project. ", year, fund[0].name, rc.name, work)
	switch rnd.IntN(4) {
	case 0:
		s += "The project's purpose was to expand access to public services. "
	case 1:
		s += `A local newspaper called it "a landmark", quoting the minister. `
	case 2:
		s += "The borrower agreed to repay in semi-annual installments, with a grace period of 5 years. "
	}
	return s + "AidData has not identified the project's precise location."
}

// amount writes an exact decimal as the published files do: whole numbers
// with ".0", others with up to frac decimals, never through a float.
func amount(rnd *rand.Rand, intDigits, frac int) string {
	n := fmt.Sprint(1 + rnd.IntN(9))
	for range intDigits - 1 {
		n += fmt.Sprint(rnd.IntN(10))
	}
	if rnd.IntN(3) == 0 {
		return n + ".0"
	}
	f := ""
	for range 1 + rnd.IntN(frac) {
		f += fmt.Sprint(rnd.IntN(10))
	}
	if f = strings.TrimRight(f, "0"); f == "" {
		f = "0"
	}
	return n + "." + f
}

// date is a day of the year, as YYYY-MM-DD (Rough may rewrite it).
func date(rnd *rand.Rand, year int) string {
	return fmt.Sprintf("%04d-%02d-%02d", year, 1+rnd.IntN(12), 1+rnd.IntN(28))
}

func join(ns []named) (names, types string) {
	var a, b []string
	for _, n := range ns {
		a, b = append(a, n.name), append(b, n.typ)
	}
	return strings.Join(a, "|"), strings.Join(b, "|")
}

// short is an agency's name without its parenthesised abbreviation.
func short(name string) string {
	if i := strings.Index(name, " ("); i > 0 {
		return name[:i]
	}
	return name
}

func pick[T any](rnd *rand.Rand, xs []T) T { return xs[rnd.IntN(len(xs))] }
