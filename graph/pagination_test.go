package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/scalar"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

type page struct {
	Projects struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
		Edges []struct {
			Cursor string
			Node   struct{ Title string }
		}
	}
}

func (p page) titles() []string {
	out := make([]string, len(p.Projects.Edges))
	for i, e := range p.Projects.Edges {
		out[i] = e.Node.Title
	}
	return out
}

func TestCursorPagination(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		seedGrid(t, db.Client, 5, 5, 1) // 25 projects "Project ii-jj"
		s := apitest.NewServer(t, db)
		const q = `query($first: Int, $after: Cursor, $last: Int, $before: Cursor) {
			projects(first: $first, after: $after, last: $last, before: $before, orderBy: {field: TITLE, direction: DESC}) {
				totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
				edges { cursor node { title } }
			}
		}`
		var all []string
		var after any
		for {
			var p page
			s.MustOK(q, map[string]any{"first": 7, "after": after}, &p)
			if p.Projects.TotalCount != 25 {
				t.Fatalf("totalCount %d, want 25", p.Projects.TotalCount)
			}
			all = append(all, p.titles()...)
			if !p.Projects.PageInfo.HasNextPage {
				if len(p.Projects.Edges) != 4 {
					t.Fatalf("last forward page has %d items, want 4", len(p.Projects.Edges))
				}
				break
			}
			after = *p.Projects.PageInfo.EndCursor
		}
		if len(all) != 25 || all[0] != "Project 04-04" || all[24] != "Project 00-00" {
			t.Fatalf("forward pages: %d items, %q ... %q", len(all), all[0], all[len(all)-1])
		}
		for i := 1; i < len(all); i++ {
			if all[i] >= all[i-1] {
				t.Fatalf("forward pages out of order or repeated at %d: %q then %q", i, all[i-1], all[i])
			}
		}
		// backwards from the end, with last/before
		var back []string
		var before any
		for {
			var p page
			s.MustOK(q, map[string]any{"last": 10, "before": before}, &p)
			back = append(p.titles(), back...)
			if !p.Projects.PageInfo.HasPreviousPage {
				break
			}
			before = *p.Projects.PageInfo.StartCursor
		}
		jsonEq(t, mustJSON(t, back), string(mustJSON(t, all)))
	})
}

func TestPageLimits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		seedGrid(t, db.Client, 5, 30, 1) // 150 projects, 30 per country
		s := apitest.NewServer(t, db)

		// no first/last: 20, at the top and nested
		var out struct {
			Projects struct {
				TotalCount int
				Edges      []struct{ Cursor string }
			}
			Partners struct {
				Edges []struct {
					Node struct {
						HostedProjects struct {
							TotalCount int
							Edges      []struct{ Cursor string }
						}
					}
				}
			}
		}
		db.Counter.Reset()
		s.MustOK(`{ projects { totalCount edges { cursor } } partners(where: {kind: COUNTRY}) { edges { node { hostedProjects { totalCount edges { cursor } } } } } }`, nil, &out)
		if out.Projects.TotalCount != 150 || len(out.Projects.Edges) != 20 {
			t.Fatalf("top level: %d of %d, want 20 of 150", len(out.Projects.Edges), out.Projects.TotalCount)
		}
		for _, p := range out.Partners.Edges {
			if hp := p.Node.HostedProjects; hp.TotalCount != 30 || len(hp.Edges) != 20 {
				t.Fatalf("nested: %d of %d, want 20 of 30", len(hp.Edges), hp.TotalCount)
			}
		}

		// 100 is allowed; beyond, and negative, are refused with a clear error
		s.MustOK(`{ projects(first: 100) { edges { cursor } } }`, nil, nil)
		for _, c := range []struct {
			query string
			vars  map[string]any
			msg   string
		}{
			{`{ projects(first: 101) { totalCount } }`, nil, "first: at most 100 items a page on projects, got 101"},
			{`query($n: Int) { projects(last: $n) { totalCount } }`, map[string]any{"n": 1000000}, "last: at most 100 items a page on projects, got 1000000"},
			{`{ partners { edges { node { hostedProjects(first: 500) { totalCount } } } } }`, nil, "first: at most 100 items a page on hostedProjects, got 500"},
			{`query { ...F } fragment F on Query { policies(first: -1) { totalCount } }`, nil, "first: must not be negative on policies, got -1"},
		} {
			db.Counter.Reset()
			res := s.DoAs("", c.query, c.vars) // anonymous: no key lookup in the count
			if len(res.Errors) != 1 || res.Errors[0].Code() != "BAD_USER_INPUT" {
				t.Fatalf("%s: %+v", c.query, res.Errors)
			}
			e := res.Errors[0]
			if e.Message != c.msg {
				t.Errorf("message %q, want %q", e.Message, c.msg)
			}
			if n := db.Counter.Count(); n != 0 {
				t.Errorf("%s: a refused page ran %d statements", c.query, n)
			}
		}
	})
}

func TestNodeAndNodes(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		var p struct {
			Node struct {
				Participations struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		s.MustOK(`query($id: ID!) { node(id: $id) { ... on Project { participations(where: {role: OPERATOR}) { edges { node { id } } } } } }`, map[string]any{"id": gid(f.almaty.ID)}, &p)
		partID := p.Node.Participations.Edges[0].Node.ID

		const q = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
			... on Partner { name } ... on Project { title } ... on Policy { title }
			... on ProjectParticipant { role partner { name } project { title } } } }`
		res := s.Do(q, map[string]any{"ids": []string{gid(f.kaz.ID), gid(f.sahiwal.ID), gid(f.fta.ID), partID}})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, fmt.Sprintf(`{"nodes":[
			{"__typename":"Partner","id":%q,"name":"Kazakhstan"},
			{"__typename":"Project","id":%q,"title":"Sahiwal coal power plant"},
			{"__typename":"Policy","id":%q,"title":"China (Shandong) Pilot Free Trade Zone"},
			{"__typename":"ProjectParticipant","id":%q,"role":"OPERATOR","partner":{"name":"Shandong Hi-Speed Group"},"project":{"title":"Almaty assembly centre"}}]}`,
			gid(f.kaz.ID), gid(f.sahiwal.ID), gid(f.fta.ID), partID))

		// ids are opaque: not the integers the database uses
		for _, id := range []string{gid(f.kaz.ID), partID} {
			if _, err := fmt.Sscan(id, new(int)); err == nil {
				t.Errorf("id %q is a plain number", id)
			}
		}

		// node of a deleted object is null; a forged id is refused
		s.MustOK(`mutation($id: ID!) { deleteProject(id: $id) { deletedID } }`, map[string]any{"id": gid(f.solar.ID)}, nil)
		res = s.Do(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid(f.solar.ID)})
		jsonEq(t, res.Data, `{"node":null}`)
		if len(res.Errors) != 0 {
			t.Fatalf("errors for a missing node: %+v", res.Errors)
		}
		res = s.Do(q, map[string]any{"ids": []string{gid(f.kaz.ID), gid(f.solar.ID)}})
		jsonEq(t, res.Data, fmt.Sprintf(`{"nodes":[{"__typename":"Partner","id":%q,"name":"Kazakhstan"},null]}`, gid(f.kaz.ID)))
		if len(res.Errors) != 1 || res.Errors[0].Code() != "NOT_FOUND" || res.Errors[0].Message != "no object has the id "+gid(f.solar.ID) {
			t.Fatalf("nodes with a missing id: %+v", res.Errors)
		}
		for _, forged := range []string{"42", "UHJvamVjdDox", "not base64!"} {
			e := s.MustFail("BAD_USER_INPUT", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": forged})
			t.Logf("forged %q: %s", forged, e.Message)
		}
	})
}

// TestPagingByDecimalsAndDates: cursors of Decimal and Date order fields
// carry values the databases compare as numbers and dates.
func TestPagingByDecimalsAndDates(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		ctx := auth.SystemContext(context.Background(), "test")
		var bulk []*ent.ProjectCreate
		for i := range 23 {
			c := db.Client.Project.Create().SetTitle(fmt.Sprintf("P%02d", i)).SetSector(project.SectorTRADE)
			if i%5 != 0 { // some without amounts or dates
				c.SetAmountUsd(scalar.MustParseDecimal(fmt.Sprintf("%d.%02d", (i*7919)%1000, i))).
					SetSignedOn(scalar.NewDate(2000+i%7, time.Month(1+i%12), 1+i))
			}
			bulk = append(bulk, c)
		}
		db.Client.Project.CreateBulk(bulk...).ExecX(ctx)
		s := apitest.NewServer(t, db)
		for _, field := range []string{"AMOUNT_USD", "SIGNED_ON"} {
			for _, dir := range []string{"ASC", "DESC"} {
				var seen []string
				var after any
				for pages := 0; pages < 10; pages++ {
					var p page
					s.MustOK(`query($after: Cursor) { projects(first: 4, after: $after, orderBy: {field: `+field+`, direction: `+dir+`}) {
						totalCount pageInfo { hasNextPage endCursor } edges { node { title } } } }`, map[string]any{"after": after}, &p)
					seen = append(seen, p.titles()...)
					if !p.Projects.PageInfo.HasNextPage {
						break
					}
					after = *p.Projects.PageInfo.EndCursor
				}
				var all page
				s.MustOK(`{ projects(first: 100, orderBy: {field: `+field+`, direction: `+dir+`}) { edges { node { title } } } }`, nil, &all)
				if strings.Join(seen, ",") != strings.Join(all.titles(), ",") || len(seen) != 23 {
					t.Errorf("%s %s: pages give %v\n one page gives %v", field, dir, seen, all.titles())
				}
				// and backwards, from the end
				var back []string
				var before any
				for pages := 0; pages < 10; pages++ {
					var p page
					s.MustOK(`query($before: Cursor) { projects(last: 4, before: $before, orderBy: {field: `+field+`, direction: `+dir+`}) {
						pageInfo { hasPreviousPage startCursor } edges { node { title } } } }`, map[string]any{"before": before}, &p)
					back = append(p.titles(), back...)
					if !p.Projects.PageInfo.HasPreviousPage {
						break
					}
					before = *p.Projects.PageInfo.StartCursor
				}
				if strings.Join(back, ",") != strings.Join(all.titles(), ",") {
					t.Errorf("%s %s backwards: pages give %v\n one page gives %v", field, dir, back, all.titles())
				}
			}
		}
	})
}
