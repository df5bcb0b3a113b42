package graph

import (
	"context"
	"database/sql/driver"
	"errors"

	"entgo.io/contrib/entgql"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/pagination"
)

// history pages through the audit events of one object. Events name their
// object by id, so history outlives it. Under a list, the common page
// (first n, oldest first, any where) is fetched for all the list's objects
// at once: the n+1 first events of each (pagination.LimitPerRow), and their
// counts by one GROUP BY when totalCount is asked for. Other pages
// (cursors, last, orderBy) are fetched per object.
func (r *Resolver) history(ctx context.Context, typ auditevent.EntityType, id int,
	after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int,
	orderBy *ent.AuditEventOrder, where *ent.AuditEventWhereInput,
) (*ent.AuditEventConnection, error) {
	if after != nil || before != nil || last != nil || orderBy != nil || first == nil {
		return r.Client.AuditEvent.Query().
			Where(auditevent.EntityTypeEQ(typ), auditevent.EntityID(id)).
			Paginate(ctx, after, first, before, last, ent.WithAuditEventOrder(orderBy), ent.WithAuditEventFilter(where.Filter))
	}
	total := wantsTotal(ctx)
	return gqlext.Batched(ctx, "history of "+string(typ), id,
		func(fc *graphql.FieldContext) []int {
			return listedIDs(fc, id, func(n ent.Noder) bool { return entityType(n) == typ })
		},
		func(ids []int) (map[int]*ent.AuditEventConnection, error) {
			return r.historyPages(ctx, typ, ids, *first, where, total)
		})
}

// entityType is the audit entity type of a node.
func entityType(n ent.Noder) auditevent.EntityType {
	switch n.(type) {
	case *ent.Partner:
		return auditevent.EntityTypePartner
	case *ent.Project:
		return auditevent.EntityTypeProject
	case *ent.OpeningPolicy:
		return auditevent.EntityTypePolicy
	}
	return ""
}

// historyPages fetches the first page of history of each object.
func (r *Resolver) historyPages(ctx context.Context, typ auditevent.EntityType, ids []int, first int, where *ent.AuditEventWhereInput, total bool) (map[int]*ent.AuditEventConnection, error) {
	keys := make([]driver.Value, len(ids))
	for i, id := range ids {
		keys[i] = id
	}
	// the objects' keys, recorded for LimitPerRow, which then reads each
	// object's first events from the (entity_type, entity_id, id) index on
	// PostgreSQL
	q := r.Client.AuditEvent.Query().Where(auditevent.EntityTypeEQ(typ), func(s *entsql.Selector) {
		pagination.ParentKeys(s, s.C(auditevent.FieldEntityID), keys...)
	})
	if where != nil {
		p, err := where.P()
		switch {
		case errors.Is(err, ent.ErrEmptyAuditEventWhereInput):
		case err != nil:
			return nil, err
		default:
			q = q.Where(p)
		}
	}
	out := make(map[int]*ent.AuditEventConnection, len(ids))
	for _, id := range ids {
		out[id] = &ent.AuditEventConnection{Edges: []*ent.AuditEventEdge{}}
	}
	if total {
		var counts []struct {
			EntityID int `json:"entity_id"`
			Count    int `json:"count"`
		}
		if err := q.Clone().GroupBy(auditevent.FieldEntityID).Aggregate(ent.Count()).Scan(ctx, &counts); err != nil {
			return nil, err
		}
		for _, c := range counts {
			out[c.EntityID].TotalCount = c.Count
		}
	}
	if first > 0 {
		// each entity's events in id order (the loop below reads them so)
		events, err := q.Modify(pagination.LimitPerRow(auditevent.FieldEntityID, first+1, entsql.ExprP(auditevent.FieldID))).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			conn := out[e.EntityID]
			if len(conn.Edges) == first {
				conn.PageInfo.HasNextPage = true
				continue
			}
			conn.Edges = append(conn.Edges, &ent.AuditEventEdge{Node: e, Cursor: entgql.Cursor[int]{ID: e.ID}})
		}
	}
	for _, conn := range out {
		if n := len(conn.Edges); n > 0 {
			conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
			conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
		}
	}
	return out, nil
}

// wantsTotal reports whether the connection's totalCount is selected.
func wantsTotal(ctx context.Context) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == "totalCount" {
			return true
		}
	}
	return false
}
