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
	groupBy []stats.Dimension, orderBy *model.ProjectStatsOrder, limit *int,
) (*stats.Result, error) {
	q, err := statsQuery(scope, where, groupBy, orderBy, limit)
	if err != nil {
		return nil, err
	}
	return stats.Projects(ctx, r.statsSource(), q)
}

// statsQuery turns the GraphQL arguments into a statistics query.
func statsQuery(scope predicate.Project, where *ent.ProjectWhereInput,
	groupBy []stats.Dimension, orderBy *model.ProjectStatsOrder, limit *int,
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
