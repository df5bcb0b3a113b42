// Package stats computes project statistics in the database: counts and
// exact sums, averages, minima and maxima of amountUsd and the
// amount-weighted interest rate, grouped by any of the dimensions, filtered
// like the projects query, with the matching projects that do not count in
// aggregates reported apart, in one SQL statement (the groups and the total
// are one UNION ALL).
package stats

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/predicate"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/ent/projectpartner"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// Dimension is what groups are formed by.
type Dimension string

// The dimensions.
const (
	Sector          Dimension = "SECTOR"
	Status          Dimension = "STATUS"
	GreenCategory   Dimension = "GREEN_CATEGORY"
	HostCountry     Dimension = "HOST_COUNTRY"
	Region          Dimension = "REGION"
	CommitmentYear  Dimension = "COMMITMENT_YEAR"
	Participant     Dimension = "PARTICIPANT"
	ParticipantRole Dimension = "PARTICIPANT_ROLE"
	FlowClass       Dimension = "FLOW_CLASS"
	FlowType        Dimension = "FLOW_TYPE"
)

// OrderField is what groups are sorted by.
type OrderField string

// The order fields.
const (
	ByKey   OrderField = "KEY"
	ByCount OrderField = "COUNT"
	BySum   OrderField = "SUM"
	ByAvg   OrderField = "AVG"
	ByMin   OrderField = "MIN"
	ByMax   OrderField = "MAX"
)

// Order sorts the groups.
type Order struct {
	Field     OrderField `json:"field"`
	Direction string     `json:"direction"` // ASC or DESC
}

// Limits on the groups returned.
const (
	DefaultLimit = 1000
	MaxLimit     = 10000
)

// Key is a group's values of the dimensions grouped by; the others are nil.
type Key struct {
	Sector          *project.Sector          `json:"sector"`
	Status          *project.Status          `json:"status"`
	GreenCategory   *project.GreenCategory   `json:"greenCategory"`
	HostCountryID   *int                     `json:"-"`
	HostCountry     *ent.Partner             `json:"hostCountry"`
	Region          *partner.Region          `json:"region"`
	CommitmentYear  *int                     `json:"commitmentYear"`
	ParticipantID   *int                     `json:"-"`
	Participant     *ent.Partner             `json:"participant"`
	ParticipantRole *projectparticipant.Role `json:"participantRole"`
	FlowClass       *project.FlowClass       `json:"flowClass"`
	FlowType        *string                  `json:"flowType"`
}

// Group is one group's statistics. Sum, Avg, Min and Max are of amountUsd
// over the projects that have one, nil when none has.
type Group struct {
	Key             *Key            `json:"key"`
	Count           int             `json:"count"`
	CountWithAmount int             `json:"countWithAmount"`
	Sum             *scalar.Decimal `json:"sum"`
	Avg             *scalar.Decimal `json:"avg"`
	Min             *scalar.Decimal `json:"min"`
	Max             *scalar.Decimal `json:"max"`
	// WeightedInterestRate is Σ(amountUsd × interestRate) / Σ amountUsd over
	// the projects that have both (AidData's amount-weighted average).
	WeightedInterestRate *scalar.Decimal `json:"weightedInterestRate"`
}

// Excluded is what a statistics query left out: matching projects that do
// not count in aggregates.
type Excluded struct {
	Count int             `json:"count"`
	Sum   *scalar.Decimal `json:"sum"`
}

// Result is the groups and the total over all matching projects (each
// counted once, even when grouped by participant).
type Result struct {
	Total    *Group    `json:"total"`
	Groups   []*Group  `json:"groups"`
	Excluded *Excluded `json:"excluded"`
}

// Query is a statistics request.
type Query struct {
	Filter predicate.Project // nil: all projects
	// Counted, when set, restricts the counted projects to those matching
	// it (projects that count in aggregates); matching projects outside it
	// are reported in Result.Excluded. Nil counts every matching project.
	Counted predicate.Project
	By      []Dimension
	Order   *Order
	Limit   *int
}

// dimension says how a dimension is read: from the project (t), its host
// country (hc) or its participants (pp).
type dimension struct {
	column func(t, hc, pp *entsql.SelectTable) string
	join   string // "", "host" or "participants"
}

var dimensions = map[Dimension]dimension{
	Sector:          {column: func(t, _, _ *entsql.SelectTable) string { return t.C(project.FieldSector) }},
	Status:          {column: func(t, _, _ *entsql.SelectTable) string { return t.C(project.FieldStatus) }},
	GreenCategory:   {column: func(t, _, _ *entsql.SelectTable) string { return t.C(project.FieldGreenCategory) }},
	HostCountry:     {column: func(t, _, _ *entsql.SelectTable) string { return t.C(project.FieldHostCountryID) }},
	CommitmentYear:  {column: func(t, _, _ *entsql.SelectTable) string { return t.C(project.FieldCommitmentYear) }},
	FlowClass:       {column: func(t, _, _ *entsql.SelectTable) string { return t.C(project.FieldFlowClass) }},
	FlowType:        {column: func(t, _, _ *entsql.SelectTable) string { return t.C(project.FieldFlowType) }},
	Region:          {column: func(_, hc, _ *entsql.SelectTable) string { return hc.C(partner.FieldRegion) }, join: "host"},
	Participant:     {column: func(_, _, pp *entsql.SelectTable) string { return pp.C(projectparticipant.FieldPartnerID) }, join: "participants"},
	ParticipantRole: {column: func(_, _, pp *entsql.SelectTable) string { return pp.C(projectparticipant.FieldRole) }, join: "participants"},
}

// OwnerKind says whose projects per-owner statistics count.
type OwnerKind int

// The owners statistics can be computed for, many at once.
const (
	// PartnerOwner: the projects a partner takes part in or hosts.
	PartnerOwner OwnerKind = iota + 1
	// PolicyOwner: the projects a policy supports.
	PolicyOwner
)

// Owners asks for the statistics of each owner's projects, in one query.
type Owners struct {
	Kind OwnerKind
	IDs  []int
}

// row is one line of the statistics query. Its columns are NULL only in the
// one row of a statement answered from the cache. rateNum and rateDen are
// the exact sums of amountUsd × interestRate and of amountUsd over the
// counted projects that have both; excludedCount and excludedSum, read from
// the total rows, are the matching projects left out.
type row struct {
	total, owner, rn       sql.NullInt64
	dims                   []sql.NullString
	count, countWithAmount sql.NullInt64
	sum, avg, min, max     sql.NullString
	rateNum, rateDen       sql.NullString
	excludedCount          sql.NullInt64
	excludedSum            sql.NullString
}

// Source is where statistics are computed: the ent driver runs the
// statement, the client loads the partners the keys name, and Cache, when
// set on PostgreSQL, answers repeated statements (SQLite ignores it).
type Source struct {
	Driver dialect.Driver
	Client *ent.Client
	Cache  *Cache
}

// Projects computes the statistics in one statement, then loads the
// partners the keys name in one more query when grouping by host country or
// participant.
func Projects(ctx context.Context, src Source, q Query) (*Result, error) {
	res, err := run(ctx, src, q, nil)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// ByOwner computes the statistics of each owner's projects in one statement
// (and loads the partners the keys name in one more).
func ByOwner(ctx context.Context, src Source, q Query, owners Owners) (map[int]*Result, error) {
	return run(ctx, src, q, &owners)
}

func run(ctx context.Context, src Source, q Query, owners *Owners) (map[int]*Result, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	out := map[int]*Result{}
	result := func(owner int) *Result {
		r := out[owner]
		if r == nil {
			r = &Result{Groups: []*Group{}, Total: &Group{Key: &Key{}}, Excluded: &Excluded{}}
			out[owner] = r
		}
		return r
	}
	if owners != nil {
		if len(owners.IDs) == 0 {
			return out, nil
		}
		for _, id := range owners.IDs {
			result(id)
		}
	} else {
		result(0)
	}
	query, args := build(src.Driver.Dialect(), q, owners)
	rows, partners, err := fetch(ctx, src, query, args, q.By)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		g, err := r.group(q.By)
		if err != nil {
			return nil, err
		}
		if id := g.Key.HostCountryID; id != nil {
			g.Key.HostCountry = partners[*id]
		}
		if id := g.Key.ParticipantID; id != nil {
			g.Key.Participant = partners[*id]
		}
		res := result(int(r.owner.Int64))
		if r.total.Int64 == 1 {
			res.Total = g
			if res.Excluded, err = r.excluded(); err != nil {
				return nil, err
			}
		} else {
			res.Groups = append(res.Groups, g)
		}
	}
	return out, nil
}

// fetch runs the statement, or takes its rows from the cache when the
// database's snapshot is the one they were computed in, and loads the
// partners the rows name.
func fetch(ctx context.Context, src Source, query string, args []any, by []Dimension) ([]row, map[int]*ent.Partner, error) {
	cache := src.Cache
	if src.Driver.Dialect() != dialect.Postgres {
		cache = nil
	}
	var (
		key   string
		known *entry
	)
	if cache != nil {
		var err error
		if key, err = cacheKey(query, args); err != nil {
			return nil, nil, fmt.Errorf("project statistics: %w", err)
		}
		snapshot := "" // never a snapshot
		if known = cache.get(key); known != nil {
			snapshot = known.snapshot
		}
		query, args = gated(query, args, snapshot)
	}
	rs := &entsql.Rows{}
	if err := src.Driver.Query(ctx, query, args, rs); err != nil {
		return nil, nil, fmt.Errorf("project statistics: %w", err)
	}
	defer rs.Close()
	var (
		rows     []row
		snapshot string
		clean    bool
		computed = true
	)
	for rs.Next() {
		r := row{dims: make([]sql.NullString, len(by))}
		var dest []any
		if cache != nil {
			dest = append(dest, &snapshot, &clean, &computed)
		}
		dest = append(dest, &r.total, &r.owner, &r.rn)
		for i := range r.dims {
			dest = append(dest, &r.dims[i])
		}
		dest = append(dest, &r.count, &r.countWithAmount, &r.sum, &r.avg, &r.min, &r.max,
			&r.rateNum, &r.rateDen, &r.excludedCount, &r.excludedSum)
		if err := rs.Scan(dest...); err != nil {
			return nil, nil, fmt.Errorf("project statistics: %w", err)
		}
		if !r.total.Valid {
			continue // the one row of an answer from the cache, or of no rows
		}
		rows = append(rows, r)
	}
	if err := rs.Err(); err != nil {
		return nil, nil, fmt.Errorf("project statistics: %w", err)
	}
	if !computed {
		if known == nil || known.snapshot != snapshot || len(rows) > 0 {
			return nil, nil, fmt.Errorf("project statistics: the cache answered for snapshot %q it does not hold", snapshot)
		}
		cache.hits.Add(1)
		return known.rows, copyPartners(known.partners), nil
	}
	partners, err := loadPartners(ctx, src.Client, by, rows)
	if err != nil {
		return nil, nil, err
	}
	if cache != nil {
		cache.misses.Add(1)
		if clean {
			cache.put(&entry{key: key, snapshot: snapshot, rows: rows, partners: copyPartners(partners)})
		}
	}
	return rows, partners, nil
}

func (q Query) check() error {
	seen := map[Dimension]bool{}
	for _, d := range q.By {
		if _, ok := dimensions[d]; !ok {
			return apperr.Invalid("groupBy", "unknown dimension %s", d)
		}
		if seen[d] {
			return apperr.Invalid("groupBy", "names %s twice", d)
		}
		seen[d] = true
	}
	if q.Limit != nil && (*q.Limit < 0 || *q.Limit > MaxLimit) {
		return apperr.Invalid("limit", "must be between 0 and %d, got %d", MaxLimit, *q.Limit)
	}
	if q.Order != nil {
		switch q.Order.Field {
		case ByKey, ByCount, BySum, ByAvg, ByMin, ByMax:
		default:
			return apperr.Invalid("orderBy", "unknown field %s", q.Order.Field)
		}
	}
	return nil
}

// ownerPairs is the subquery of (owner, project id) pairs.
func ownerPairs(b *entsql.DialectBuilder, o *Owners) *entsql.Selector {
	ids := make([]any, len(o.IDs))
	for i, id := range o.IDs {
		ids[i] = id
	}
	if o.Kind == PolicyOwner {
		t := b.Table("opening_policy_projects").As("op")
		return b.Select(t.C("opening_policy_id")+" AS owner", t.C("project_id")+" AS pid").From(t).
			Where(entsql.In(t.C("opening_policy_id"), ids...))
	}
	hosted := b.Table(project.Table).As("hp")
	took := b.Table(projectpartner.Table).As("tp") // each partner once per project, whatever its roles
	return b.Select(hosted.C(project.FieldHostCountryID)+" AS owner", hosted.C(project.FieldID)+" AS pid").From(hosted).
		Where(entsql.In(hosted.C(project.FieldHostCountryID), ids...)).
		Union(b.Select(took.C(projectpartner.FieldPartnerID), took.C(projectpartner.FieldProjectID)).From(took).
			Where(entsql.In(took.C(projectpartner.FieldPartnerID), ids...)))
}

// build writes the statement: the groups, sorted and limited (per owner),
// then the total rows over the distinct matching projects (one per owner),
// which also count and sum, in the same scan, the matching projects that do
// not count (those outside q.Counted).
func build(d string, q Query, owners *Owners) (string, []any) {
	b := entsql.Dialect(d)
	pg := d == dialect.Postgres
	// aggregate functions, each written with its argument and its FILTER
	// clause (or none)
	sum, avg, sumProduct, noSum := "SUM(%s)%s", "ROUND(AVG(%s)%s, 6)", "SUM(%s * %s)%s", "NULL::numeric"
	if !pg {
		sum, avg, sumProduct, noSum = "DECIMAL_SUM(%s)%s", "DECIMAL_AVG(%s)%s", "DECIMAL_PRODUCT_SUM(%s, %s)%s", "NULL"
	}
	// counted is the condition a project counts under (nil: every one
	// does), written for the projects table named p, as every branch
	// names it.
	var counted *entsql.Predicate
	if q.Counted != nil {
		sel := b.Select().From(b.Table(project.Table).As("p"))
		q.Counted(sel)
		counted = sel.P()
	}
	// aggregates are the statistics of t's rows: over those that meet
	// cond ({c}) when it is set, with the others counted and summed apart
	// (x_n, x_s). wn and wd are the exact sums of amountUsd × interestRate
	// and of amountUsd over the rows that have both, whose quotient is the
	// weighted interest rate.
	aggregates := func(t *entsql.SelectTable, cond *entsql.Predicate) []entsql.Querier {
		amount, rate := t.C(project.FieldAmountUsd), t.C(project.FieldInterestRate)
		in, withRate := "", " FILTER (WHERE "+rate+" IS NOT NULL)"
		xn, xs := "0", noSum
		if cond != nil {
			in, withRate = " FILTER (WHERE {c})", " FILTER (WHERE {c} AND "+rate+" IS NOT NULL)"
			out := " FILTER (WHERE {c} IS NOT TRUE)"
			xn, xs = "COUNT(*)"+out, fmt.Sprintf(sum, amount, out)
		}
		cols := []string{
			"COUNT(*)" + in + " AS n",
			"COUNT(" + amount + ")" + in + " AS n_amount",
			fmt.Sprintf(sum, amount, in) + " AS s",
			fmt.Sprintf(avg, amount, in) + " AS a",
			"MIN(" + amount + ")" + in + " AS mn",
			"MAX(" + amount + ")" + in + " AS mx",
			fmt.Sprintf(sumProduct, amount, rate, in) + " AS wn",
			fmt.Sprintf(sum, amount, withRate) + " AS wd",
			xn + " AS x_n",
			xs + " AS x_s",
		}
		out := make([]entsql.Querier, len(cols))
		for i, c := range cols {
			out[i] = withCond(c, cond)
		}
		return out
	}
	// from projects, joined to their owners when per owner
	from := func(t *entsql.SelectTable) (*entsql.Selector, string) {
		sel := b.Select().From(t)
		owner := "NULL"
		if owners != nil {
			o := ownerPairs(b, owners).As("o")
			sel.Join(o).On(t.C(project.FieldID), o.C("pid"))
			owner = o.C("owner")
		}
		return sel, owner
	}

	// the groups
	t := b.Table(project.Table).As("p")
	hc := b.Table(partner.Table).As("hc")
	// participants: a project counts once per partner (the distinct pairs
	// of project_partners), once per role (the first participation in each
	// role, see below), or once per participation when grouped by both
	byPartner, byRole := slices.Contains(q.By, Participant), slices.Contains(q.By, ParticipantRole)
	pp := b.Table(projectparticipant.Table).As("pp")
	if byPartner && !byRole {
		pp = b.Table(projectpartner.Table).As("pp")
	}
	groups, owner := from(t)
	var joined = map[string]bool{}
	cols := []entsql.Querier{entsql.Expr("0 AS total"), entsql.Expr(owner + " AS owner")}
	var groupBy []string
	if owners != nil {
		groupBy = append(groupBy, owner)
	}
	for i, dim := range q.By {
		spec := dimensions[dim]
		switch {
		case spec.join == "host" && !joined["host"]:
			groups.LeftJoin(hc).On(t.C(project.FieldHostCountryID), hc.C(partner.FieldID))
			joined["host"] = true
		case spec.join == "participants" && !joined["participants"]:
			groups.Join(pp).On(t.C(project.FieldID), pp.C(projectparticipant.FieldProjectID))
			if byRole && !byPartner {
				// the project's first participation in the role, so that
				// two partners in one role count the project once
				pq := b.Table(projectparticipant.Table).As("pq")
				groups.Where(entsql.NotExists(b.Select(pq.C(projectparticipant.FieldID)).From(pq).Where(entsql.And(
					entsql.ColumnsEQ(pq.C(projectparticipant.FieldProjectID), pp.C(projectparticipant.FieldProjectID)),
					entsql.ColumnsEQ(pq.C(projectparticipant.FieldRole), pp.C(projectparticipant.FieldRole)),
					entsql.ColumnsLT(pq.C(projectparticipant.FieldID), pp.C(projectparticipant.FieldID))))))
			}
			joined["participants"] = true
		}
		col := spec.column(t, hc, pp)
		cols = append(cols, entsql.Expr(col+" AS d"+strconv.Itoa(i)))
		groupBy = append(groupBy, col)
	}
	// On PostgreSQL, when the groups split each owner's projects (no
	// grouping by participant, which counts a project once per
	// participant), the totals add up the groups, all of them before the
	// limit, rather than scanning the projects again: the groups then
	// aggregate every matching project, the counted ones and, apart, the
	// others, and those of no counted project are dropped. Elsewhere the
	// groups are of counted projects only, and the totals scan again.
	fast := pg && !joined["participants"]
	if fast {
		groups.SelectExpr(append(cols, aggregates(t, counted)...)...)
	} else {
		groups.SelectExpr(append(cols, aggregates(t, nil)...)...)
	}
	if q.Filter != nil {
		q.Filter(groups)
	}
	if !fast && q.Counted != nil {
		q.Counted(groups)
	}
	if len(groupBy) > 0 {
		groups.GroupBy(groupBy...)
	}

	// sorted, numbered within each owner, and limited
	dir := "ASC"
	if q.Order != nil && q.Order.Direction == "DESC" {
		dir = "DESC"
	}
	field := ByKey
	if q.Order != nil {
		field = q.Order.Field
	}
	// keys sort the groups, or break ties (always ascending) between equal metrics
	keyDir := "ASC"
	if field == ByKey {
		keyDir = dir
	}
	var keys []string
	for i, dim := range q.By {
		d := "d" + strconv.Itoa(i)
		key := d
		if pg && dim == FlowType {
			key += ` COLLATE "C"` // free text: by code point, as SQLite sorts it
		}
		// groups without a value (no host country, say) last, on both databases
		keys = append(keys, "CASE WHEN "+d+" IS NULL THEN 1 ELSE 0 END", key+" "+keyDir)
	}
	var order []string
	switch field {
	case ByCount:
		order = append([]string{"n " + dir}, keys...)
	case BySum, ByAvg, ByMin, ByMax:
		col := map[OrderField]string{BySum: "s", ByAvg: "a", ByMin: "mn", ByMax: "mx"}[field]
		// groups without amounts last, whichever the direction
		order = append([]string{"CASE WHEN " + col + " IS NULL THEN 1 ELSE 0 END", col + " " + dir}, keys...)
	default:
		order = keys
	}
	if len(order) == 0 {
		order = []string{"total"}
	}
	limit := DefaultLimit
	if q.Limit != nil {
		limit = *q.Limit
	}
	outCols := []string{"total", "owner", "rn"}
	for i := range q.By {
		outCols = append(outCols, "d"+strconv.Itoa(i))
	}
	outCols = append(outCols, "n", "n_amount", "s", "a", "mn", "mx", "wn", "wd", "x_n", "x_s")
	number := func(from entsql.TableView) *entsql.Selector {
		numbered := b.Select("*", "ROW_NUMBER() OVER (PARTITION BY owner ORDER BY "+strings.Join(order, ", ")+") AS rn").From(from)
		if fast && counted != nil && (owners != nil || len(q.By) > 0) {
			// groups of no counted project (the one group of an
			// ungrouped statement stays, as it does without a condition)
			numbered.Where(entsql.ExprP("n > 0"))
		}
		return b.Select(outCols...).From(numbered.As("ng")).Where(entsql.LTE("rn", limit)).
			OrderExpr(entsql.Expr("owner, rn"))
	}
	const wrap = "SELECT * FROM (%s) AS u ORDER BY total, owner, rn"

	if fast {
		totalCols := []string{"1 AS total", "owner", "NULL AS rn"}
		for i := range q.By {
			totalCols = append(totalCols, "NULL AS d"+strconv.Itoa(i))
		}
		// each average is the sum over the count, rounded as AVG's is
		totalCols = append(totalCols, "SUM(n)::bigint AS n", "SUM(n_amount)::bigint AS n_amount", "SUM(s) AS s",
			"ROUND(SUM(s) / NULLIF(SUM(n_amount), 0), 6) AS a", "MIN(mn) AS mn", "MAX(mx) AS mx",
			"SUM(wn) AS wn", "SUM(wd) AS wd", "SUM(x_n)::bigint AS x_n", "SUM(x_s) AS x_s")
		g := b.Table("g")
		totals := b.Select(totalCols...).From(g).GroupBy("owner")
		query, args := b.Select("*").From(number(g).As("sg")).UnionAll(totals).
			Prefix(b.With("g").As(groups)).Query()
		return fmt.Sprintf(wrap, query), args
	}
	sorted := number(groups.As("g"))

	// the totals, over each matching project once
	tt := b.Table(project.Table).As("p")
	total, towner := from(tt)
	totalCols := []entsql.Querier{entsql.Expr("1 AS total"), entsql.Expr(towner + " AS owner"), entsql.Expr("NULL AS rn")}
	for i := range q.By {
		totalCols = append(totalCols, entsql.Expr("NULL AS d"+strconv.Itoa(i)))
	}
	total.SelectExpr(append(totalCols, aggregates(tt, counted)...)...)
	if q.Filter != nil {
		q.Filter(total)
	}
	if owners != nil {
		total.GroupBy(towner)
	}
	query, args := b.Select("*").From(sorted.As("sg")).UnionAll(total).Query()
	return fmt.Sprintf(wrap, query), args
}

// withCond writes a column, with cond in parentheses at each {c}.
func withCond(col string, cond *entsql.Predicate) entsql.Querier {
	parts := strings.Split(col, "{c}")
	if len(parts) == 1 {
		return entsql.Expr(col)
	}
	return entsql.ExprFunc(func(b *entsql.Builder) {
		b.WriteString(parts[0])
		for _, part := range parts[1:] {
			b.WriteString("(").Join(cond).WriteString(")").WriteString(part)
		}
	})
}

func (r row) group(by []Dimension) (*Group, error) {
	g := &Group{Key: &Key{}, Count: int(r.count.Int64), CountWithAmount: int(r.countWithAmount.Int64)}
	for _, v := range []struct {
		src *sql.NullString
		dst **scalar.Decimal
	}{{&r.sum, &g.Sum}, {&r.avg, &g.Avg}, {&r.min, &g.Min}, {&r.max, &g.Max}} {
		if v.src.Valid {
			d := new(scalar.Decimal)
			if err := d.Scan(v.src.String); err != nil {
				return nil, err
			}
			*v.dst = d
		}
	}
	if r.rateNum.Valid && r.rateDen.Valid {
		var num, den scalar.Decimal
		if err := num.Scan(r.rateNum.String); err != nil {
			return nil, err
		}
		if err := den.Scan(r.rateDen.String); err != nil {
			return nil, err
		}
		if !den.IsZero() {
			// rounded as avg is: to 6 places, half away from zero
			rate := scalar.NewDecimal(num.DivRound(den.Decimal, 6))
			g.WeightedInterestRate = &rate
		}
	}
	if r.total.Int64 == 1 {
		return g, nil
	}
	for i, dim := range by {
		if !r.dims[i].Valid {
			continue // projects without a value for the dimension
		}
		s := r.dims[i].String
		k := g.Key
		switch dim {
		case Sector:
			v := project.Sector(s)
			k.Sector = &v
		case Status:
			v := project.Status(s)
			k.Status = &v
		case GreenCategory:
			v := project.GreenCategory(s)
			k.GreenCategory = &v
		case Region:
			v := partner.Region(s)
			k.Region = &v
		case ParticipantRole:
			v := projectparticipant.Role(s)
			k.ParticipantRole = &v
		case FlowClass:
			v := project.FlowClass(s)
			k.FlowClass = &v
		case FlowType:
			k.FlowType = &s
		case HostCountry, Participant, CommitmentYear:
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("project statistics: %s value %q: %w", dim, s, err)
			}
			switch dim {
			case HostCountry:
				k.HostCountryID = &n
			case Participant:
				k.ParticipantID = &n
			default:
				k.CommitmentYear = &n
			}
		}
	}
	return g, nil
}

// excluded reads what a total row left out.
func (r row) excluded() (*Excluded, error) {
	x := &Excluded{Count: int(r.excludedCount.Int64)}
	if r.excludedSum.Valid {
		x.Sum = new(scalar.Decimal)
		if err := x.Sum.Scan(r.excludedSum.String); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// loadPartners loads the partners the rows' keys name (host countries,
// participants), in one query.
func loadPartners(ctx context.Context, c *ent.Client, by []Dimension, rows []row) (map[int]*ent.Partner, error) {
	var ids []int
	for _, r := range rows {
		if r.total.Int64 == 1 {
			continue
		}
		g, err := r.group(by)
		if err != nil {
			return nil, err
		}
		for _, id := range []*int{g.Key.HostCountryID, g.Key.ParticipantID} {
			if id != nil {
				ids = append(ids, *id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := c.Partner.Query().Where(partner.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("project statistics: load partners: %w", err)
	}
	byID := make(map[int]*ent.Partner, len(found))
	for _, p := range found {
		byID[p.ID] = p
	}
	return byID, nil
}
