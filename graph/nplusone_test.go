package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// seedGrid makes partners countries, each hosting projectsEach projects, each
// supported by policiesEach policies of a shared pool.
func seedGrid(t *testing.T, c *ent.Client, partners, projectsEach, policiesEach int) {
	t.Helper()
	ctx := auth.SystemContext(context.Background(), "test fixture")
	pols := make([]int, policiesEach*2)
	for i := range pols {
		p, err := c.OpeningPolicy.Create().SetTitle(fmt.Sprintf("Policy %02d", i)).
			SetLevel(openingpolicy.LevelNATIONAL).SetCategory(openingpolicy.CategoryTARIFF).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pols[i] = p.ID
	}
	for i := range partners {
		country, err := c.Partner.Create().SetName(fmt.Sprintf("Country %02d", i)).SetKind(partner.KindCOUNTRY).
			SetCountryCode(fmt.Sprintf("Q%c%c", 'A'+i/26, 'A'+i%26)).AddPolicyIDs(pols[i%len(pols)]).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		bulk := make([]*ent.ProjectCreate, projectsEach)
		for j := range bulk {
			ids := make([]int, policiesEach)
			for k := range ids {
				ids[k] = pols[(j+k)%len(pols)]
			}
			bulk[j] = c.Project.Create().SetTitle(fmt.Sprintf("Project %02d-%02d", i, j)).
				SetSector(project.SectorENERGY).SetHostCountryID(country.ID).AddPolicyIDs(ids...)
		}
		if _, err := c.Project.CreateBulk(bulk...).Save(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNoNPlusOne: 20 partners × 10 projects × 5 policies (with partners
// below) cost a number of statements bounded by the depth, not by the rows.
func TestNoNPlusOne(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		seedGrid(t, db.Client, 20, 10, 5)
		s := apitest.NewServer(t, db)
		const q = `{
		  partners(first: 20, where: {kind: COUNTRY}) {
		    totalCount
		    edges { node { name
		      hostedProjects(first: 10) {
		        totalCount
		        edges { node { title
		          policies(first: 5) { totalCount edges { node { title } } }
		        } }
		      }
		    } }
		  }
		}`
		db.Counter.Reset()
		var out struct {
			Partners struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						HostedProjects struct {
							TotalCount int
							Edges      []struct {
								Node struct {
									Policies struct {
										TotalCount int
										Edges      []struct{ Node struct{ Title string } }
									}
								}
							}
						}
					}
				}
			}
		}
		res := s.DoAs("", q, nil) // anonymous: no key lookup in the count
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		stmts := db.Counter.Count()
		if err := json.Unmarshal(res.Data, &out); err != nil {
			t.Fatal(err)
		}
		if got := len(out.Partners.Edges); got != 20 {
			t.Fatalf("partners: got %d, want 20", got)
		}
		for _, p := range out.Partners.Edges {
			if n := len(p.Node.HostedProjects.Edges); n != 10 || p.Node.HostedProjects.TotalCount != 10 {
				t.Fatalf("projects of a partner: %d of %d, want 10 of 10", n, p.Node.HostedProjects.TotalCount)
			}
			for _, pr := range p.Node.HostedProjects.Edges {
				if n := len(pr.Node.Policies.Edges); n != 5 || pr.Node.Policies.TotalCount != 5 {
					t.Fatalf("policies of a project: %d of %d, want 5 of 5", n, pr.Node.Policies.TotalCount)
				}
			}
		}
		if stmts > 6 {
			t.Fatalf("the 3-level query cost %d SQL statements, want at most 6", stmts)
		}
		t.Logf("%s: %d statements", db.Dialect, stmts)
	})
}
