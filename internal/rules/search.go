package rules

import (
	"context"
	"fmt"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/search"
)

// SearchIndex keeps a row's normalized search columns in step with the
// fields they are made of: search_name from the name columns (what ranks
// highest), search_text from those and the text columns.
func SearchIndex(cols search.Columns) ent.Hook {
	nameFields, textFields := cols.Name, cols.Text
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !m.Op().Is(ent.OpCreate | ent.OpUpdateOne) {
				return next.Mutate(ctx, m)
			}
			touched := m.Op().Is(ent.OpCreate)
			for _, f := range append(nameFields, textFields...) {
				_, set := m.Field(f)
				touched = touched || set || m.FieldCleared(f)
			}
			if !touched {
				return next.Mutate(ctx, m)
			}
			values := func(fields []string) ([]string, error) {
				var out []string
				for _, f := range fields {
					v, ok := m.Field(f)
					if !ok && !m.FieldCleared(f) && m.Op().Is(ent.OpUpdateOne) {
						old, err := m.OldField(ctx, f)
						if err != nil {
							return nil, fmt.Errorf("search index: %w", err)
						}
						v = old
					}
					out = append(out, text(v))
				}
				return out, nil
			}
			names, err := values(nameFields)
			if err != nil {
				return nil, err
			}
			rest, err := values(textFields)
			if err != nil {
				return nil, err
			}
			if err := m.SetField("search_name", search.Normalize(names...)); err != nil {
				return nil, err
			}
			if err := m.SetField("search_text", search.Normalize(append(names, rest...)...)); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		})
	}
}

func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case *string:
		if v != nil {
			return *v
		}
	case fmt.Stringer:
		return v.String()
	}
	return ""
}
