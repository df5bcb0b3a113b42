package importer

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/internal/upsert"
)

// plan is a file read and mapped: the projects to write, the partners they
// need, and the rows that cannot be imported. The whole file is read before
// anything is written, so that a partner named by many rows gets the same
// values whatever the order of the batches (re-importing the file must
// change nothing), and a file with a broken header writes nothing.
type plan struct {
	rows      int
	records   []*record
	countries map[string]*country // by code
	agencies  map[string]*agency  // by external reference: the mention that names the partner
	problems  []Problem
}

// readPlan reads a whole file.
func readPlan(r io.Reader) (*plan, error) {
	t, err := openTable(r)
	if err != nil {
		return nil, err
	}
	p := &plan{countries: map[string]*country{ChinaCode: china()}, agencies: map[string]*agency{}}
	firstRow := map[string]int{} // external reference → line of the row that has it
	for {
		r, err := t.next()
		if errors.Is(err, io.EOF) {
			p.link()
			return p, nil
		}
		if err != nil {
			return nil, err
		}
		p.rows++
		rec, ps := mapRow(r)
		if len(ps) > 0 {
			p.problems = append(p.problems, ps...)
			continue
		}
		if line, dup := firstRow[rec.project.ExternalRef]; dup {
			p.problems = append(p.problems, Problem{Row: rec.num, Line: rec.line, Column: ColID,
				Reason: fmt.Sprintf("repeats the record id of row %d; the first is imported", line)})
			continue
		}
		firstRow[rec.project.ExternalRef] = rec.num
		p.add(rec)
	}
}

// add keeps a record and the partners it names. A country is named by the
// first row that has its code; an agency by its mention of lowest rank
// (funding before co-financing before implementing), the first row among
// equals, since AidData types the same agency differently from row to row.
func (p *plan) add(rec *record) {
	p.records = append(p.records, rec)
	if c := rec.recipient; c != nil {
		if _, ok := p.countries[c.code]; !ok {
			p.countries[c.code] = c
		}
	}
	for _, a := range rec.agencies {
		if a.home != nil {
			if _, ok := p.countries[a.home.code]; !ok {
				p.countries[a.home.code] = a.home
			}
		}
		if best, ok := p.agencies[a.ref]; !ok || a.rank < best.rank {
			p.agencies[a.ref] = a
		}
	}
}

// link gives the records of a group their umbrella. AidData's Parent ID
// names a group of linked records (a pledge and the commitments that
// followed it, a loan's tranches, an umbrella agreement and the
// commitments under it), not a record. When exactly one record of a group
// is an umbrella, it is the parent of the group's other records; otherwise
// (no umbrella, or several) no record of the group has a parent.
func (p *plan) link() {
	groups := map[string][]*record{}
	var order []string
	for _, rec := range p.records {
		if g := rec.project.GroupRef; g != nil {
			if _, ok := groups[*g]; !ok {
				order = append(order, *g)
			}
			groups[*g] = append(groups[*g], rec)
		}
	}
	for _, g := range order {
		var umbrella *record
		n := 0
		for _, rec := range groups[g] {
			if rec.umbrella {
				umbrella, n = rec, n+1
			}
		}
		if n != 1 {
			continue
		}
		for _, rec := range groups[g] {
			if rec != umbrella {
				ref := umbrella.project.ExternalRef
				rec.project.ParentRef = &ref
			}
		}
	}
}

// phases splits the records in two, each in file order: those without a
// parent, umbrellas among them, and then the components, written once
// every umbrella is stored (upsert finds a parent among the stored
// projects, or earlier in the same batch, and batches run at once).
func (p *plan) phases() (first, then []*record) {
	for _, rec := range p.records {
		if rec.project.ParentRef == nil {
			first = append(first, rec)
		} else {
			then = append(then, rec)
		}
	}
	return first, then
}

// unlocated counts the records to import that have no country point: no
// host country (a regional or multi-country record), or a code without a
// point.
func (p *plan) unlocated() int {
	n := 0
	for _, rec := range p.records {
		if !rec.located {
			n++
		}
	}
	return n
}

// skipped counts the rows not imported so far.
func (p *plan) skipped() int {
	rows := map[int]bool{}
	for _, pr := range p.problems {
		rows[pr.Row] = true
	}
	return len(rows)
}

// countryCodes lists the countries the file names.
func (p *plan) countryCodes() []string {
	codes := make([]string, 0, len(p.countries))
	for c := range p.countries {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// partnerItems are the partners to upsert: the countries not yet stored
// (a stored country is matched by its code and left as it is, its name and
// region being the curated ones), and the agencies, each in a fixed order.
func (p *plan) partnerItems(stored map[string]bool) (countries, agencies []*upsert.Partner) {
	for _, code := range p.countryCodes() {
		if stored[code] {
			continue
		}
		c := p.countries[code]
		countries = append(countries, &upsert.Partner{CountryCode: &c.code, Name: c.name, Kind: partner.KindCOUNTRY, Region: c.region})
	}
	refs := make([]string, 0, len(p.agencies))
	for ref := range p.agencies {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	for _, ref := range refs {
		a := p.agencies[ref]
		it := &upsert.Partner{ExternalRef: &a.ref, Name: a.name, Kind: a.kind}
		if a.home != nil {
			it.HomeCountryCode = &a.home.code
			it.Region = a.home.region
		}
		agencies = append(agencies, it)
	}
	return countries, agencies
}
