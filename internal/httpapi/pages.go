package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// pager runs a connection query page after page through the GraphQL handler
// itself, in process, so that streamed exports obey exactly what the API
// obeys: the same filters (`where` as in the projects query), permissions,
// limits and rules. Memory stays bounded by the page size.
type pager struct {
	gql     http.Handler
	timeout time.Duration
}

// graphQLError is an error the GraphQL handler answered with.
type graphQLError struct {
	status int
	body   []byte
}

func (e *graphQLError) Error() string { return string(e.body) }

// each runs query (which must take $after: Cursor and select
// pageInfo { hasNextPage endCursor } and edges under field) with vars, and
// calls visit with each page's edges until there are no more.
func (p pager) each(ctx context.Context, query, field string, vars map[string]any, visit func(edges []json.RawMessage) error) error {
	vars = maps(vars)
	for {
		page, err := p.page(ctx, query, vars)
		if err != nil {
			return err
		}
		conn := page[field]
		if err := visit(conn.Edges); err != nil {
			return err
		}
		if !conn.PageInfo.HasNextPage || conn.PageInfo.EndCursor == nil {
			return nil
		}
		vars["after"] = *conn.PageInfo.EndCursor
	}
}

type connectionPage struct {
	PageInfo struct {
		HasNextPage bool    `json:"hasNextPage"`
		EndCursor   *string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []json.RawMessage `json:"edges"`
}

func (p pager) page(ctx context.Context, query string, vars map[string]any) (map[string]connectionPage, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	held := newHeld()
	p.gql.ServeHTTP(held, req)
	var res struct {
		Data   map[string]connectionPage `json:"data"`
		Errors []json.RawMessage         `json:"errors"`
	}
	if err := json.Unmarshal(held.body.Bytes(), &res); err != nil || held.status != http.StatusOK || len(res.Errors) > 0 {
		status := held.status
		if status < 500 && status != http.StatusUnauthorized && status != http.StatusTooManyRequests {
			status = http.StatusBadRequest // the filter did not validate (GraphQL says 200 or 422)
		}
		return nil, &graphQLError{status: status, body: held.body.Bytes()}
	}
	if res.Data == nil {
		return nil, fmt.Errorf("page: no data")
	}
	return res.Data, nil
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
