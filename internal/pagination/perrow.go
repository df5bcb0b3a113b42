package pagination

import (
	"context"
	"database/sql/driver"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/lib/pq"
)

// Pages of an edge under a list (the first 10 projects of each of 10
// countries) are loaded in one query for all the parents. entgql numbers
// every child of every parent with ROW_NUMBER() and keeps the first n of
// each: PostgreSQL reads and sorts all the children (some 7,000 projects for
// 10 countries of the benchmark), however few are kept. On PostgreSQL this
// package instead walks the parents' keys and takes each one's first n
// children through a LATERAL subquery, which an index on (foreign key, order
// field) answers by reading n rows per parent. The rows, their order and the
// cursors are the same.
//
// ent's generated edge loaders call ParentKeys (ent/template makes them), so
// that the per-parent modifier, which gqlgen's collection code installs
// before the parents are known, finds their keys on the selector.

// parentKeys are the keys an edge loader restricted a query to; lateral
// when LimitPerRow walks them, and the restriction becomes the correlation
// with the walked key.
type parentKeys struct {
	column  string
	keys    []driver.Value
	lateral bool
}

type parentKeysKey struct{}

// ParentKeys restricts the edge query s to the rows whose column (the
// foreign key, or the join table's key) is one of keys, as ent's loaders do,
// and records them on s for LimitPerRow. The restriction is written when the
// statement is: column IN (keys), or, inside LimitPerRow's LATERAL
// subquery, column = the parent's key (an IN list there would be searched
// again for every parent).
func ParentKeys(s *sql.Selector, column string, keys ...driver.Value) {
	pk := &parentKeys{column: column, keys: keys}
	s.Where(sql.P(func(b *sql.Builder) {
		if pk.lateral {
			b.WriteString(column + ` = "parent_keys"."parent_key"`)
			return
		}
		b.Join(sql.InValues(column, keys...))
	}))
	s.WithContext(context.WithValue(s.Context(), parentKeysKey{}, pk))
}

// LimitPerRow keeps the first limit rows by orderBy of each parent, as
// entgql.LimitPerRow does: with a LATERAL subquery per parent key on
// PostgreSQL when the loader recorded the keys (and they are integers), with
// entgql's window function otherwise.
func LimitPerRow(partitionBy string, limit int, orderBy ...sql.Querier) func(s *sql.Selector) {
	// entgql's statement numbers each parent's rows but leaves the order of
	// the rows it returns to the database; the rows are read in that order
	// (each parent's page, its probe row), so it is asked for.
	window := func(s *sql.Selector) {
		entgql.LimitPerRow(partitionBy, limit, orderBy...)(s)
		s.OrderBy(s.C("row_number"))
	}
	return func(s *sql.Selector) {
		ProbeLimit(limit)(s)
		pk, ok := s.Context().Value(parentKeysKey{}).(*parentKeys)
		if !ok || s.Dialect() != dialect.Postgres || len(orderBy) == 0 {
			window(s)
			return
		}
		ids := make([]int64, len(pk.keys))
		for i, k := range pk.keys {
			switch v := k.(type) {
			case int:
				ids[i] = int64(v)
			case int64:
				ids[i] = v
			default:
				window(s)
				return
			}
		}
		pk.lateral = true
		d := sql.Dialect(s.Dialect())
		src := s.Clone()
		src.SetDistinct(false)
		alias := s.TableName()
		*s = *d.Select(s.UnqualifiedColumns()...).
			FromExpr(sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString(`unnest(`).Arg(pq.Array(ids)).
					WriteString(`::bigint[]) WITH ORDINALITY AS "parent_keys"("parent_key", "parent_n") CROSS JOIN LATERAL (SELECT * FROM `).
					Wrap(func(b *sql.Builder) { b.Join(src) }).
					WriteString(` AS "src" ORDER BY `).
					Join(joined(orderBy)).
					WriteString(fmt.Sprintf(` LIMIT %d) AS `, limit)).
					Ident(alias)
			})).
			OrderExpr(sql.Expr(`"parent_keys"."parent_n"`)).
			OrderExpr(orderBy...).
			WithContext(s.Context())
	}
}

// joined writes queriers separated by commas.
func joined(qs []sql.Querier) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		for i, q := range qs {
			if i > 0 {
				b.Comma()
			}
			b.Join(q)
		}
	})
}

// A page is fetched with one row more than it shows, to tell whether
// another page follows; that row is dropped when the connection is built.
// Probe and Probed spare it the edges the query loads with its rows (its
// projects, their policies, ...), which nobody sees: the templates in
// ent/template make the generated Paginate methods call Probe and the
// generated loaders call Probed.

type probeKey struct{}

type probe struct {
	query any
	limit int
}

// Probe marks query's last row, when it fetches limit rows, as the probe.
// query identifies the query (its ent query context).
func Probe(ctx context.Context, query any, limit int) context.Context {
	if limit <= 1 {
		return ctx
	}
	return context.WithValue(ctx, probeKey{}, probe{query: query, limit: limit})
}

// Probed returns the rows of query whose edges are to be loaded: all of
// them, but for the probe row of a page that fetched a full page and one,
// and under a list, each parent's (ProbeEach).
func Probed[T any](ctx context.Context, query any, nodes []T) []T {
	if pp, ok := ctx.Value(parentProbeKey{}).(*parentProbe[T]); ok && pp.query == query && pp.limit > 1 {
		return pp.shown(nodes)
	}
	p, ok := ctx.Value(probeKey{}).(probe)
	if !ok || p.query != query || len(nodes) != p.limit {
		return nodes
	}
	return nodes[:len(nodes)-1]
}

// Pages under a list (each country's first 10 projects) fetch a probe row
// per parent. Their rows come parent after parent, each parent's in the
// page's order (LimitPerRow), so a parent's probe is its limit-th row.

type parentProbeKey struct{}

// parentProbe is what ProbeEach knows of a query's per-parent pages.
type parentProbe[T any] struct {
	query any
	key   func(T) int // a row's parent
	limit int         // rows fetched per parent; 0 until ProbeLimit runs
}

// setLimit records the per-parent limit of the query's own statement, the
// first to call ProbeLimit under the context (the edges loaded after it, with
// the same context, have their own).
func (p *parentProbe[T]) setLimit(n int) {
	if p.limit == 0 {
		p.limit = n
	}
}

// shown drops each parent's limit-th row.
func (p *parentProbe[T]) shown(nodes []T) []T {
	if len(nodes) < p.limit {
		return nodes
	}
	seen := make(map[int]int)
	out := make([]T, 0, len(nodes))
	for _, n := range nodes {
		k := p.key(n)
		seen[k]++
		if seen[k] != p.limit {
			out = append(out, n)
		}
	}
	return out
}

// ProbeLimit records, for ProbeEach, the limit of a query's pages: of a
// page per parent (LimitPerRow calls it), or of the page of a single parent
// fetched with a plain LIMIT (entgql's statement when the list of parents
// is one node).
func ProbeLimit(limit int) func(s *sql.Selector) {
	return func(s *sql.Selector) {
		if pp, ok := s.Context().Value(parentProbeKey{}).(interface{ setLimit(int) }); ok {
			pp.setLimit(limit)
		}
	}
}

// ProbeEach marks, when query is loaded under parents by a foreign key and
// its pages per parent fetch limit rows, each parent's limit-th row as a
// probe, so that Probed spares it its edges; key gives a row's parent.
func ProbeEach[T any](ctx context.Context, query any, key func(T) int) context.Context {
	return context.WithValue(ctx, parentProbeKey{}, &parentProbe[T]{query: query, key: key})
}
