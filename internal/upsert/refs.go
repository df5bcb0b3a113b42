package upsert

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/predicate"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// PartnerRef names a partner by exactly one of its id, its country code (for
// COUNTRY partners) or its external reference.
type PartnerRef struct {
	ID          *int    `json:"id"`
	CountryCode *string `json:"countryCode"`
	ExternalRef *string `json:"externalRef"`
}

func (r PartnerRef) String() string {
	switch {
	case r.ID != nil:
		return "id " + globalid.Encode(*r.ID)
	case r.CountryCode != nil:
		return "countryCode " + *r.CountryCode
	case r.ExternalRef != nil:
		return "externalRef " + *r.ExternalRef
	}
	return "nothing"
}

func (r PartnerRef) check(field string) error {
	n := 0
	for _, set := range []bool{r.ID != nil, r.CountryCode != nil, r.ExternalRef != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return apperr.Invalid(field, "name the partner by exactly one of id, countryCode and externalRef")
	}
	return nil
}

// partnerIndex finds partners by any of their keys.
type partnerIndex struct {
	byID, byCode, byRef map[string]*ent.Partner
}

// loadPartners fetches, in one query, every partner the refs name.
func loadPartners(ctx context.Context, c *ent.Client, refs []PartnerRef) (*partnerIndex, error) {
	idx := &partnerIndex{byID: map[string]*ent.Partner{}, byCode: map[string]*ent.Partner{}, byRef: map[string]*ent.Partner{}}
	var ids []int
	var codes, exts []string
	for _, r := range refs {
		switch {
		case r.ID != nil:
			ids = append(ids, *r.ID)
		case r.CountryCode != nil:
			codes = append(codes, *r.CountryCode)
		case r.ExternalRef != nil:
			exts = append(exts, *r.ExternalRef)
		}
	}
	if len(ids)+len(codes)+len(exts) == 0 {
		return idx, nil
	}
	var or []predicate.Partner
	if len(ids) > 0 {
		or = append(or, partner.IDIn(ids...))
	}
	if len(codes) > 0 {
		or = append(or, partner.CountryCodeIn(codes...))
	}
	if len(exts) > 0 {
		or = append(or, partner.ExternalRefIn(exts...))
	}
	found, err := c.Partner.Query().Where(partner.Or(or...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load partners: %w", err)
	}
	for _, p := range found {
		idx.byID[fmt.Sprint(p.ID)] = p
		if p.CountryCode != nil {
			idx.byCode[*p.CountryCode] = p
		}
		if p.ExternalRef != nil {
			idx.byRef[*p.ExternalRef] = p
		}
	}
	return idx, nil
}

func (x *partnerIndex) find(r PartnerRef, field string) (*ent.Partner, error) {
	var p *ent.Partner
	switch {
	case r.ID != nil:
		p = x.byID[fmt.Sprint(*r.ID)]
	case r.CountryCode != nil:
		p = x.byCode[*r.CountryCode]
	case r.ExternalRef != nil:
		p = x.byRef[*r.ExternalRef]
	}
	if p == nil {
		return nil, apperr.Missing(field, "no partner has %s", r)
	}
	return p, nil
}

// add makes a partner created in this batch findable by later items.
func (x *partnerIndex) add(p *ent.Partner) {
	x.byID[fmt.Sprint(p.ID)] = p
	if p.CountryCode != nil {
		x.byCode[*p.CountryCode] = p
	}
	if p.ExternalRef != nil {
		x.byRef[*p.ExternalRef] = p
	}
}

// loadPolicies fetches the policies with the given external references.
func loadPolicies(ctx context.Context, c *ent.Client, refs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(refs) == 0 {
		return out, nil
	}
	found, err := c.OpeningPolicy.Query().Where(openingpolicy.ExternalRefIn(refs...)).Select(openingpolicy.FieldID, openingpolicy.FieldExternalRef).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	for _, p := range found {
		out[*p.ExternalRef] = p.ID
	}
	return out, nil
}
