package rules

import (
	"context"
	"fmt"
	"slices"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// checkRefs verifies that every id in ids names an existing object of type
// want, so that a mutation linking to a missing or wrong-type object fails
// with a clear error before anything is written.
func checkRefs(ctx context.Context, c *ent.Client, field, want string, ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for _, id := range ids {
		if got := globalid.TypeOf(id); got != want {
			return apperr.Invalid(field, "%s is not the id of a %s", globalid.Encode(id), want)
		}
	}
	memo := memoFrom(ctx)
	if want != globalid.Policy && memo.known(ids) {
		return nil
	}
	var (
		n   int
		err error
	)
	switch want {
	case globalid.Partner:
		n, err = c.Partner.Query().Where(partner.IDIn(ids...)).Count(ctx)
	case globalid.Project:
		n, err = c.Project.Query().Where(project.IDIn(ids...)).Count(ctx)
	case globalid.Policy:
		n, err = c.OpeningPolicy.Query().Where(openingpolicy.IDIn(ids...)).Count(ctx)
	default:
		return fmt.Errorf("checkRefs: no lookup for type %s", want)
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", field, err)
	}
	if n != len(ids) {
		if len(ids) == 1 {
			return apperr.Missing(field, "no %s has the id %s", want, globalid.Encode(ids[0]))
		}
		return apperr.Missing(field, "some of the given ids name no %s", want)
	}
	if want != globalid.Policy {
		memo.found(ids)
	}
	return nil
}

// requireCountry verifies that id names an existing COUNTRY partner.
func requireCountry(ctx context.Context, c *ent.Client, field string, id int) error {
	if err := checkRefs(ctx, c, field, globalid.Partner, []int{id}); err != nil {
		return err
	}
	kind, err := c.Partner.Query().Where(partner.ID(id)).Select(partner.FieldKind).String(ctx)
	if err != nil {
		return fmt.Errorf("check %s: %w", field, err)
	}
	if partner.Kind(kind) != partner.KindCOUNTRY {
		return apperr.Invalid(field, "partner %s is a %s, not a COUNTRY", globalid.Encode(id), kind)
	}
	return nil
}
