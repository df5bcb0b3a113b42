package upsert

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// Participant is a partner's part in an upserted project.
type Participant struct {
	Partner      PartnerRef              `json:"partner"`
	Role         projectparticipant.Role `json:"role"`
	SharePercent *float64                `json:"sharePercent"`
}

// Project is one project to upsert, keyed by its external reference. Fields
// left nil keep their stored value; Participants and PolicyRefs, when given,
// are the whole set (an empty list removes all).
type Project struct {
	ExternalRef     string                 `json:"externalRef"`
	Title           string                 `json:"title"`
	Description     *string                `json:"description"`
	Sector          project.Sector         `json:"sector"`
	Status          *project.Status        `json:"status"`
	GreenCategory   *project.GreenCategory `json:"greenCategory"`
	Amount          *scalar.Decimal        `json:"amount"`
	Currency        *string                `json:"currency"`
	AmountUsd       *scalar.Decimal        `json:"amountUsd"`
	CommitmentYear  *int                   `json:"commitmentYear"`
	SignedOn        *scalar.Date           `json:"signedOn"`
	StartedOn       *scalar.Date           `json:"startedOn"`
	CompletedOn     *scalar.Date           `json:"completedOn"`
	City            *string                `json:"city"`
	Latitude        *float64               `json:"latitude"`
	Longitude       *float64               `json:"longitude"`
	HostCountryCode *string                `json:"hostCountryCode"`
	Participants    []*Participant         `json:"participants"`
	PolicyRefs      []string               `json:"policyRefs"`

	LocationPrecision  *project.LocationPrecision `json:"locationPrecision"`
	CountsInAggregates *bool                      `json:"countsInAggregates"`
	Umbrella           *bool                      `json:"umbrella"`
	ParentRef          *string                    `json:"parentRef"`
	GroupRef           *string                    `json:"groupRef"`
	FlowType           *string                    `json:"flowType"`
	FlowClass          *project.FlowClass         `json:"flowClass"`
	InterestRate       *scalar.Decimal            `json:"interestRate"`
	MaturityYears      *scalar.Decimal            `json:"maturityYears"`
	GracePeriodYears   *scalar.Decimal            `json:"gracePeriodYears"`
	GrantElement       *scalar.Decimal            `json:"grantElement"`

	// KeepFinerLocation leaves a stored location alone when it is more
	// precise than the item's (an import placing projects at their
	// country's point must not undo a site located since). Not in the API.
	KeepFinerLocation bool `json:"-"`
}

// ProjectResult is what happened to one item.
type ProjectResult struct {
	Index       int          `json:"index"`
	ExternalRef string       `json:"externalRef"`
	Outcome     Outcome      `json:"outcome"`
	Project     *ent.Project `json:"project"`
}

// Projects upserts a batch of projects. Run it in a transaction: on an
// error, roll back.
func Projects(ctx context.Context, c *ent.Client, items []*Project) ([]*ProjectResult, Count, error) {
	var (
		refs       []PartnerRef
		extRefs    []string
		policyRefs []string
		partners   *partnerIndex
		policies   map[string]int
		byRef      map[string]*ent.Project
	)
	return batch(items, "externalRef",
		func(_ int, it *Project) (string, error) {
			if it.ExternalRef == "" {
				return "", apperr.Invalid("externalRef", "is required: projects are upserted by it")
			}
			extRefs = append(extRefs, it.ExternalRef)
			if it.HostCountryCode != nil {
				refs = append(refs, PartnerRef{CountryCode: it.HostCountryCode})
			}
			for j, p := range it.Participants {
				if err := p.Partner.check(fmt.Sprintf("participants[%d].partner", j)); err != nil {
					return "", err
				}
				refs = append(refs, p.Partner)
			}
			policyRefs = append(policyRefs, it.PolicyRefs...)
			if it.ParentRef != nil {
				extRefs = append(extRefs, *it.ParentRef)
			}
			return it.ExternalRef, nil
		},
		func() (err error) {
			if partners, err = loadPartners(ctx, c, refs); err != nil {
				return err
			}
			if policies, err = loadPolicies(ctx, c, policyRefs); err != nil {
				return err
			}
			existing, err := c.Project.Query().
				Where(project.ExternalRefIn(extRefs...)).
				WithParticipations().
				WithPolicies(func(q *ent.OpeningPolicyQuery) { q.Select("id") }).
				All(ctx)
			if err != nil {
				return fmt.Errorf("load projects: %w", err)
			}
			byRef = make(map[string]*ent.Project, len(existing))
			for _, p := range existing {
				byRef[*p.ExternalRef] = p
			}
			return nil
		},
		func(i int, it *Project) (*ProjectResult, Outcome, error) {
			res, err := resolveRefs(it, partners, policies)
			if err != nil {
				return nil, "", err
			}
			if it.ParentRef != nil {
				parent, ok := byRef[*it.ParentRef] // stored, or upserted earlier in this call
				if !ok {
					return nil, "", apperr.Missing("parentRef", "no project has externalRef %s", *it.ParentRef)
				}
				res.parentID = &parent.ID
			}
			p, outcome, err := upsertProject(ctx, c, it, res, byRef[it.ExternalRef])
			if err != nil {
				return nil, "", err
			}
			if _, ok := byRef[it.ExternalRef]; !ok {
				byRef[it.ExternalRef] = p
			}
			return &ProjectResult{Index: i, ExternalRef: it.ExternalRef, Outcome: outcome, Project: p}, outcome, nil
		})
}

// role is one participation's key within a project.
type role struct {
	partnerID int
	role      projectparticipant.Role
}

// resolved are an item's references turned into ids.
type resolved struct {
	hostID       *int
	parentID     *int
	participants map[role]*Participant
	policyIDs    []int
}

func resolveRefs(it *Project, partners *partnerIndex, policies map[string]int) (*resolved, error) {
	r := &resolved{}
	if it.HostCountryCode != nil {
		host, err := partners.find(PartnerRef{CountryCode: it.HostCountryCode}, "hostCountryCode")
		if err != nil {
			return nil, err
		}
		r.hostID = &host.ID
	}
	if it.Participants != nil {
		r.participants = map[role]*Participant{}
		for j, p := range it.Participants {
			field := fmt.Sprintf("participants[%d].partner", j)
			found, err := partners.find(p.Partner, field)
			if err != nil {
				return nil, err
			}
			k := role{found.ID, p.Role}
			if _, dup := r.participants[k]; dup {
				return nil, apperr.Invalid(fmt.Sprintf("participants[%d].role", j), "names %s as %s twice: a partner holds each role once", p.Partner, p.Role)
			}
			r.participants[k] = p
		}
	}
	if it.PolicyRefs != nil {
		r.policyIDs = []int{}
		for j, ref := range it.PolicyRefs {
			id, ok := policies[ref]
			if !ok {
				return nil, apperr.Missing(fmt.Sprintf("policyRefs[%d]", j), "no policy has externalRef %s", ref)
			}
			if !slices.Contains(r.policyIDs, id) {
				r.policyIDs = append(r.policyIDs, id)
			}
		}
	}
	return r, nil
}

func upsertProject(ctx context.Context, c *ent.Client, it *Project, r *resolved, p *ent.Project) (*ent.Project, Outcome, error) {
	if p == nil {
		created, err := c.Project.Create().
			SetExternalRef(it.ExternalRef).
			SetTitle(it.Title).
			SetSector(it.Sector).
			SetNillableDescription(it.Description).
			SetNillableStatus(it.Status).
			SetNillableGreenCategory(it.GreenCategory).
			SetNillableAmount(it.Amount).
			SetNillableCurrency(it.Currency).
			SetNillableAmountUsd(it.AmountUsd).
			SetNillableCommitmentYear(it.CommitmentYear).
			SetNillableSignedOn(it.SignedOn).
			SetNillableStartedOn(it.StartedOn).
			SetNillableCompletedOn(it.CompletedOn).
			SetNillableCity(it.City).
			SetNillableLatitude(it.Latitude).
			SetNillableLongitude(it.Longitude).
			SetNillableHostCountryID(r.hostID).
			SetNillableLocationPrecision(it.LocationPrecision).
			SetNillableCountsInAggregates(it.CountsInAggregates).
			SetNillableUmbrella(it.Umbrella).
			SetNillableParentID(r.parentID).
			SetNillableGroupRef(it.GroupRef).
			SetNillableFlowType(it.FlowType).
			SetNillableFlowClass(it.FlowClass).
			SetNillableInterestRate(it.InterestRate).
			SetNillableMaturityYears(it.MaturityYears).
			SetNillableGracePeriodYears(it.GracePeriodYears).
			SetNillableGrantElement(it.GrantElement).
			AddPolicyIDs(r.policyIDs...).
			Save(ctx)
		if err != nil {
			return nil, "", err
		}
		if err := addParticipants(ctx, c, created.ID, r.participants); err != nil {
			return nil, "", err
		}
		return created, Created, nil
	}

	u := c.Project.UpdateOneID(p.ID)
	changed := false
	if it.Title != p.Title {
		u.SetTitle(it.Title)
		changed = true
	}
	if it.Sector != p.Sector {
		u.SetSector(it.Sector)
		changed = true
	}
	changed = setIf(it.Description, p.Description, u.SetDescription) || changed
	changed = setIf(it.Status, &p.Status, u.SetStatus) || changed
	changed = setIf(it.GreenCategory, &p.GreenCategory, u.SetGreenCategory) || changed
	changed = setDecimal(it.Amount, p.Amount, u.SetAmount) || changed
	changed = setIf(it.Currency, p.Currency, u.SetCurrency) || changed
	changed = setDecimal(it.AmountUsd, p.AmountUsd, u.SetAmountUsd) || changed
	changed = setIf(it.CommitmentYear, p.CommitmentYear, u.SetCommitmentYear) || changed
	changed = setIf(it.SignedOn, p.SignedOn, u.SetSignedOn) || changed
	changed = setIf(it.StartedOn, p.StartedOn, u.SetStartedOn) || changed
	changed = setIf(it.CompletedOn, p.CompletedOn, u.SetCompletedOn) || changed
	changed = setIf(it.City, p.City, u.SetCity) || changed
	if !it.KeepFinerLocation || !finer(p.LocationPrecision, it.LocationPrecision) {
		changed = setIf(it.Latitude, p.Latitude, u.SetLatitude) || changed
		changed = setIf(it.Longitude, p.Longitude, u.SetLongitude) || changed
		changed = setIf(it.LocationPrecision, p.LocationPrecision, u.SetLocationPrecision) || changed
	}
	changed = setIf(r.hostID, p.HostCountryID, u.SetHostCountryID) || changed
	changed = setIf(it.CountsInAggregates, &p.CountsInAggregates, u.SetCountsInAggregates) || changed
	changed = setIf(it.Umbrella, &p.Umbrella, u.SetUmbrella) || changed
	changed = setIf(r.parentID, p.ParentID, u.SetParentID) || changed
	changed = setIf(it.GroupRef, p.GroupRef, u.SetGroupRef) || changed
	changed = setIf(it.FlowType, p.FlowType, u.SetFlowType) || changed
	changed = setIf(it.FlowClass, p.FlowClass, u.SetFlowClass) || changed
	changed = setDecimal(it.InterestRate, p.InterestRate, u.SetInterestRate) || changed
	changed = setDecimal(it.MaturityYears, p.MaturityYears, u.SetMaturityYears) || changed
	changed = setDecimal(it.GracePeriodYears, p.GracePeriodYears, u.SetGracePeriodYears) || changed
	changed = setDecimal(it.GrantElement, p.GrantElement, u.SetGrantElement) || changed
	if r.policyIDs != nil {
		var have []int
		for _, pol := range p.Edges.Policies {
			have = append(have, pol.ID)
		}
		add, remove := diff(r.policyIDs, have)
		if len(add)+len(remove) > 0 {
			u.AddPolicyIDs(add...).RemovePolicyIDs(remove...)
			changed = true
		}
	}
	participantsChanged := r.participants != nil && !sameParticipants(r.participants, p.Edges.Participations)
	if !changed && !participantsChanged {
		return p, Unchanged, nil
	}
	if changed {
		var err error
		if p, err = u.Save(ctx); err != nil {
			return nil, "", err
		}
	}
	if participantsChanged {
		if err := replaceParticipants(ctx, c, p.ID, r.participants); err != nil {
			return nil, "", err
		}
	}
	return p, Updated, nil
}

func setDecimal[B any](want, have *scalar.Decimal, set func(scalar.Decimal) B) bool {
	if want == nil || (have != nil && want.Equal(have.Decimal)) {
		return false
	}
	set(*want)
	return true
}

// precisionRank orders location precisions, finest first.
var precisionRank = map[project.LocationPrecision]int{
	project.LocationPrecisionEXACT: 0, project.LocationPrecisionADMIN2: 1, project.LocationPrecisionADMIN1: 2,
	project.LocationPrecisionCITY: 3, project.LocationPrecisionCOUNTRY: 4,
}

// finer reports whether a stored precision is finer than the one offered.
func finer(stored, offered *project.LocationPrecision) bool {
	return stored != nil && offered != nil && precisionRank[*stored] < precisionRank[*offered]
}

// diff returns what to add to have and remove from it to get want.
func diff(want, have []int) (add, remove []int) {
	for _, id := range want {
		if !slices.Contains(have, id) {
			add = append(add, id)
		}
	}
	for _, id := range have {
		if !slices.Contains(want, id) {
			remove = append(remove, id)
		}
	}
	return add, remove
}

func sameParticipants(want map[role]*Participant, have []*ent.ProjectParticipant) bool {
	if len(want) != len(have) {
		return false
	}
	for _, h := range have {
		w, ok := want[role{h.PartnerID, h.Role}]
		if !ok || !sameFloat(w.SharePercent, h.SharePercent) {
			return false
		}
	}
	return true
}

func sameFloat(a, b *float64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// replaceParticipants makes the project's participations exactly want:
// roles no longer wanted are removed, shares brought up to date, new roles
// added.
func replaceParticipants(ctx context.Context, c *ent.Client, projectID int, want map[role]*Participant) error {
	have, err := c.ProjectParticipant.Query().Where(projectparticipant.ProjectID(projectID)).All(ctx)
	if err != nil {
		return err
	}
	add := maps.Clone(want)
	for _, h := range have {
		k := role{h.PartnerID, h.Role}
		w, ok := want[k]
		delete(add, k)
		switch {
		case !ok:
			if err := c.ProjectParticipant.DeleteOne(h).Exec(ctx); err != nil {
				return err
			}
		case !sameFloat(w.SharePercent, h.SharePercent):
			u := c.ProjectParticipant.UpdateOne(h)
			if w.SharePercent != nil {
				u.SetSharePercent(*w.SharePercent)
			} else {
				u.ClearSharePercent()
			}
			if err := u.Exec(ctx); err != nil {
				return err
			}
		}
	}
	return addParticipants(ctx, c, projectID, add)
}

func addParticipants(ctx context.Context, c *ent.Client, projectID int, ps map[role]*Participant) error {
	keys := slices.SortedFunc(maps.Keys(ps), func(a, b role) int { // same call, same rows
		if a.partnerID != b.partnerID {
			return cmp.Compare(a.partnerID, b.partnerID)
		}
		return cmp.Compare(a.role, b.role)
	})
	for _, k := range keys {
		err := c.ProjectParticipant.Create().
			SetProjectID(projectID).
			SetPartnerID(k.partnerID).
			SetRole(k.role).
			SetNillableSharePercent(ps[k].SharePercent).
			Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}
