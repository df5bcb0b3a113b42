package graph

import (
	"context"
	"encoding/json"
	"errors"

	"entgo.io/contrib/entgql"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
)

// history pages through the audit events of one object. Events name their
// object by id, so history outlives it. Under a list, the common page
// (first n, oldest first, any where) is fetched for all the list's objects
// at once: the n+1 first events of each by a window function, and their
// counts by one GROUP BY when totalCount is asked for. Other pages
// (cursors, last, orderBy) are fetched per object.
func (r *Resolver) history(ctx context.Context, typ auditevent.EntityType, id int,
	after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int,
	orderBy *ent.AuditEventOrder, where *ent.AuditEventWhereInput,
) (*ent.AuditEventConnection, error) {
	cache, ok := ctx.Value(statsCacheKey{}).(*statsCache)
	if !ok || after != nil || before != nil || last != nil || orderBy != nil || first == nil {
		return r.Client.AuditEvent.Query().
			Where(auditevent.EntityTypeEQ(typ), auditevent.EntityID(id)).
			Paginate(ctx, after, first, before, last, ent.WithAuditEventOrder(orderBy), ent.WithAuditEventFilter(where.Filter))
	}
	fc := graphql.GetFieldContext(ctx)
	raw, err := json.Marshal([]any{"history", typ, fc.Field.Alias, fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)})
	if err != nil {
		return nil, err
	}
	for {
		f, run := cache.claim(string(raw))
		if run {
			ids := historySiblings(fc, id)
			f.value, f.err = r.historyPages(ctx, typ, ids, *first, where, wantsTotal(ctx))
			close(f.done)
		} else {
			<-f.done
		}
		if f.err != nil {
			return nil, f.err
		}
		if conn, ok := f.value.(map[int]*ent.AuditEventConnection)[id]; ok {
			return conn, nil
		}
		cache.release(string(raw), f)
	}
}

// historyPages fetches the first page of history of each object.
func (r *Resolver) historyPages(ctx context.Context, typ auditevent.EntityType, ids []int, first int, where *ent.AuditEventWhereInput, total bool) (map[int]*ent.AuditEventConnection, error) {
	q := r.Client.AuditEvent.Query().Where(auditevent.EntityTypeEQ(typ), auditevent.EntityIDIn(ids...))
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
		events, err := q.Modify(entgql.LimitPerRow(auditevent.FieldEntityID, first+1, entsql.ExprP(auditevent.FieldID))).All(ctx)
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

// historySiblings are the ids of the objects in the list above the field.
func historySiblings(fc *graphql.FieldContext, id int) []int {
	for p := fc.Parent; p != nil; p = p.Parent {
		var ids []int
		switch v := p.Result.(type) {
		case *ent.PartnerConnection:
			for _, e := range v.Edges {
				ids = append(ids, e.Node.ID)
			}
		case *ent.ProjectConnection:
			for _, e := range v.Edges {
				ids = append(ids, e.Node.ID)
			}
		case *ent.PolicyConnection:
			for _, e := range v.Edges {
				ids = append(ids, e.Node.ID)
			}
		default:
			continue
		}
		return ids
	}
	return []int{id}
}

// fetch is one batched query's result, shared by the items it covers.
type fetch struct {
	done  chan struct{}
	value any
	err   error
}

// claim returns the fetch for key, and whether the caller must run it.
func (c *statsCache) claim(key string) (*fetch, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.shared[key]; f != nil {
		return f, false
	}
	f := &fetch{done: make(chan struct{})}
	c.shared[key] = f
	return f, true
}

// release forgets a fetch that did not cover the caller's item.
func (c *statsCache) release(key string, f *fetch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shared[key] == f {
		delete(c.shared, key)
	}
}
