package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/graph/model"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/stats"
)

// listedIDs are the ids of the objects of the nearest list above the field
// that keep says to keep; just item when no such list is found.
func listedIDs(fc *graphql.FieldContext, item int, keep func(ent.Noder) bool) []int {
	for p := fc.Parent; p != nil; p = p.Parent {
		var nodes []ent.Noder
		switch v := p.Result.(type) {
		case *ent.PartnerConnection:
			for _, e := range v.Edges {
				nodes = append(nodes, e.Node)
			}
		case *ent.ProjectConnection:
			for _, e := range v.Edges {
				nodes = append(nodes, e.Node)
			}
		case *ent.PolicyConnection:
			for _, e := range v.Edges {
				nodes = append(nodes, e.Node)
			}
		case []ent.Noder: // nodes(ids:)
			nodes = v
		default:
			continue
		}
		var ids []int
		for _, n := range nodes {
			if n != nil && keep(n) {
				ids = append(ids, idOf(n))
			}
		}
		if len(ids) > 0 {
			return ids
		}
	}
	return []int{item}
}

func idOf(n ent.Noder) int {
	switch n := n.(type) {
	case *ent.Partner:
		return n.ID
	case *ent.Project:
		return n.ID
	case *ent.OpeningPolicy:
		return n.ID
	}
	return 0
}

// ownerStats returns one owner's statistics, computed with its siblings'.
func (r *Resolver) ownerStats(ctx context.Context, kind stats.OwnerKind, owner int, where *ent.ProjectWhereInput,
	groupBy []stats.Dimension, orderBy *model.ProjectStatsOrder, limit *int, includeAll *bool,
) (*stats.Result, error) {
	q, err := statsQuery(nil, where, groupBy, orderBy, limit, includeAll)
	if err != nil {
		return nil, err
	}
	keep := func(n ent.Noder) bool {
		_, isPartner := n.(*ent.Partner)
		_, isPolicy := n.(*ent.OpeningPolicy)
		return kind == stats.PartnerOwner && isPartner || kind == stats.PolicyOwner && isPolicy
	}
	return gqlext.Batched(ctx, fmt.Sprint("projectStats of owner kind ", kind), owner,
		func(fc *graphql.FieldContext) []int { return listedIDs(fc, owner, keep) },
		func(ids []int) (map[int]*stats.Result, error) {
			return stats.ByOwner(ctx, r.statsSource(), q, stats.Owners{Kind: kind, IDs: ids})
		})
}
