package seed_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/seed"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

func openSQLite(t *testing.T) *ent.Client {
	t.Helper()
	client, _, err := store.Open(context.Background(), store.Config{SQLitePath: filepath.Join(t.TempDir(), "t.db")})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// openPostgres opens a fresh schema of its own in the test PostgreSQL
// server (see internal/apitest), dropped when the test ends.
func openPostgres(t *testing.T) *ent.Client {
	t.Helper()
	client, _, err := store.Open(context.Background(), store.Config{DatabaseURL: apitest.PostgresURL(t)})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

func TestRunSQLite(t *testing.T)   { testRun(t, openSQLite(t)) }
func TestRunPostgres(t *testing.T) { testRun(t, openPostgres(t)) }

func testRun(t *testing.T, client *ent.Client) {
	ctx := context.Background()
	stats, err := seed.Run(ctx, client)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !stats.Created {
		t.Fatal("Run on an empty database: Created = false")
	}
	t.Logf("seeded %+v", stats)
	counts := countRows(t, client)
	want := [4]int{stats.Partners, stats.Projects, stats.Policies, stats.Participations}
	if counts != want {
		t.Errorf("rows (partners, projects, policies, participations) = %v, Stats says %v", counts, want)
	}
	checkPartners(t, client)
	checkProjects(t, client)
	checkPolicies(t, client)

	again, err := seed.Run(ctx, client)
	if err != nil {
		t.Fatalf("second Run: %v", err)
	}
	if again != (seed.Stats{}) {
		t.Errorf("second Run = %+v, want nothing created", again)
	}
	if after := countRows(t, client); after != counts {
		t.Errorf("second Run changed the row counts from %v to %v", counts, after)
	}
}

func countRows(t *testing.T, c *ent.Client) [4]int {
	t.Helper()
	ctx := context.Background()
	var n [4]int
	for i, count := range []func(context.Context) (int, error){
		c.Partner.Query().Count, c.Project.Query().Count, c.OpeningPolicy.Query().Count, c.ProjectParticipant.Query().Count,
	} {
		v, err := count(ctx)
		if err != nil {
			t.Fatalf("count: %v", err)
		}
		n[i] = v
	}
	return n
}

func checkPartners(t *testing.T, c *ent.Client) {
	t.Helper()
	partners, err := c.Partner.Query().WithCountry().All(context.Background())
	if err != nil {
		t.Fatalf("list partners: %v", err)
	}
	if len(partners) < 40 {
		t.Errorf("%d partners, want at least 40", len(partners))
	}
	codes := map[string]bool{}
	for _, p := range partners {
		switch {
		case p.Kind == partner.KindCOUNTRY:
			if p.CountryCode == nil {
				t.Errorf("country %q has no code", p.Name)
				continue
			}
			codes[*p.CountryCode] = true
		case p.Kind == partner.KindINTERNATIONAL_ORGANIZATION:
		case p.Edges.Country == nil:
			t.Errorf("%s %q has no home country", p.Kind, p.Name)
		}
		if p.Region == nil {
			t.Errorf("partner %q has no region", p.Name)
		}
	}
	if len(codes) < 25 {
		t.Errorf("%d countries with distinct codes, want at least 25", len(codes))
	}
}

func checkProjects(t *testing.T, c *ent.Client) {
	t.Helper()
	projects, err := c.Project.Query().WithHostCountry().WithParticipations().WithComponents().All(context.Background())
	if err != nil {
		t.Fatalf("list projects: %v", err)
	}
	if len(projects) < 60 {
		t.Errorf("%d projects, want at least 60", len(projects))
	}
	sectors, statuses, greens, precisions := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	var severalRoles, umbrellas, loans, geometries int
	titles := map[string]bool{}
	for _, p := range projects {
		sectors[p.Sector.String()] = true
		statuses[p.Status.String()] = true
		greens[p.GreenCategory.String()] = true
		if titles[p.Title] {
			t.Errorf("title %q is used twice", p.Title)
		}
		titles[p.Title] = true
		if h := p.Edges.HostCountry; h == nil || h.Kind != partner.KindCOUNTRY {
			t.Errorf("project %q has no host country", p.Title)
		}
		if n := len(p.Edges.Participations); n < 1 || n > 8 {
			t.Errorf("project %q has %d participations, want 1-8", p.Title, n)
		}
		roles := map[int]int{}
		for _, pp := range p.Edges.Participations {
			if roles[pp.PartnerID]++; roles[pp.PartnerID] == 2 {
				severalRoles++
			}
		}
		if p.Latitude == nil || p.Longitude == nil || p.LocationPrecision == nil {
			t.Errorf("project %q lacks coordinates with their precision", p.Title)
		} else {
			precisions[p.LocationPrecision.String()] = true
			if *p.LocationPrecision != project.LocationPrecisionCOUNTRY && (p.City == nil || *p.City == "") {
				t.Errorf("project %q located finer than its country names no city", p.Title)
			}
		}
		if p.Geometry != nil {
			geometries++
		}
		if p.Umbrella {
			umbrellas++
			if p.CountsInAggregates || len(p.Edges.Components) < 2 {
				t.Errorf("umbrella %q counts in aggregates (%v) or has %d components, want not and 2+", p.Title, p.CountsInAggregates, len(p.Edges.Components))
			}
		}
		if p.InterestRate != nil && p.MaturityYears != nil && p.FlowClass != nil {
			loans++
		}
		if p.Amount != nil && (p.Currency == nil || p.AmountUsd == nil) {
			t.Errorf("project %q has an amount without currency or USD amount", p.Title)
		}
		if p.CommitmentYear == nil || *p.CommitmentYear < 2013 || *p.CommitmentYear > 2024 {
			t.Errorf("project %q: commitment year %v, want 2013-2024", p.Title, p.CommitmentYear)
		}
		if p.Status == project.StatusCOMPLETED && p.CompletedOn == nil {
			t.Errorf("completed project %q has no completion date", p.Title)
		}
	}
	// The enums' values, as declared in ent/schema/project.go.
	coverage := []struct {
		what string
		got  map[string]bool
		want string
	}{
		{"sectors", sectors, "ENERGY TRANSPORT LOGISTICS MANUFACTURING TEXTILES AGRICULTURE MINING ICT FINANCE HEALTH EDUCATION TRADE INDUSTRIAL_PARK SCIENCE_TECHNOLOGY WATER OTHER"},
		{"statuses", statuses, "PIPELINE SIGNED UNDER_CONSTRUCTION OPERATIONAL COMPLETED SUSPENDED CANCELLED"},
		{"green categories", greens, "NONE RENEWABLE_ENERGY ENERGY_EFFICIENCY CLEAN_TRANSPORT GREEN_MANUFACTURING COAL_POWER_UPGRADE ECOLOGICAL_PROTECTION OTHER_GREEN"},
		{"location precisions", precisions, "EXACT ADMIN2 ADMIN1 CITY COUNTRY"},
	}
	// what the playground's examples show
	if severalRoles < 2 || umbrellas < 1 || loans < 3 || geometries < 1 {
		t.Errorf("%d partners with several roles in a project, %d umbrellas, %d loans with terms, %d geometries; want 2, 1, 3, 1 at least",
			severalRoles, umbrellas, loans, geometries)
	}
	for _, cv := range coverage {
		for _, v := range strings.Fields(cv.want) {
			if !cv.got[v] {
				t.Errorf("no project among the %s has %s", cv.what, v)
			}
		}
	}
}

func checkPolicies(t *testing.T, c *ent.Client) {
	t.Helper()
	policies, err := c.OpeningPolicy.Query().WithProjects().WithPartners().All(context.Background())
	if err != nil {
		t.Fatalf("list policies: %v", err)
	}
	if len(policies) < 15 {
		t.Errorf("%d policies, want at least 15", len(policies))
	}
	superseded := 0
	for _, p := range policies {
		if n := len(p.Edges.Projects); n < 2 || n > 10 {
			t.Errorf("policy %q links %d projects, want 2-10", p.Title, n)
		}
		if n := len(p.Edges.Partners); n < 1 || n > 5 {
			t.Errorf("policy %q links %d partners, want 1-5", p.Title, n)
		}
		if p.SupersededByID != nil {
			superseded++
		}
	}
	if superseded == 0 {
		t.Error("no policy is superseded by another")
	}
}

// TestRunRollsBackOnError makes a late write fail and checks that nothing
// written before it stays.
func TestRunRollsBackOnError(t *testing.T) {
	client := openSQLite(t)
	failure := errors.New("injected failure")
	client.OpeningPolicy.Use(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			return nil, failure
		})
	})
	stats, err := seed.Run(context.Background(), client)
	if !errors.Is(err, failure) {
		t.Fatalf("Run = %v, want the injected failure", err)
	}
	if !strings.HasPrefix(err.Error(), "seed policy ") {
		t.Errorf("error %q does not say which policy failed", err)
	}
	if stats != (seed.Stats{}) {
		t.Errorf("failed Run reported %+v", stats)
	}
	if counts := countRows(t, client); counts != [4]int{} {
		t.Errorf("failed Run left rows (partners, projects, policies, participations) %v", counts)
	}
}

// TestRunIsDeterministic seeds two databases and compares what they hold.
func TestRunIsDeterministic(t *testing.T) {
	a, b := openSQLite(t), openSQLite(t)
	for _, c := range []*ent.Client{a, b} {
		if _, err := seed.Run(context.Background(), c); err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	if da, db := dump(t, a), dump(t, b); da != db {
		t.Errorf("two runs wrote different data:\n%s\n---\n%s", da, db)
	}
}

// dump renders the seeded rows without their timestamps.
func dump(t *testing.T, c *ent.Client) string {
	t.Helper()
	ctx := context.Background()
	var sb strings.Builder
	partners, err := c.Partner.Query().Order(partner.ByID()).All(ctx)
	if err != nil {
		t.Fatalf("list partners: %v", err)
	}
	for _, p := range partners {
		fmt.Fprintln(&sb, p.ID, p.Name, deref(p.LocalName), p.Kind, deref(p.CountryCode), deref(p.Region), deref(p.BriSignedOn), deref(p.CountryID))
	}
	projects, err := c.Project.Query().Order(project.ByID()).WithParticipations().WithPolicies().All(ctx)
	if err != nil {
		t.Fatalf("list projects: %v", err)
	}
	for _, p := range projects {
		fmt.Fprintln(&sb, p.ID, p.Title, p.Sector, p.Status, p.GreenCategory, deref(p.Amount), deref(p.Currency), deref(p.AmountUsd),
			deref(p.CommitmentYear), deref(p.SignedOn), deref(p.StartedOn), deref(p.CompletedOn), deref(p.City), deref(p.Latitude), deref(p.Longitude), deref(p.HostCountryID))
		for _, pp := range p.Edges.Participations {
			fmt.Fprintln(&sb, " ", pp.PartnerID, pp.Role, deref(pp.SharePercent))
		}
		for _, pol := range p.Edges.Policies {
			fmt.Fprintln(&sb, "  policy", pol.ID, deref(pol.SupersededByID))
		}
	}
	return sb.String()
}

func deref[T any](p *T) any {
	if p == nil {
		return "-"
	}
	return *p
}
