package rules

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// Partner enforces: a COUNTRY partner has a unique country code and no home
// country; other partners have no country code, and their home country is a
// COUNTRY partner; a partner that hosts projects or has members stays a
// COUNTRY.
func Partner() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.PartnerFunc(func(ctx context.Context, m *ent.PartnerMutation) (ent.Value, error) {
			if m.Op().Is(ent.OpUpdate) {
				if _, ok := m.Kind(); ok || m.CountryCodeCleared() || m.CountryIDCleared() {
					return nil, bulkUpdateRefused("kind")
				}
				if _, ok := m.CountryCode(); ok {
					return nil, bulkUpdateRefused("countryCode")
				}
				if _, ok := m.CountryID(); ok {
					return nil, bulkUpdateRefused("countryID")
				}
			} else if err := checkPartner(ctx, m); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne)
}

func checkPartner(ctx context.Context, m *ent.PartnerMutation) error {
	op := m.Op()
	kind, err := valueAfterRequired(ctx, op, m.Kind, m.OldKind)
	if err != nil {
		return err
	}
	code, err := valueAfter(ctx, op, m.CountryCode, m.CountryCodeCleared(), m.OldCountryCode)
	if err != nil {
		return err
	}
	countryID, err := valueAfter(ctx, op, m.CountryID, m.CountryIDCleared(), m.OldCountryID)
	if err != nil {
		return err
	}
	c := m.Client()
	if kind == partner.KindCOUNTRY {
		if code == nil {
			return apperr.Invalid("countryCode", "is required for a COUNTRY partner")
		}
		if countryID != nil {
			return apperr.Invalid("countryID", "a COUNTRY partner has no home country")
		}
	} else {
		if code != nil {
			return apperr.Invalid("countryCode", "only COUNTRY partners have a country code; give a %s partner's home country as countryID", kind)
		}
		if len(m.HostedProjectsIDs()) > 0 {
			return apperr.Invalid("addHostedProjectIDs", "only a COUNTRY partner can host projects")
		}
		if len(m.MembersIDs()) > 0 {
			return apperr.Invalid("addMemberIDs", "only a COUNTRY partner is a home country with members")
		}
		if _, changed := m.Kind(); changed && op.Is(ent.OpUpdateOne) {
			old, err := m.OldKind(ctx)
			if err != nil {
				return err
			}
			id, _ := m.ID()
			if old == partner.KindCOUNTRY {
				if err := stillHostsOrHasMembers(ctx, c, id, kind); err != nil {
					return err
				}
			}
		}
	}
	if v, ok := m.CountryCode(); ok {
		q := c.Partner.Query().Where(partner.CountryCode(v))
		if id, ok := m.ID(); ok {
			q = q.Where(partner.IDNEQ(id))
		}
		other, err := q.FirstID(ctx)
		switch {
		case err == nil:
			return &apperr.Error{Code: apperr.Conflict, Field: "countryCode",
				Message:    fmt.Sprintf("%s is already the country code of partner %s", v, globalid.Encode(other)),
				Extensions: map[string]any{"existingID": globalid.Encode(other)}}
		case !ent.IsNotFound(err):
			return fmt.Errorf("check countryCode: %w", err)
		}
	}
	if v, ok := m.CountryID(); ok {
		if id, ok := m.ID(); ok && id == v {
			return apperr.Invalid("countryID", "a partner cannot be its own home country")
		}
		if err := requireCountry(ctx, c, "countryID", v); err != nil {
			return err
		}
	}
	if err := checkRefs(ctx, c, "addHostedProjectIDs", globalid.Project, m.HostedProjectsIDs()); err != nil {
		return err
	}
	if err := checkRefs(ctx, c, "addMemberIDs", globalid.Partner, m.MembersIDs()); err != nil {
		return err
	}
	return checkRefs(ctx, c, "addPolicyIDs", globalid.Policy, m.PoliciesIDs())
}

// stillHostsOrHasMembers refuses to turn a COUNTRY partner into another kind
// while projects are located in it or partners call it home.
func stillHostsOrHasMembers(ctx context.Context, c *ent.Client, id int, kind partner.Kind) error {
	hosts, err := c.Project.Query().Where(project.HostCountryID(id)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("check hosted projects: %w", err)
	}
	if hosts {
		return apperr.Conflicting("kind", "the partner hosts projects, so it must stay a COUNTRY, not become %s", kind)
	}
	members, err := c.Partner.Query().Where(partner.CountryID(id)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("check members: %w", err)
	}
	if members {
		return apperr.Conflicting("kind", "other partners name this partner as their home country, so it must stay a COUNTRY, not become %s", kind)
	}
	return nil
}
