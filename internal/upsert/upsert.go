// Package upsert writes batches of partners and projects keyed by outside
// identifiers, idempotently: each item is created when its key is new,
// updated when it differs from what is stored, and left alone when it does
// not. The GraphQL upsert mutations and the importer both use it; every
// write goes through ent, so the domain rules, permissions and audit history
// apply as to any other write.
package upsert

import (
	"errors"
	"fmt"

	"github.com/bri-tracker/bri-tracker/internal/names"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// MaxBatch is the most items one call takes.
const MaxBatch = 1000

// Outcome says what an upsert did to one item.
type Outcome string

// The outcomes.
const (
	Created   Outcome = "CREATED"
	Updated   Outcome = "UPDATED"
	Unchanged Outcome = "UNCHANGED"
)

// Count tallies outcomes.
type Count struct {
	Created, Updated, Unchanged int
}

func (c *Count) add(o Outcome) {
	switch o {
	case Created:
		c.Created++
	case Updated:
		c.Updated++
	default:
		c.Unchanged++
	}
}

// atItem names the batch item an error concerns: a field error of item 3
// becomes one of `input[3].field`.
func atItem(i int, err error) error {
	if err == nil {
		return nil
	}
	prefix := fmt.Sprintf("input[%d]", i)
	var ae *apperr.Error
	if errors.As(err, &ae) {
		c := *ae
		if c.Field != "" {
			c.Field = prefix + "." + c.Field
		} else {
			c.Field = prefix
		}
		return &c
	}
	var ve *ent.ValidationError
	if errors.As(err, &ve) {
		inner := errors.Unwrap(errors.Unwrap(ve))
		if inner == nil {
			inner = ve
		}
		msg := inner.Error()
		if msg == "value is less than the required length" {
			msg = "must not be empty"
		}
		return &apperr.Error{Code: apperr.BadUserInput, Field: prefix + "." + names.LowerCamel(ve.Name), Message: msg, Cause: err}
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// batch is the course every upsert takes, written once: it checks the
// batch's size; reads each item's key (key also gathers what the item
// refers to), refusing an item that repeats an earlier one's key; lets load
// read, in a few queries, what the keys and references name; then upserts
// the items in order with one, counting the outcomes. Any error names its
// item. keyField is the field a repeated key is reported on.
func batch[I, R any](items []I, keyField string, key func(i int, it I) (string, error), load func() error, one func(i int, it I) (R, Outcome, error)) ([]R, Count, error) {
	var count Count
	switch n := len(items); {
	case n == 0:
		return nil, count, apperr.Invalid("input", "is empty: send 1 to %d items", MaxBatch)
	case n > MaxBatch:
		return nil, count, apperr.Invalid("input", "has %d items; at most %d a call", n, MaxBatch)
	}
	seen := make(map[string]int, len(items))
	for i, it := range items {
		k, err := key(i, it)
		if err != nil {
			return nil, count, atItem(i, err)
		}
		if j, dup := seen[k]; dup {
			return nil, count, atItem(i, apperr.Invalid(keyField, "repeats input[%d]'s %s", j, k))
		}
		seen[k] = i
	}
	if err := load(); err != nil {
		return nil, count, err
	}
	results := make([]R, len(items))
	for i, it := range items {
		r, outcome, err := one(i, it)
		if err != nil {
			return nil, count, atItem(i, err)
		}
		count.add(outcome)
		results[i] = r
	}
	return results, count, nil
}
