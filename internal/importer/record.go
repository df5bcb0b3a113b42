package importer

import (
	"fmt"
	"strings"

	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/upsert"
)

// ProjectRefPrefix starts every imported project's external reference,
// followed by the AidData record id.
const ProjectRefPrefix = "aiddata:"

// GroupRefPrefix starts the group reference of a record that has an
// AidData Parent ID, followed by that id.
const GroupRefPrefix = "aiddata:parent:"

// The schema's text limits, in bytes.
const (
	maxTitle       = 500
	maxDescription = 50000
	maxFlowType    = 200
)

// record is a row mapped: the project to upsert and the partners it names.
type record struct {
	line      int // the file line the record starts on
	num       int // its spreadsheet row
	project   *upsert.Project
	recipient *country
	agencies  []*agency
	umbrella  bool // the row says Umbrella: Yes
	located   bool // placed at its host country's point
}

// mapRow maps a row, or says everything that is wrong with it.
func mapRow(r *row) (*record, []Problem) {
	ps := &problems{row: r.num, line: r.line}
	if len(r.cells) != len(r.header) {
		ps.add("", fmt.Errorf("has %d fields; the header has %d", len(r.cells), len(r.header)))
		return nil, ps.list
	}
	if col, ok := r.invalidUTF8(); ok {
		// PostgreSQL refuses such text, failing a whole batch; it comes from
		// files saved in a legacy encoding
		ps.add(col, fmt.Errorf("is not UTF-8 text: save the file as UTF-8"))
		return nil, ps.list
	}
	id, err := parseRecordID(r.get(ColID))
	ps.add(ColID, err)
	title := r.get(ColTitle)
	if title == "" {
		ps.add(ColTitle, fmt.Errorf("is empty: a project needs a title"))
	}
	status, err := mapStatus(r.get(ColStatus))
	ps.add(ColStatus, err)
	amount, err := parseAmount(r.get(ColAmount))
	ps.add(ColAmount, err)
	currency := strings.ToUpper(r.get(ColCurrency))
	switch {
	case currency != "" && !iso3.MatchString(currency):
		ps.add(ColCurrency, fmt.Errorf("%q is not an ISO 4217 code such as USD", clip(currency)))
	case currency == "" && amount != nil:
		ps.add(ColCurrency, fmt.Errorf("is empty, but %s is given: an amount needs its currency", ColAmount))
	}
	amountUSD, err := parseAmount(r.get(ColAmountUSD))
	ps.add(ColAmountUSD, err)
	year, err := parseYear(r.get(ColCommitmentYear))
	ps.add(ColCommitmentYear, err)
	signed, err := parseDate(r.get(ColSignedOn))
	ps.add(ColSignedOn, err)
	started, err := parseDate(r.get(ColStartedOn))
	ps.add(ColStartedOn, err)
	completed, err := parseDate(r.get(ColCompletedOn))
	ps.add(ColCompletedOn, err)
	if started != nil && completed != nil && completed.Before(*started) {
		ps.add(ColCompletedOn, fmt.Errorf("%s is before the actual implementation start date %s", completed, started))
	}
	counts, err := parseYesNo(r.get(ColAggregates))
	ps.add(ColAggregates, err)
	umbrella, err := parseYesNo(r.get(ColUmbrella))
	ps.add(ColUmbrella, err)
	parentID, err := parseParentID(r.get(ColParentID))
	ps.add(ColParentID, err)
	flowType := r.get(ColFlowType)
	if len(flowType) > maxFlowType {
		ps.add(ColFlowType, fmt.Errorf("is %d bytes long, over the limit of %d", len(flowType), maxFlowType))
	}
	flowClass, err := mapFlowClass(r.get(ColFlowClass))
	ps.add(ColFlowClass, err)
	interest, err := parseTerm(r.get(ColInterestRate))
	ps.add(ColInterestRate, err)
	maturity, err := parseTerm(r.get(ColMaturity))
	ps.add(ColMaturity, err)
	grace, err := parseTerm(r.get(ColGracePeriod))
	ps.add(ColGracePeriod, err)
	grantElement, err := parseTerm(r.get(ColGrantElement))
	ps.add(ColGrantElement, err)
	if len(ps.list) > 0 {
		return nil, ps.list
	}

	description := r.get(ColDescription)
	sector, oecd := mapSector(r.get(ColSectorName), r.get(ColSectorCode), title)
	oecdCode := ""
	if oecd != nil {
		oecdCode = oecd.Code
	}
	green := greenCategory(oecdCode, title, description)
	rec := &record{
		line:      r.line,
		num:       r.num,
		recipient: recipientCountry(r.get(ColRecipient), r.get(ColRecipientISO3), r.get(ColRecipientRegion)),
	}
	rec.agencies = agenciesOf(r, rec.recipient)
	p := &upsert.Project{
		ExternalRef:    ProjectRefPrefix + id,
		Title:          truncate(title, maxTitle),
		Description:    describe(description, splitList(r.get(ColSourceURLs))),
		Sector:         sector,
		Status:         &status,
		GreenCategory:  &green,
		Amount:         amount,
		AmountUsd:      amountUSD,
		CommitmentYear: year,
		SignedOn:       signed,
		StartedOn:      started,
		CompletedOn:    completed,
		Participants:   participants(rec.recipient, rec.agencies),

		CountsInAggregates: counts,
		Umbrella:           umbrella,
		FlowClass:          flowClass,
		InterestRate:       interest,
		MaturityYears:      maturity,
		GracePeriodYears:   grace,
		GrantElement:       grantElement,
	}
	rec.umbrella = umbrella != nil && *umbrella
	if counts == nil && rec.umbrella {
		// as the schema does for new projects: an umbrella agreement's money
		// is counted through the commitments recorded under it
		no := false
		p.CountsInAggregates = &no
	}
	if parentID != "" {
		group := GroupRefPrefix + parentID
		p.GroupRef = &group
	}
	if flowType != "" {
		p.FlowType = &flowType
	}
	if currency != "" {
		p.Currency = &currency
	}
	if rec.recipient != nil {
		p.HostCountryCode = &rec.recipient.code
	}
	rec.located = placeInCountry(p, rec.recipient)
	rec.project = p
	return rec, nil
}

// participants are the host country's government and the agencies, each
// agency in every role its columns give it (an agency that funds and
// implements a project is its FINANCIER and its IMPLEMENTER), each role
// once (an agency named twice in a column, or in both receiving columns,
// holds the role once). The list is never nil: it is the project's whole
// set, so a newer file that drops an agency or a role removes it.
func participants(host *country, agencies []*agency) []*upsert.Participant {
	out := []*upsert.Participant{}
	if host != nil {
		code := host.code
		out = append(out, &upsert.Participant{Partner: upsert.PartnerRef{CountryCode: &code}, Role: projectparticipant.RoleHOST_GOVERNMENT})
	}
	type held struct {
		ref  string
		role projectparticipant.Role
	}
	seen := map[held]bool{}
	for _, a := range agencies {
		if seen[held{a.ref, a.role}] {
			continue
		}
		seen[held{a.ref, a.role}] = true
		ref := a.ref
		out = append(out, &upsert.Participant{Partner: upsert.PartnerRef{ExternalRef: &ref}, Role: a.role})
	}
	return out
}

// describe is the project's description: AidData's, followed by its source
// URLs (the schema has no list of links on projects), one a line under
// "Sources:". Over the schema's limit, the description is cut, not the
// sources.
func describe(description string, urls []string) *string {
	var sources []string
	for _, u := range urls {
		if u != "" {
			sources = append(sources, u)
		}
	}
	tail := ""
	if len(sources) > 0 {
		tail = "Sources:\n" + strings.Join(sources, "\n")
	}
	if len(tail) >= maxDescription {
		tail = truncate(tail, maxDescription)
		return &tail
	}
	text := tail
	if description != "" {
		room := maxDescription - len(tail)
		if tail != "" {
			room -= 2
		}
		text = truncate(description, room)
		if tail != "" {
			text += "\n\n" + tail
		}
	}
	if text == "" {
		return nil
	}
	return &text
}
