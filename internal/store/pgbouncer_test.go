package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/seed"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

// The reason the pooled URL sets binary_parameters: through PgBouncer in
// transaction mode, lib/pq's default two round trips per statement with
// parameters reach other server connections between Parse and Bind, and
// such statements fail; the store's pooled connections never do.
func TestPgBouncerStatementsInOneRoundTrip(t *testing.T) {
	pooled, direct := apitest.PgBouncerURLs(t)
	plain, err := sql.Open("postgres", pooled)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	db, err := store.OpenDB(store.Config{DatabaseURL: pooled, DirectURL: direct, MaxOpenConns: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer db.SQL.Close()
	hammer := func(sdb *sql.DB) (failed, wrong int64, first error) {
		sdb.SetMaxOpenConns(40)
		var once sync.Once
		var f, w atomic.Int64
		var wg sync.WaitGroup
		for g := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 100 {
					want := g*1000 + i
					var got int
					var s string
					var err error
					if g%2 == 0 {
						err = sdb.QueryRow(`SELECT $1::int, 'a'`, want).Scan(&got, &s)
					} else {
						err = sdb.QueryRow(`SELECT $1::int + 0, $2::text`, want, "b").Scan(&got, &s)
					}
					switch {
					case err != nil:
						f.Add(1)
						once.Do(func() { first = err })
					case got != want:
						w.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		return f.Load(), w.Load(), first
	}
	if failed, wrong, first := hammer(plain); failed == 0 && wrong == 0 {
		t.Fatal("lib/pq's two round trips all succeeded through PgBouncer: does it pool by transaction?")
	} else {
		t.Logf("lib/pq by default: %d of 4000 statements failed (%v), %d answered wrong", failed, first, wrong)
	}
	if failed, wrong, first := hammer(db.SQL); failed != 0 || wrong != 0 {
		t.Fatalf("the pooled connections: %d of 4000 statements failed (first: %v), %d answered wrong", failed, first, wrong)
	}
}

// seeded runs the demo seed as a start-up job, as the server does.
func seeded(c *store.Config) {
	c.StartupJobs = func(ctx context.Context, client *ent.Client) error {
		_, err := seed.Run(ctx, client)
		return err
	}
}

// The read path, through the real HTTP handler over a database reached
// through PgBouncer in transaction mode, answers exactly what it answers
// over a direct connection: the demo seed (a start-up job, run over the
// direct URL) and writes through the API on both, then list queries with
// filters and ordering, every page, nested edges, node, projectStats,
// search, the audit trail (jsonb) and the exports; once, then from many
// clients at once.
func TestPgBouncerReadPath(t *testing.T) {
	var logs bytes.Buffer
	bounced := apitest.NewServer(t, apitest.OpenPgBouncer(t, seeded, func(c *store.Config) {
		c.StatementTimeout = 10 * time.Second
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	}))
	// .ci/pgbouncer.sh sets no statement_timeout on the server connections
	if !strings.Contains(logs.String(), "connections through DATABASE_URL have no statement_timeout") {
		t.Errorf("no warning of the missing statement_timeout; logged:\n%s", logs.String())
	}
	twin := apitest.NewServer(t, apitest.OpenPostgres(t, seeded))

	mustData := func(srv *apitest.Server, q string, vars map[string]any) json.RawMessage {
		t.Helper()
		rsp := srv.Do(q, vars)
		if len(rsp.Errors) > 0 || rsp.Status != http.StatusOK {
			t.Fatalf("status %d, errors %+v\n%s", rsp.Status, rsp.Errors, q)
		}
		return rsp.Data
	}
	write := func(q string, vars map[string]any) json.RawMessage {
		t.Helper()
		a, b := mustData(bounced, q, vars), mustData(twin, q, vars)
		if !bytes.Equal(a, b) {
			t.Fatalf("write answered\n%s\nthrough PgBouncer, and directly\n%s", a, b)
		}
		return a
	}
	var civ struct{ CreatePartner struct{ ID string } }
	_ = json.Unmarshal(write(`mutation { createPartner(input: {name: "Côte d'Ivoire", kind: COUNTRY, countryCode: "CIV"}) { id } }`, nil), &civ)
	var proj struct{ CreateProject struct{ ID string } }
	_ = json.Unmarshal(write(`mutation($civ: ID!) { createProject(input: {title: "Abidjan solar port", sector: ENERGY, status: SIGNED,
		amount: "250000000.50", currency: "USD", amountUsd: "250000000.50", signedOn: "2021-05-04", city: "Abidjan", hostCountryID: $civ}) { id } }`,
		map[string]any{"civ": civ.CreatePartner.ID}), &proj)
	id := proj.CreateProject.ID
	write(`mutation($id: ID!) { updateProject(id: $id, input: {status: UNDER_CONSTRUCTION, amount: "250000000.75", amountUsd: "250000000.75"}) { id } }`, map[string]any{"id": id})

	// answers checked by hand
	exact := []struct{ query, want string }{
		{`query($id: ID!) { node(id: $id) { ... on Project { title sector status amount currency amountUsd city signedOn hostCountry { name countryCode } } } }`,
			`{"node":{"title":"Abidjan solar port","sector":"ENERGY","status":"UNDER_CONSTRUCTION","amount":"250000000.75","currency":"USD","amountUsd":"250000000.75","city":"Abidjan","signedOn":"2021-05-04","hostCountry":{"name":"Côte d'Ivoire","countryCode":"CIV"}}}`},
		{`{ partners(where: {countryCode: "CIV"}) { totalCount edges { node { name hostedProjects { totalCount edges { node { title } } } } } } }`,
			`{"partners":{"totalCount":1,"edges":[{"node":{"name":"Côte d'Ivoire","hostedProjects":{"totalCount":1,"edges":[{"node":{"title":"Abidjan solar port"}}]}}}]}}`},
		{`{ projectStats(where: {city: "Abidjan"}) { total { count sum min max } } }`,
			`{"projectStats":{"total":{"count":1,"sum":"250000000.75","min":"250000000.75","max":"250000000.75"}}}`},
		{`{ search(query: "abidjan solar", types: [PROJECT]) { totalCount edges { node { ... on Project { title } } } } }`,
			`{"search":{"totalCount":1,"edges":[{"node":{"title":"Abidjan solar port"}}]}}`},
		{`query($id: ID!) { auditEvents(where: {entityType: Project, entityID: $id}) { totalCount edges { node { operation changes { field old new } } } } }`,
			`{"auditEvents":{"totalCount":2,"edges":[` +
				`{"node":{"operation":"CREATE","changes":[{"field":"title","old":null,"new":"Abidjan solar port"}`},
	}
	for _, c := range exact {
		got := string(mustData(bounced, c.query, map[string]any{"id": id}))
		if !strings.HasPrefix(got, c.want) || (!strings.HasPrefix(c.query, "query($id: ID!) { auditEvents") && got != c.want) {
			t.Errorf("%s\n got %s\nwant %s", c.query, got, c.want)
		}
	}

	// answers that must be the direct connection's, byte for byte
	reads := []string{
		`{ projects(first: 5, orderBy: {field: TITLE, direction: DESC}, where: {sectorIn: [ENERGY, TRANSPORT], amountUsdNotNil: true}) {
			totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { id title sector status amount currency amountUsd signedOn hostCountry { name countryCode }
				participants { totalCount edges { node { name kind } } }
				policies(orderBy: {field: TITLE}) { edges { node { title partners(orderBy: {field: NAME}) { edges { node { name } } } } } } } } } }`,
		`{ partners(where: {kind: COUNTRY}, orderBy: {field: NAME}) { totalCount edges { node { id name countryCode
			hostedProjects(orderBy: {field: TITLE}) { totalCount edges { node { title participations { edges { node { role partner { name } } } } } } } } } } }`,
		`{ policies(orderBy: {field: TITLE}) { totalCount edges { node { title documentNumber issuedOn level category status projects { totalCount } } } } }`,
		`{ projectStats(groupBy: [SECTOR]) { total { count countWithAmount sum avg min max } excluded { count sum } groups { key { sector } count sum avg } } }`,
		`{ projectStats(groupBy: [HOST_COUNTRY, STATUS], orderBy: {field: SUM, direction: DESC}) { groups { key { hostCountry { name } status } count sum } } }`,
		`{ search(query: "shandong port", first: 10) { totalCount pageInfo { hasNextPage endCursor } edges { score node { __typename ... on Partner { name } ... on Project { title } ... on Policy { title } } } } }`,
		`query($id: ID!) { auditEvents(where: {entityType: Project, entityID: $id}) { edges { node { actorName actorRole operation entityType changes { field old new } } } } }`,
		`query($id: ID!) { node(id: $id) { id ... on Project { title hostCountry { hostedProjects { totalCount } } } } }`,
	}
	gets := []string{"/export/projects.csv", "/export/projects.json", "/geojson/projects", `/export/projects.csv?where={"sector":"ENERGY"}`}

	// one client: the answers, and every page of the projects in title order
	for _, q := range reads {
		a, b := mustData(bounced, q, map[string]any{"id": id}), mustData(twin, q, map[string]any{"id": id})
		if !bytes.Equal(a, b) {
			t.Errorf("%s\nthrough PgBouncer:\n%s\ndirectly:\n%s", q, a, b)
		}
		if !bytes.Contains(a, []byte(`"node":{`)) && !bytes.Contains(a, []byte(`"groups":[{`)) {
			t.Errorf("%s: nothing found:\n%s", q, a)
		}
	}
	for _, p := range gets {
		a, b := get(t, bounced, p), get(t, twin, p)
		if a != b || len(a) < 1000 {
			t.Errorf("GET %s: %d bytes through PgBouncer, %d directly; equal: %v", p, len(a), len(b), a == b)
		}
	}
	pages := func(srv *apitest.Server) (titles []string, total int) {
		after := any(nil)
		for {
			var out struct {
				Projects struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct{ Node struct{ Title string } }
				}
			}
			srv.MustOK(`query($after: Cursor) { projects(first: 7, after: $after, orderBy: {field: TITLE}) { totalCount pageInfo { hasNextPage endCursor } edges { node { title } } } }`,
				map[string]any{"after": after}, &out)
			for _, e := range out.Projects.Edges {
				titles = append(titles, e.Node.Title)
			}
			if !out.Projects.PageInfo.HasNextPage {
				return titles, out.Projects.TotalCount
			}
			after = out.Projects.PageInfo.EndCursor
		}
	}
	titles, total := pages(bounced)
	twinTitles, _ := pages(twin)
	if len(titles) != total || total < 10 || strings.Join(titles, "\n") != strings.Join(twinTitles, "\n") {
		t.Fatalf("pages of 7 through PgBouncer: %d titles of %d; directly %d", len(titles), total, len(twinTitles))
	}

	// many clients at once: server connections change hands between
	// statements, and every answer is still the direct connection's
	want := map[string]string{}
	for _, q := range reads {
		want[q] = string(mustData(twin, q, map[string]any{"id": id}))
	}
	for _, p := range gets {
		want[p] = get(t, twin, p)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 4 {
				for i, q := range reads {
					got, err := post(bounced, q, map[string]any{"id": id})
					if err != nil || got != want[q] {
						errs <- fmt.Sprintf("client %d round %d read %d: %v\n%.300s", g, round, i, err, got)
						return
					}
				}
				p := gets[(g+round)%len(gets)]
				if got, err := fetch(bounced, p); err != nil || got != want[p] {
					errs <- fmt.Sprintf("client %d round %d GET %s: %v (%d bytes, want %d)", g, round, p, err, len(got), len(want[p]))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// post sends a GraphQL request with the server's admin key and returns the
// response's data, or why there is none; safe from any goroutine.
func post(srv *apitest.Server, query string, vars map[string]any) (string, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+srv.AdminKey)
	rsp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer rsp.Body.Close()
	var out struct {
		Data   json.RawMessage
		Errors []apitest.Error
	}
	if err := json.NewDecoder(rsp.Body).Decode(&out); err != nil {
		return "", err
	}
	if len(out.Errors) > 0 || rsp.StatusCode != http.StatusOK {
		return string(out.Data), fmt.Errorf("status %d, errors %+v", rsp.StatusCode, out.Errors)
	}
	return string(out.Data), nil
}

// fetch GETs path with the server's admin key; safe from any goroutine.
func fetch(srv *apitest.Server, path string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+srv.AdminKey)
	rsp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer rsp.Body.Close()
	b, err := io.ReadAll(rsp.Body)
	if err == nil && rsp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", rsp.StatusCode)
	}
	return string(b), err
}

func get(t *testing.T, srv *apitest.Server, path string) string {
	t.Helper()
	b, err := fetch(srv, path)
	if err != nil {
		t.Fatalf("GET %s: %v: %.300s", path, err, b)
	}
	return b
}
