package graph

import (
	"context"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/graph/model"
	"github.com/bri-tracker/bri-tracker/internal/search"
)

// searchPage runs a search and loads the objects found, per type in one
// query each, eager-loading what the query selects under `node`. Cursors are
// positions in the ranking.
func (r *Resolver) searchPage(ctx context.Context, query string, types []search.Type, first *int, after *entgql.Cursor[int]) (*model.SearchConnection, error) {
	limit := r.PageDefault
	if first != nil {
		limit = *first
	}
	offset := 0
	if after != nil {
		offset = after.ID + 1
	}
	res, err := search.Run(ctx, r.Driver, query, types, offset, limit+1)
	if err != nil {
		return nil, err
	}
	if len(res.Hits) == 0 && offset > 0 { // past the end: the count needs its own look
		if all, err := search.Run(ctx, r.Driver, query, types, 0, 1); err == nil {
			res.Total = all.Total
		}
	}
	hits := res.Hits
	hasNext := len(hits) > limit
	if hasNext {
		hits = hits[:limit]
	}
	ids := make([]int, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	var nodes []ent.Noder
	if len(ids) > 0 {
		if nodes, err = r.Client.Noders(nodeFieldContext(ctx), ids, ent.WithNodeType(nodeType)); err != nil {
			return nil, err
		}
	}
	conn := &model.SearchConnection{TotalCount: res.Total, PageInfo: &entgql.PageInfo[int]{HasNextPage: hasNext, HasPreviousPage: offset > 0}}
	for i, h := range hits {
		if nodes[i] == nil {
			continue // deleted since it was found
		}
		conn.Edges = append(conn.Edges, &model.SearchEdge{Cursor: entgql.Cursor[int]{ID: offset + i}, Score: h.Score, Node: nodes[i]})
	}
	if conn.Edges == nil {
		conn.Edges = []*model.SearchEdge{}
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn, nil
}

// nodeFieldContext points the field context at edges.node, so that loading
// the nodes eager-loads what the query selects beneath it.
func nodeFieldContext(ctx context.Context) context.Context {
	oc := graphql.GetOperationContext(ctx)
	for _, edges := range graphql.CollectFieldsCtx(ctx, nil) {
		if edges.Name != "edges" {
			continue
		}
		for _, node := range graphql.CollectFields(oc, edges.Selections, nil) {
			if node.Name == "node" {
				return graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "SearchEdge", Field: node})
			}
		}
	}
	return ctx
}
