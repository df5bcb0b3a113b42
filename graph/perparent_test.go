package graph_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

// TestPagesPerParent: the pages of an edge under a list (each country's
// first projects, each project's first policies) hold each parent's own
// first rows in the edge's order, with the right page info and total, in
// one statement per edge. On PostgreSQL that statement reads each parent's
// rows through a LATERAL subquery over the parents' keys (an index reads n
// rows a parent); SQLite numbers the rows with a window function.
func TestPagesPerParent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		cases := []struct {
			name, query, want string
			stmts             int
		}{
			{"one-to-many, first and last, ordered",
				`{ partners(where: {kind: COUNTRY}, orderBy: {field: NAME}) { edges { node { name
					cheapest: hostedProjects(first: 1, orderBy: {field: AMOUNT_USD}) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { title } } }
					latest: hostedProjects(last: 1) { pageInfo { hasNextPage hasPreviousPage } edges { node { title } } }
					energy: hostedProjects(first: 5, where: {sector: ENERGY}, orderBy: {field: TITLE, direction: DESC}) { edges { node { title } } } } } } }`,
				`{"partners":{"edges":[
					{"node":{"name":"China","cheapest":{"totalCount":0,"pageInfo":{"hasNextPage":false,"hasPreviousPage":false},"edges":[]},"latest":{"pageInfo":{"hasNextPage":false,"hasPreviousPage":false},"edges":[]},"energy":{"edges":[]}}},
					{"node":{"name":"Kazakhstan","cheapest":{"totalCount":1,"pageInfo":{"hasNextPage":false,"hasPreviousPage":false},"edges":[{"node":{"title":"Almaty assembly centre"}}]},"latest":{"pageInfo":{"hasNextPage":false,"hasPreviousPage":false},"edges":[{"node":{"title":"Almaty assembly centre"}}]},"energy":{"edges":[]}}},
					{"node":{"name":"Pakistan","cheapest":{"totalCount":2,"pageInfo":{"hasNextPage":true,"hasPreviousPage":false},"edges":[{"node":{"title":"Quaid-e-Azam solar park"}}]},"latest":{"pageInfo":{"hasNextPage":false,"hasPreviousPage":true},"edges":[{"node":{"title":"Quaid-e-Azam solar park"}}]},"energy":{"edges":[{"node":{"title":"Sahiwal coal power plant"}},{"node":{"title":"Quaid-e-Azam solar park"}}]}}},
					{"node":{"name":"Serbia","cheapest":{"totalCount":1,"pageInfo":{"hasNextPage":false,"hasPreviousPage":false},"edges":[{"node":{"title":"Linglong tyre plant Zrenjanin"}}]},"latest":{"pageInfo":{"hasNextPage":false,"hasPreviousPage":false},"edges":[{"node":{"title":"Linglong tyre plant Zrenjanin"}}]},"energy":{"edges":[]}}}]}}`,
				// partners, a page per alias, and the counts that
				// totalCount and last's hasPreviousPage need
				6},
			{"many-to-many, through a join table and an edge schema",
				`{ projects(orderBy: {field: TITLE}) { edges { node { title
					policies(first: 1) { pageInfo { hasNextPage } edges { node { title } } }
					participants(first: 1) { pageInfo { hasNextPage } edges { node { name } } } } } } }`,
				`{"projects":{"edges":[
					{"node":{"title":"Almaty assembly centre","policies":{"pageInfo":{"hasNextPage":true},"edges":[{"node":{"title":"Qilu China-Europe train support measures"}}]},"participants":{"pageInfo":{"hasNextPage":true},"edges":[{"node":{"name":"Kazakhstan"}}]}}},
					{"node":{"title":"Linglong tyre plant Zrenjanin","policies":{"pageInfo":{"hasNextPage":false},"edges":[{"node":{"title":"China (Shandong) Pilot Free Trade Zone"}}]},"participants":{"pageInfo":{"hasNextPage":false},"edges":[{"node":{"name":"Linglong Tyre"}}]}}},
					{"node":{"title":"Quaid-e-Azam solar park","policies":{"pageInfo":{"hasNextPage":false},"edges":[]},"participants":{"pageInfo":{"hasNextPage":false},"edges":[{"node":{"name":"Export-Import Bank of China"}}]}}},
					{"node":{"title":"Sahiwal coal power plant","policies":{"pageInfo":{"hasNextPage":false},"edges":[]},"participants":{"pageInfo":{"hasNextPage":false},"edges":[{"node":{"name":"Export-Import Bank of China"}}]}}}]}}`,
				// projects, then per edge the page and its count
				5},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				answers(t, s, c.query, c.want)
				stmts := db.Counter.Statements()
				if len(stmts) != c.stmts {
					t.Errorf("%d statements, want %d:\n%s", len(stmts), c.stmts, strings.Join(stmts, "\n"))
				}
				lateral, window := 0, 0
				for _, q := range stmts {
					if strings.Contains(q, "CROSS JOIN LATERAL") {
						lateral++
					}
					if strings.Contains(q, "ROW_NUMBER()") {
						window++
						if !pageOrder.MatchString(q) {
							t.Errorf("SQLite: the rows of a page per parent come in no stated order: %s", q)
						}
					}
				}
				if db.IsPostgres() && (lateral == 0 || window > 0) {
					t.Errorf("PostgreSQL: %d pages per parent by LATERAL and %d by ROW_NUMBER, want all by LATERAL", lateral, window)
				}
				if !db.IsPostgres() && (window == 0 || lateral > 0) {
					t.Errorf("SQLite: %d pages per parent by LATERAL and %d by ROW_NUMBER, want all by ROW_NUMBER", lateral, window)
				}
			})
		}
	})
}

// TestProbeRowEdges: a page fetches one row more than it shows, to tell
// whether another page follows; the edges of that row are not loaded.
func TestProbeRowEdges(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		// Almaty (Kazakhstan) is shown; Zrenjanin (Serbia) is the probe row.
		answers(t, s, `{ projects(first: 1, orderBy: {field: TITLE}) { edges { node { title hostCountry { name } } } } }`,
			`{"projects":{"edges":[{"node":{"title":"Almaty assembly centre","hostCountry":{"name":"Kazakhstan"}}}]}}`)
		stmts := db.Counter.Statements()
		if len(stmts) != 2 {
			t.Fatalf("%d statements, want 2:\n%s", len(stmts), strings.Join(stmts, "\n"))
		}
		hosts := stmts[1]
		if !strings.Contains(hosts, "partners") || strings.Count(hosts, "?")+strings.Count(hosts, "$") != 1 {
			t.Errorf("the host countries were loaded for more than the row shown: %s", hosts)
		}
	})
}

// pageOrder is how a SQLite page per parent ends: in each parent's order.
var pageOrder = regexp.MustCompile("ORDER BY (`\\w+`\\.)?`row_number`$")

// TestManyToManyOrderPerParent: each parent's page of a many-to-many edge
// keeps the edge's order even when parents share children and an earlier
// parent meets a shared child first. Projects by title descending meet the
// free trade zone under Linglong before Almaty, which also has the (older)
// corridor policy: Almaty's policies are still corridor, then free trade
// zone, and the same on the reverse edge and through partners.
func TestManyToManyOrderPerParent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		answers(t, s, `{ projects(orderBy: {field: TITLE, direction: DESC}, where: {hasPolicies: true}) { edges { node { title
				policies { edges { node { title } } }
				firstTwo: policies(first: 2) { edges { node { title } } } } } } }`,
			`{"projects":{"edges":[
				{"node":{"title":"Linglong tyre plant Zrenjanin",
					"policies":{"edges":[{"node":{"title":"China (Shandong) Pilot Free Trade Zone"}}]},
					"firstTwo":{"edges":[{"node":{"title":"China (Shandong) Pilot Free Trade Zone"}}]}}},
				{"node":{"title":"Almaty assembly centre",
					"policies":{"edges":[{"node":{"title":"Qilu China-Europe train support measures"}},{"node":{"title":"China (Shandong) Pilot Free Trade Zone"}}]},
					"firstTwo":{"edges":[{"node":{"title":"Qilu China-Europe train support measures"}},{"node":{"title":"China (Shandong) Pilot Free Trade Zone"}}]}}}]}}`)
		answers(t, s, `{ policies(orderBy: {field: TITLE}) { edges { node { title
				projects { edges { node { title } } }
				partners(first: 5) { edges { node { name } } } } } } }`,
			`{"policies":{"edges":[
				{"node":{"title":"China (Shandong) Pilot Free Trade Zone",
					"projects":{"edges":[{"node":{"title":"Almaty assembly centre"}},{"node":{"title":"Linglong tyre plant Zrenjanin"}}]},
					"partners":{"edges":[{"node":{"name":"Linglong Tyre"}}]}}},
				{"node":{"title":"Qilu China-Europe train support measures",
					"projects":{"edges":[{"node":{"title":"Almaty assembly centre"}}]},
					"partners":{"edges":[{"node":{"name":"Kazakhstan"}},{"node":{"name":"Shandong Hi-Speed Group"}}]}}}]}}`)
	})
}

// TestProbeRowEdgesPerParent: under a list, each parent's page fetches one
// row more than it shows; the edges of those rows are not loaded either.
func TestProbeRowEdgesPerParent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		// Pakistan's first project is Sahiwal; Quaid-e-Azam is its probe.
		answers(t, s, `{ partners(where: {kind: COUNTRY}, orderBy: {field: NAME}) { edges { node { name
				hostedProjects(first: 1) { pageInfo { hasNextPage } edges { node { title policies { edges { node { title } } } } } } } } } }`,
			`{"partners":{"edges":[
				{"node":{"name":"China","hostedProjects":{"pageInfo":{"hasNextPage":false},"edges":[]}}},
				{"node":{"name":"Kazakhstan","hostedProjects":{"pageInfo":{"hasNextPage":false},"edges":[{"node":{"title":"Almaty assembly centre","policies":{"edges":[
					{"node":{"title":"Qilu China-Europe train support measures"}},{"node":{"title":"China (Shandong) Pilot Free Trade Zone"}}]}}}]}}},
				{"node":{"name":"Pakistan","hostedProjects":{"pageInfo":{"hasNextPage":true},"edges":[{"node":{"title":"Sahiwal coal power plant","policies":{"edges":[]}}}]}}},
				{"node":{"name":"Serbia","hostedProjects":{"pageInfo":{"hasNextPage":false},"edges":[{"node":{"title":"Linglong tyre plant Zrenjanin","policies":{"edges":[
					{"node":{"title":"China (Shandong) Pilot Free Trade Zone"}}]}}}]}}}]}}`)
		stmts, args := db.Counter.Statements(), db.Counter.Args()
		policies := -1
		for i, q := range stmts {
			if strings.Contains(q, "opening_policy_projects") {
				policies = i
			}
		}
		if policies < 0 {
			t.Fatalf("no statement reads the projects' policies:\n%s", strings.Join(stmts, "\n"))
		}
		got := map[int64]bool{}
		for _, v := range intArgs(args[policies]) {
			got[v] = true
		}
		for _, id := range []int{f.almaty.ID, f.sahiwal.ID, f.zrenjanin.ID} {
			if !got[int64(id)] {
				t.Errorf("the policies of project %d were not loaded: %s %v", id, stmts[policies], args[policies])
			}
		}
		if got[int64(f.solar.ID)] {
			t.Errorf("the policies of the probe row (Quaid-e-Azam) were loaded: %s %v", stmts[policies], args[policies])
		}

		// One parent: its page is a plain LIMIT, and its probe row is
		// spared too.
		answers(t, s, `{ node(id: "`+gid(f.pak.ID)+`") { ... on Partner { name
				hostedProjects(first: 1) { pageInfo { hasNextPage } edges { node { title policies { edges { node { title } } } } } } } } }`,
			`{"node":{"name":"Pakistan","hostedProjects":{"pageInfo":{"hasNextPage":true},"edges":[{"node":{"title":"Sahiwal coal power plant","policies":{"edges":[]}}}]}}}`)
		stmts, args = db.Counter.Statements(), db.Counter.Args()
		loaded := 0
		for i, q := range stmts {
			if !strings.Contains(q, "opening_policy_projects") {
				continue
			}
			loaded++
			for _, v := range intArgs(args[i]) {
				if v == int64(f.solar.ID) {
					t.Errorf("one parent: the policies of the probe row (Quaid-e-Azam) were loaded: %s %v", q, args[i])
				}
			}
		}
		if loaded != 1 {
			t.Errorf("one parent: %d statements read the projects' policies, want 1:\n%s", loaded, strings.Join(stmts, "\n"))
		}
	})
}

// intArgs lists the integers among a statement's arguments, and in its
// integer arrays.
func intArgs(v any) []int64 {
	switch x := v.(type) {
	case []any:
		var out []int64
		for _, e := range x {
			out = append(out, intArgs(e)...)
		}
		return out
	case int:
		return []int64{int64(x)}
	case int64:
		return []int64{x}
	case *pq.Int64Array: // pq.Array([]int64{...})
		return *x
	}
	return nil
}
