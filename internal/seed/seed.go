// Package seed fills an empty database with a demo dataset: Shandong
// province's Belt and Road partners, projects and opening-up policies. The
// data (data.go) draws on public reporting but is sample data: amounts are
// rounded, several projects are invented, and nothing in it is an official
// figure. It is fixed, so every run writes the same content.
package seed

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/internal/auth"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/geo"
	"github.com/bri-tracker/bri-tracker/internal/rules"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// Stats reports what Run created.
type Stats struct {
	// Created is false when the database already held partners and Run
	// wrote nothing.
	Created bool
	// Partners, Projects, Policies and Participations count the rows
	// created.
	Partners, Projects, Policies, Participations int
}

// Run fills an empty database with the demo dataset and reports what it
// created. It does nothing (and returns Created=false) when any partner
// already exists. It writes everything in one transaction, so a failure
// leaves the database as it was.
func Run(ctx context.Context, client *ent.Client) (Stats, error) {
	ctx = auth.SystemContext(ctx, "seed")
	tx, err := client.Tx(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("seed: begin transaction: %w", err)
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			panic(v)
		}
	}()
	ctx = rules.WithTxMemo(ent.NewTxContext(ctx, tx))
	s := &seeder{c: tx.Client(), ids: map[string]int{}, regions: map[string]partner.Region{}}
	if err := s.run(ctx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			err = fmt.Errorf("%w (rollback: %v)", err, rerr)
		}
		return Stats{}, err
	}
	if err := tx.Commit(); err != nil {
		_ = tx.Rollback() // a commit hook refused: release the transaction's locks now
		return Stats{}, fmt.Errorf("seed: commit: %w", err)
	}
	return s.stats, nil
}

// seeder turns the data's keys into database ids as it writes.
type seeder struct {
	c       *ent.Client // bound to the transaction
	ids     map[string]int
	regions map[string]partner.Region // of COUNTRY partners, by key
	stats   Stats
}

func (s *seeder) run(ctx context.Context) error {
	// Checked inside the transaction so that two concurrent runs cannot
	// both find the database empty (SQLite transactions lock on begin).
	exists, err := s.c.Partner.Query().Exist(ctx)
	if err != nil {
		return fmt.Errorf("seed: look for partners: %w", err)
	}
	if exists {
		return nil
	}
	// Rows are created one at a time where later rows need their ids: a bulk
	// insert hands ids back in RETURNING order, which neither SQLite nor
	// PostgreSQL promises. Countries come first, as everything points at them.
	for _, d := range countries {
		if err := s.country(ctx, d); err != nil {
			return fmt.Errorf("seed partner %q: %w", d.name, err)
		}
	}
	for _, d := range orgs {
		if err := s.org(ctx, d); err != nil {
			return fmt.Errorf("seed partner %q: %w", d.name, err)
		}
	}
	projectIDs := make(map[string]int, len(projects))
	for _, d := range projects {
		id, err := s.project(ctx, d, projectIDs)
		if err != nil {
			return fmt.Errorf("seed project %q: %w", d.title, err)
		}
		if err := addKey(projectIDs, d.key, id); err != nil {
			return fmt.Errorf("seed project %q: %w", d.title, err)
		}
	}
	policyIDs := make(map[string]int, len(policies))
	for _, d := range policies {
		id, err := s.policy(ctx, d, projectIDs)
		if err != nil {
			return fmt.Errorf("seed policy %q: %w", d.title, err)
		}
		if err := addKey(policyIDs, d.key, id); err != nil {
			return fmt.Errorf("seed policy %q: %w", d.title, err)
		}
	}
	// A policy can only name its successor once both exist.
	for _, d := range policies {
		if d.supersededBy == "" {
			continue
		}
		newer, err := lookup(policyIDs, "policy", d.supersededBy)
		if err != nil {
			return fmt.Errorf("seed policy %q: superseded by: %w", d.title, err)
		}
		if err := s.c.OpeningPolicy.UpdateOneID(policyIDs[d.key]).SetSupersededByID(newer).Exec(ctx); err != nil {
			return fmt.Errorf("seed policy %q: superseded by %q: %w", d.title, d.supersededBy, err)
		}
	}
	s.stats.Created = true
	return nil
}

func (s *seeder) country(ctx context.Context, d countrySeed) error {
	var p parser
	signed := p.date(d.briSigned)
	if p.err != nil {
		return p.err
	}
	created, err := s.c.Partner.Create().
		SetName(d.name).
		SetNillableLocalName(optional(d.localName)).
		SetKind(partner.KindCOUNTRY).
		SetCountryCode(d.code).
		SetRegion(d.region).
		SetNillableBriSignedOn(signed).
		Save(ctx)
	if err != nil {
		return err
	}
	s.regions[d.code] = d.region
	return s.addPartner(d.code, created.ID)
}

func (s *seeder) org(ctx context.Context, d orgSeed) error {
	create := s.c.Partner.Create().
		SetName(d.name).
		SetNillableLocalName(optional(d.localName)).
		SetKind(d.kind).
		SetNillableWebsite(optional(d.website)).
		SetNillableDescription(optional(d.about))
	region := d.region
	if d.country != "" {
		countryID, err := s.partnerID(d.country)
		if err != nil {
			return fmt.Errorf("home country: %w", err)
		}
		create.SetCountryID(countryID)
		if region == "" {
			region = s.regions[d.country]
		}
	}
	if region != "" {
		create.SetRegion(region)
	}
	created, err := create.Save(ctx)
	if err != nil {
		return err
	}
	return s.addPartner(d.key, created.ID)
}

func (s *seeder) project(ctx context.Context, d projectSeed, projectIDs map[string]int) (int, error) {
	hostID, err := s.partnerID(d.host)
	if err != nil {
		return 0, fmt.Errorf("host country: %w", err)
	}
	var parentID *int
	if d.parent != "" {
		id, err := lookup(projectIDs, "project", d.parent)
		if err != nil {
			return 0, fmt.Errorf("umbrella: %w", err)
		}
		parentID = &id
	}
	lat, lng := d.lat, d.lng
	if d.precision == project.LocationPrecisionCOUNTRY && lat == 0 && lng == 0 {
		var ok bool
		if lng, lat, ok = geo.CountryPoint(d.host); !ok {
			return 0, fmt.Errorf("no representative point for country %s", d.host)
		}
	}
	var precision *project.LocationPrecision
	if d.precision != "" {
		precision = &d.precision
	}
	var flowClass *project.FlowClass
	if d.flowClass != "" {
		flowClass = &d.flowClass
	}
	usd := d.amountUSD
	if usd == "" && d.currency == "USD" {
		usd = d.amount
	}
	var p parser
	amount, amountUSD := p.decimal(d.amount), p.decimal(usd)
	signed, started, completed := p.date(d.signed), p.date(d.started), p.date(d.completed)
	rate, maturity, grace, grantElement := p.decimal(d.rate), p.decimal(d.maturity), p.decimal(d.grace), p.decimal(d.grantElement)
	if p.err != nil {
		return 0, p.err
	}
	create := s.c.Project.Create()
	if d.geometry != "" {
		create.SetGeometry(scalar.GeoJSON(d.geometry)) // its point is on its surface
	} else {
		create.SetLatitude(lat).SetLongitude(lng)
	}
	created, err := create.
		SetTitle(d.title).
		SetNillableDescription(optional(d.about)).
		SetSector(d.sector).
		SetStatus(d.status).
		SetGreenCategory(d.green).
		SetNillableAmount(amount).
		SetNillableCurrency(optional(d.currency)).
		SetNillableAmountUsd(amountUSD).
		SetNillableCommitmentYear(optionalInt(d.year)).
		SetNillableSignedOn(signed).
		SetNillableStartedOn(started).
		SetNillableCompletedOn(completed).
		SetNillableCity(optional(d.city)).
		SetNillableLocationPrecision(precision).
		SetHostCountryID(hostID).
		SetUmbrella(d.umbrella).
		SetCountsInAggregates(!d.notCounted).
		SetNillableParentID(parentID).
		SetNillableFlowType(optional(d.flowType)).
		SetNillableFlowClass(flowClass).
		SetNillableInterestRate(rate).
		SetNillableMaturityYears(maturity).
		SetNillableGracePeriodYears(grace).
		SetNillableGrantElement(grantElement).
		Save(ctx)
	if err != nil {
		return 0, err
	}
	// The participants' ids are not needed later, so one bulk insert per
	// project will do.
	builders := make([]*ent.ProjectParticipantCreate, 0, len(d.parts))
	for _, pt := range d.parts {
		partnerID, err := s.partnerID(pt.partner)
		if err != nil {
			return 0, fmt.Errorf("participant: %w", err)
		}
		var share *float64
		if pt.share > 0 {
			share = &pt.share
		}
		builders = append(builders, s.c.ProjectParticipant.Create().
			SetProjectID(created.ID).
			SetPartnerID(partnerID).
			SetRole(pt.role).
			SetNillableSharePercent(share))
	}
	if err := s.c.ProjectParticipant.CreateBulk(builders...).Exec(ctx); err != nil {
		return 0, fmt.Errorf("participants: %w", err)
	}
	s.stats.Projects++
	s.stats.Participations += len(builders)
	return created.ID, nil
}

func (s *seeder) policy(ctx context.Context, d policySeed, projectIDs map[string]int) (int, error) {
	var p parser
	issued, from, until := p.date(d.issued), p.date(d.effectiveFrom), p.date(d.effectiveUntil)
	if p.err != nil {
		return 0, p.err
	}
	status := d.status
	if status == "" {
		status = openingpolicy.DefaultStatus
	}
	linkedProjects := make([]int, 0, len(d.projects))
	for _, key := range d.projects {
		id, err := lookup(projectIDs, "project", key)
		if err != nil {
			return 0, err
		}
		linkedProjects = append(linkedProjects, id)
	}
	linkedPartners := make([]int, 0, len(d.partners))
	for _, key := range d.partners {
		id, err := s.partnerID(key)
		if err != nil {
			return 0, err
		}
		linkedPartners = append(linkedPartners, id)
	}
	created, err := s.c.OpeningPolicy.Create().
		SetTitle(d.title).
		SetNillableSummary(optional(d.summary)).
		SetNillableDocumentNumber(optional(d.number)).
		SetNillableIssuingAuthority(optional(d.authority)).
		SetLevel(d.level).
		SetCategory(d.category).
		SetStatus(status).
		SetNillableIssuedOn(issued).
		SetNillableEffectiveFrom(from).
		SetNillableEffectiveUntil(until).
		SetNillableURL(optional(d.url)).
		AddProjectIDs(linkedProjects...).
		AddPartnerIDs(linkedPartners...).
		Save(ctx)
	if err != nil {
		return 0, err
	}
	s.stats.Policies++
	return created.ID, nil
}

func (s *seeder) addPartner(key string, id int) error {
	if err := addKey(s.ids, key, id); err != nil {
		return err
	}
	s.stats.Partners++
	return nil
}

func (s *seeder) partnerID(key string) (int, error) {
	return lookup(s.ids, "partner", key)
}

// addKey records a key's id, refusing duplicates: a repeated key in the data
// would make references to it ambiguous.
func addKey(ids map[string]int, key string, id int) error {
	if _, dup := ids[key]; dup {
		return fmt.Errorf("key %q is used twice", key)
	}
	ids[key] = id
	return nil
}

func lookup(ids map[string]int, what, key string) (int, error) {
	id, ok := ids[key]
	if !ok {
		return 0, fmt.Errorf("no %s has the key %q", what, key)
	}
	return id, nil
}

// parser reads the data's text dates and amounts, keeping the first error so
// that a row's fields can be parsed in one go and checked once.
type parser struct{ err error }

// date parses YYYY-MM-DD; empty text is no date.
func (p *parser) date(s string) *scalar.Date {
	if s == "" || p.err != nil {
		return nil
	}
	d, err := scalar.ParseDate(s)
	if err != nil {
		p.err = err
		return nil
	}
	return &d
}

// decimal parses an exact decimal; empty text is no amount.
func (p *parser) decimal(s string) *scalar.Decimal {
	if s == "" || p.err != nil {
		return nil
	}
	d, err := scalar.ParseDecimal(s)
	if err != nil {
		p.err = err
		return nil
	}
	return &d
}

// optional maps the data's empty strings to unset fields (NULL), not to
// empty values.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optionalInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}
