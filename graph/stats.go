package graph

import (
	"context"
	"errors"

	"entgo.io/contrib/entgql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/predicate"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/graph/model"
	"github.com/bri-tracker/bri-tracker/internal/stats"
)

// projectStats computes statistics of the projects in scope (nil: all)
// that match where.
func (r *Resolver) projectStats(ctx context.Context, scope predicate.Project, where *ent.ProjectWhereInput,
	groupBy []stats.Dimension, orderBy *model.ProjectStatsOrder, limit *int, includeAll *bool,
) (*stats.Result, error) {
	q, err := statsQuery(scope, where, groupBy, orderBy, limit, includeAll)
	if err != nil {
		return nil, err
	}
	return stats.Projects(ctx, r.statsSource(), q)
}

// statsQuery turns the GraphQL arguments into a statistics query. It
// counts, as AidData prescribes, only the projects that count in
// aggregates, unless includeAll, or a where that filters on
// countsInAggregates itself, says otherwise.
func statsQuery(scope predicate.Project, where *ent.ProjectWhereInput,
	groupBy []stats.Dimension, orderBy *model.ProjectStatsOrder, limit *int, includeAll *bool,
) (stats.Query, error) {
	var filters []predicate.Project
	if scope != nil {
		filters = append(filters, scope)
	}
	if where != nil {
		p, err := where.P()
		switch {
		case errors.Is(err, ent.ErrEmptyProjectWhereInput):
		case err != nil:
			return stats.Query{}, err
		default:
			filters = append(filters, p)
		}
	}
	q := stats.Query{By: groupBy, Limit: limit}
	if (includeAll == nil || !*includeAll) && !filtersCounting(where) {
		q.Counted = project.CountsInAggregates(true)
	}
	if len(filters) > 0 {
		q.Filter = project.And(filters...)
	}
	if orderBy != nil {
		q.Order = &stats.Order{Field: orderBy.Field, Direction: "ASC"}
		if orderBy.Direction != nil && *orderBy.Direction == entgql.OrderDirectionDesc {
			q.Order.Direction = "DESC"
		}
	}
	return q, nil
}

// statsSource is where statistics are computed.
func (r *Resolver) statsSource() stats.Source {
	return stats.Source{Driver: r.Driver, Client: r.Client, Cache: r.StatsCache}
}

// filtersCounting reports whether a where names countsInAggregates
// anywhere in its tree.
func filtersCounting(w *ent.ProjectWhereInput) bool {
	if w == nil {
		return false
	}
	if w.CountsInAggregates != nil || w.CountsInAggregatesNEQ != nil || filtersCounting(w.Not) {
		return true
	}
	for _, sub := range append(append([]*ent.ProjectWhereInput{}, w.And...), w.Or...) {
		if filtersCounting(sub) {
			return true
		}
	}
	return false
}
