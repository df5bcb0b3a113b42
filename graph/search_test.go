package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

func TestSearch(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		ctx := auth.SystemContext(context.Background(), "test")
		c := db.Client
		c.Partner.UpdateOneID(f.hiSpeed.ID).SetLocalName("山东高速集团").ExecX(ctx)
		c.Partner.Create().SetName("Côte d'Ivoire").SetKind(partner.KindCOUNTRY).SetCountryCode("CIV").ExecX(ctx)
		c.Project.Create().SetTitle("Solar farm").SetSector(project.SectorENERGY).ExecX(ctx)
		c.Project.Create().SetTitle("Abidjan port upgrade").SetDescription("Deep-water berth for the solar panel trade").SetSector(project.SectorTRANSPORT).ExecX(ctx)
		c.OpeningPolicy.Create().SetTitle("Solar power feed-in tariff").SetLevel(openingpolicy.LevelPROVINCIAL).SetCategory(openingpolicy.CategoryGREEN_DEVELOPMENT).SetDocumentNumber("鲁政发〔2023〕5号").ExecX(ctx)
		s := apitest.NewServer(t, db)
		const q = `query($q: String!, $types: [SearchType!], $first: Int, $after: Cursor) {
			search(query: $q, types: $types, first: $first, after: $after) {
				totalCount pageInfo { hasNextPage endCursor }
				edges { score node { __typename ... on Partner { name } ... on Project { title hostCountry { name } } ... on Policy { title } } }
			} }`
		type result struct {
			Search struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   *string
				}
				Edges []struct {
					Score float64
					Node  struct {
						Typename    string `json:"__typename"`
						Name, Title string
					}
				}
			}
		}
		names := func(r result) string {
			var out []string
			for _, e := range r.Search.Edges {
				out = append(out, e.Node.Typename+":"+e.Node.Name+e.Node.Title)
			}
			return strings.Join(out, " | ")
		}
		cases := []struct {
			query string
			types []string
			want  string
		}{
			// exact title first, then titles with the word, then a description
			{"SOLAR", nil, "Project:Solar farm | Policy:Solar power feed-in tariff | Project:Quaid-e-Azam solar park | Project:Abidjan port upgrade"},
			{"park solar", nil, "Project:Quaid-e-Azam solar park"},             // any order
			{"cote divoire", nil, ""},                                          // words are words...
			{"côte d'ivoire", nil, "Partner:Côte d'Ivoire"},                    // accents and punctuation
			{"COTE D IVOIRE", []string{"PARTNER"}, "Partner:Côte d'Ivoire"},    // ...ignoring accents and case
			{"高速", nil, "Partner:Shandong Hi-Speed Group"},                     // Chinese local names
			{"鲁政发", nil, "Policy:Solar power feed-in tariff"},                  // document numbers
			{"solar", []string{"POLICY"}, "Policy:Solar power feed-in tariff"}, // types
			{"solar", []string{"PARTNER"}, ""},
			{"kaz", nil, "Partner:Kazakhstan"}, // country codes and prefixes
		}
		for _, cs := range cases {
			var r result
			vars := map[string]any{"q": cs.query}
			if cs.types != nil {
				vars["types"] = cs.types
			}
			s.MustOK(q, vars, &r)
			if got := names(r); got != cs.want {
				t.Errorf("%q %v:\n got %s\nwant %s", cs.query, cs.types, got, cs.want)
			}
		}
		// pages follow the ranking
		var p1, p2 result
		s.MustOK(q, map[string]any{"q": "solar", "first": 2}, &p1)
		s.MustOK(q, map[string]any{"q": "solar", "first": 2, "after": *p1.Search.PageInfo.EndCursor}, &p2)
		if p1.Search.TotalCount != 4 || !p1.Search.PageInfo.HasNextPage || p2.Search.PageInfo.HasNextPage ||
			names(p1)+" | "+names(p2) != "Project:Solar farm | Policy:Solar power feed-in tariff | Project:Quaid-e-Azam solar park | Project:Abidjan port upgrade" {
			t.Fatalf("pages: %s / %s", names(p1), names(p2))
		}
		// bounded statements: the search, then one load per type found, with nested edges eager-loaded
		db.Counter.Reset()
		var r result
		res := s.DoAs("", q, map[string]any{"q": "solar"})
		mustData(t, res, &r)
		if n := db.Counter.Count(); n > 1+2+1 {
			t.Fatalf("search cost %d statements", n)
		}
		for _, bad := range []string{"", "   ", "!!!", strings.Repeat("a ", 11), strings.Repeat("x", 201)} {
			s.MustFail("BAD_USER_INPUT", q, map[string]any{"q": bad})
		}
		s.MustFail("BAD_USER_INPUT", q, map[string]any{"q": "solar", "first": 101})
	})
}

// TestSearchUsesIndex: on PostgreSQL the word matching is served by the
// trigram index.
func TestSearchUsesIndex(t *testing.T) {
	db := apitest.OpenPostgres(t)
	conn, err := db.SQL.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.QueryContext(context.Background(), `EXPLAIN SELECT id FROM projects WHERE search_text LIKE '%solar%' ESCAPE '\'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		_ = rows.Scan(&line)
		plan = append(plan, line)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "projects_search_text_trgm") {
		t.Fatalf("plan does not use the trigram index:\n%s", strings.Join(plan, "\n"))
	}
}
