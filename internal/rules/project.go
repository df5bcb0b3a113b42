package rules

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// Project enforces: amounts are not negative and an amount has a currency;
// a project is not completed before it started; its host country is a
// COUNTRY partner; linked policies exist.
func Project() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.ProjectFunc(func(ctx context.Context, m *ent.ProjectMutation) (ent.Value, error) {
			memo := memoFrom(ctx)
			if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
				memo.forget()
				return next.Mutate(ctx, m)
			}
			if err := checkProject(ctx, m); err != nil {
				return nil, err
			}
			v, err := next.Mutate(ctx, m)
			if p, ok := v.(*ent.Project); ok && err == nil && m.Op().Is(ent.OpCreate) {
				memo.created(p.ID)
			}
			return v, err
		})
	}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne)
}

func checkProject(ctx context.Context, m *ent.ProjectMutation) error {
	op := m.Op()
	if v, ok := m.Amount(); ok && v.IsNegative() {
		return apperr.Invalid("amount", "must not be negative, got %s", v.String())
	}
	if v, ok := m.AmountUsd(); ok && v.IsNegative() {
		return apperr.Invalid("amountUsd", "must not be negative, got %s", v.String())
	}
	if err := checkTerms(m); err != nil {
		return err
	}
	if to, ok := m.Status(); ok && !isAdmin(ctx) {
		if op.Is(ent.OpUpdate) {
			return bulkUpdateRefused("status")
		}
		if op.Is(ent.OpUpdateOne) {
			from, err := m.OldStatus(ctx)
			if err != nil {
				return err
			}
			if err := checkTransition(from, to); err != nil {
				return err
			}
		}
	}
	if op.Is(ent.OpUpdate) {
		if _, ok := m.Amount(); ok || m.CurrencyCleared() {
			return bulkUpdateRefused("amount")
		}
		if _, ok := m.StartedOn(); ok || m.CompletedOnCleared() {
			return bulkUpdateRefused("startedOn")
		}
		if _, ok := m.CompletedOn(); ok {
			return bulkUpdateRefused("completedOn")
		}
	} else {
		amount, err := valueAfter(ctx, op, m.Amount, m.AmountCleared(), m.OldAmount)
		if err != nil {
			return err
		}
		currency, err := valueAfter(ctx, op, m.Currency, m.CurrencyCleared(), m.OldCurrency)
		if err != nil {
			return err
		}
		if amount != nil && currency == nil {
			return apperr.Invalid("currency", "is required when amount is set")
		}
		started, err := valueAfter(ctx, op, m.StartedOn, m.StartedOnCleared(), m.OldStartedOn)
		if err != nil {
			return err
		}
		completed, err := valueAfter(ctx, op, m.CompletedOn, m.CompletedOnCleared(), m.OldCompletedOn)
		if err != nil {
			return err
		}
		if started != nil && completed != nil && completed.Before(*started) {
			return apperr.Invalid("completedOn", "%s is before startedOn %s", completed, started)
		}
	}
	c := m.Client()
	if id, ok := m.HostCountryID(); ok {
		if err := requireCountry(ctx, c, "hostCountryID", id); err != nil {
			return err
		}
	}
	if err := checkUmbrella(ctx, m); err != nil {
		return err
	}
	if err := checkLocation(ctx, m); err != nil {
		return err
	}
	return checkRefs(ctx, c, "addPolicyIDs", globalid.Policy, m.PoliciesIDs())
}

// hundred bounds the terms given in percent.
var hundred = decimal.NewFromInt(100)

// checkTerms enforces: rates, maturity and grace period are not negative,
// and percentages are at most 100.
func checkTerms(m *ent.ProjectMutation) error {
	for _, t := range []struct {
		field   string
		get     func() (scalar.Decimal, bool)
		percent bool
	}{
		{"interestRate", m.InterestRate, true},
		{"maturityYears", m.MaturityYears, false},
		{"gracePeriodYears", m.GracePeriodYears, false},
		{"grantElement", m.GrantElement, true},
	} {
		v, ok := t.get()
		switch {
		case !ok:
		case v.IsNegative() && t.field != "grantElement":
			return apperr.Invalid(t.field, "must not be negative, got %s", v.String())
		case t.percent && v.GreaterThan(hundred):
			return apperr.Invalid(t.field, "is a percentage: at most 100, got %s", v.String())
		}
	}
	return nil
}
