package upsert

import (
	"context"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// Partner is one partner to upsert. A COUNTRY partner is keyed by its
// country code, any other by its external reference. Fields left nil keep
// their stored value.
type Partner struct {
	CountryCode     *string         `json:"countryCode"`
	ExternalRef     *string         `json:"externalRef"`
	Name            string          `json:"name"`
	LocalName       *string         `json:"localName"`
	Kind            partner.Kind    `json:"kind"`
	Region          *partner.Region `json:"region"`
	BriSignedOn     *scalar.Date    `json:"briSignedOn"`
	Website         *string         `json:"website"`
	Description     *string         `json:"description"`
	HomeCountryCode *string         `json:"homeCountryCode"`
}

// key is the reference the item is upserted by.
func (p *Partner) key(field string) (PartnerRef, error) {
	if p.Kind == partner.KindCOUNTRY {
		if p.CountryCode == nil {
			return PartnerRef{}, apperr.Invalid(field+".countryCode", "is required: a COUNTRY partner is upserted by its country code")
		}
		return PartnerRef{CountryCode: p.CountryCode}, nil
	}
	if p.ExternalRef == nil {
		return PartnerRef{}, apperr.Invalid(field+".externalRef", "is required: a %s partner is upserted by its external reference", p.Kind)
	}
	return PartnerRef{ExternalRef: p.ExternalRef}, nil
}

// PartnerResult is what happened to one item.
type PartnerResult struct {
	Index   int          `json:"index"`
	Key     string       `json:"key"`
	Outcome Outcome      `json:"outcome"`
	Partner *ent.Partner `json:"partner"`
}

// Partners upserts a batch of partners. Run it in a transaction: on an
// error, roll back.
func Partners(ctx context.Context, c *ent.Client, items []*Partner) ([]*PartnerResult, Count, error) {
	var refs []PartnerRef
	keys := make([]PartnerRef, len(items))
	var idx *partnerIndex
	return batch(items, "",
		func(i int, it *Partner) (string, error) {
			k, err := it.key("")
			if err != nil {
				return "", stripDot(err)
			}
			keys[i] = k
			refs = append(refs, k)
			if it.HomeCountryCode != nil {
				refs = append(refs, PartnerRef{CountryCode: it.HomeCountryCode})
			}
			return k.String(), nil
		},
		func() (err error) {
			idx, err = loadPartners(ctx, c, refs)
			return err
		},
		func(i int, it *Partner) (*PartnerResult, Outcome, error) {
			var homeID *int
			if it.HomeCountryCode != nil {
				home, err := idx.find(PartnerRef{CountryCode: it.HomeCountryCode}, "homeCountryCode")
				if err != nil {
					return nil, "", err
				}
				homeID = &home.ID
			}
			existing, _ := idx.find(keys[i], "")
			p, outcome, err := upsertPartner(ctx, c, it, existing, homeID)
			if err != nil {
				return nil, "", err
			}
			idx.add(p)
			return &PartnerResult{Index: i, Key: keys[i].String(), Outcome: outcome, Partner: p}, outcome, nil
		})
}

func upsertPartner(ctx context.Context, c *ent.Client, it *Partner, p *ent.Partner, homeID *int) (*ent.Partner, Outcome, error) {
	if p == nil {
		created, err := c.Partner.Create().
			SetName(it.Name).
			SetKind(it.Kind).
			SetNillableCountryCode(it.CountryCode).
			SetNillableExternalRef(it.ExternalRef).
			SetNillableLocalName(it.LocalName).
			SetNillableRegion(it.Region).
			SetNillableBriSignedOn(it.BriSignedOn).
			SetNillableWebsite(it.Website).
			SetNillableDescription(it.Description).
			SetNillableCountryID(homeID).
			Save(ctx)
		return created, Created, err
	}
	u := c.Partner.UpdateOneID(p.ID)
	changed := false
	if it.Name != p.Name {
		u.SetName(it.Name)
		changed = true
	}
	if it.Kind != p.Kind {
		u.SetKind(it.Kind)
		changed = true
	}
	changed = setIf(it.CountryCode, p.CountryCode, u.SetCountryCode) || changed
	changed = setIf(it.ExternalRef, p.ExternalRef, u.SetExternalRef) || changed
	changed = setIf(it.LocalName, p.LocalName, u.SetLocalName) || changed
	changed = setIf(it.Region, p.Region, u.SetRegion) || changed
	changed = setIf(it.BriSignedOn, p.BriSignedOn, u.SetBriSignedOn) || changed
	changed = setIf(it.Website, p.Website, u.SetWebsite) || changed
	changed = setIf(it.Description, p.Description, u.SetDescription) || changed
	changed = setIf(homeID, p.CountryID, u.SetCountryID) || changed
	if !changed {
		return p, Unchanged, nil
	}
	updated, err := u.Save(ctx)
	return updated, Updated, err
}

// setIf sets a field when the item gives a value that differs from the
// stored one, and reports whether it did.
func setIf[T comparable, B any](want, have *T, set func(T) B) bool {
	if want == nil || (have != nil && *want == *have) {
		return false
	}
	set(*want)
	return true
}

// stripDot drops the leading "." of a field named relative to the item.
func stripDot(err error) error {
	if ae, ok := apperr.As(err); ok && len(ae.Field) > 0 && ae.Field[0] == '.' {
		c := *ae
		c.Field = c.Field[1:]
		return &c
	}
	return err
}
