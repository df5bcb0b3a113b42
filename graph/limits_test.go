package graph_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/lib/pq"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
	"github.com/bri-tracker/bri-tracker/internal/requestid"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

func TestQueryLimits(t *testing.T) {
	db := apitest.OpenSQLite(t)
	s := apitest.NewServer(t, db, func(o *httpapi.Options) {
		o.Limits.MaxDepth, o.Limits.MaxAliases, o.Limits.MaxComplexity = 5, 2, 1000
	})
	cases := []struct {
		query, msg string // msg "" means allowed
	}{
		// connections count as one level: partners → projects → policies → partners → name is 5
		{`{ partners(first: 2) { edges { node { projects(first: 2) { edges { node { policies(first: 2) { edges { node { partners(first: 2) { edges { node { name } } } } } } } } } } } } }`, ""},
		{`{ partners(first: 2) { edges { node { country { country { country { country { name } } } } } } } }`, "the query is nested more than 5 levels deep"},
		{`{ a: me { role } b: me { role } }`, ""},
		{`{ a: me { role } b: me { role } c: me { role } }`, "the query uses 3 aliases; at most 2 are allowed"},
		{`{ ...F } fragment F on Query { a: me { role } b: me { role } c: me { role } }`, "the query uses 3 aliases; at most 2 are allowed"},
		{`{ partners(first: 30) { edges { node { projects(first: 30) { edges { node { title } } } } } } }`, "the query may return 2791 fields; at most 1000 are allowed: ask for smaller pages or fewer nested connections"},
		{`{ partners(first: 10) { edges { node { projects(first: 10) { edges { node { title } } } } } } }`, ""},
		// without first, a connection counts as its default page of 20
		{`{ partners { edges { node { projects { edges { node { title status } } } } } } }`, "the query may return 1661 fields; at most 1000 are allowed: ask for smaller pages or fewer nested connections"},
		{`query($n: Int) { partners(first: $n) { edges { node { projects(first: $n) { edges { node { title } } } } } } }`, "the query may return 7651 fields; at most 1000 are allowed: ask for smaller pages or fewer nested connections"},
		// the standard introspection query nests ofType deeper than data queries
		{`{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }`, ""},
	}
	for _, c := range cases {
		res := s.Do(c.query, map[string]any{"n": 50})
		switch {
		case c.msg == "" && len(res.Errors) > 0:
			t.Errorf("%s: refused: %+v", c.query, res.Errors)
		case c.msg != "" && (len(res.Errors) != 1 || res.Errors[0].Message != c.msg || res.Errors[0].Code() != "QUERY_TOO_COMPLEX"):
			t.Errorf("%s:\n got %+v\nwant %q", c.query, res.Errors, c.msg)
		}
	}
}

func TestProductionMode(t *testing.T) {
	db := apitest.OpenSQLite(t)
	dev := apitest.NewServer(t, db)
	prod := apitest.NewServer(t, db, func(o *httpapi.Options) {
		o.Introspection, o.Suggestions, o.Playground = false, false, false
	})
	if res := dev.Do(`{ __schema { queryType { name } } }`, nil); len(res.Errors) > 0 {
		t.Fatalf("development introspection: %+v", res.Errors)
	}
	if res := prod.Do(`{ __schema { queryType { name } } }`, nil); len(res.Errors) == 0 {
		t.Fatal("production answers introspection")
	}
	if res := dev.Do(`{ partner { id } }`, nil); !strings.Contains(res.Errors[0].Message, "Did you mean") {
		t.Fatalf("development suggestions: %+v", res.Errors)
	}
	if res := prod.Do(`{ partner { id } }`, nil); len(res.Errors) == 0 || strings.Contains(res.Errors[0].Message, "Did you mean") {
		t.Fatalf("production suggests: %+v", res.Errors)
	}
	// without the playground, / sends the browser to the dashboard
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct {
		s        *apitest.Server
		want     int
		location string
	}{{dev, 200, ""}, {prod, 302, "/dashboard"}} {
		r, err := noFollow.Get(c.s.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != c.want || r.Header.Get("Location") != c.location {
			t.Fatalf("playground: %d to %q, want %d to %q", r.StatusCode, r.Header.Get("Location"), c.want, c.location)
		}
	}
}

func TestRateLimits(t *testing.T) {
	db := apitest.OpenSQLite(t)
	s := apitest.NewServer(t, db, func(o *httpapi.Options) { o.RatePerKey, o.RatePerIP = 1, 5 }) // bursts of 2 and 10
	// per key: the admin key gets its burst of 2, then 429 with Retry-After
	for i := range 3 {
		res := s.Do(`{ me { role } }`, nil)
		if i < 2 && res.Status != 200 {
			t.Fatalf("request %d: %d", i, res.Status)
		}
		if i == 2 {
			if res.Status != http.StatusTooManyRequests || res.Errors[0].Code() != "RATE_LIMITED" {
				t.Fatalf("over the key's limit: %d %+v", res.Status, res.Errors)
			}
			if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || secs < 1 {
				t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
			}
		}
	}
	// another key has its own bucket; the address's bucket still has room
	viewer := s.NewKey("other", "VIEWER", nil)
	if res := s.DoAs(viewer, `{ me { role } }`, nil); res.Status != 200 {
		t.Fatalf("another key: %d", res.Status)
	}
	// per address: anonymous requests use up the rest of the address's burst of 10
	var last *apitest.Response
	for range 10 {
		last = s.DoAs("", `{ me { role } }`, nil)
	}
	if last.Status != http.StatusTooManyRequests {
		t.Fatalf("over the address's limit: %d", last.Status)
	}
}

func TestTimeouts(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db, func(o *httpapi.Options) { o.RequestTimeout = time.Nanosecond })
		res := s.DoAs("", `{ projects { totalCount } }`, nil)
		if res.Status != http.StatusServiceUnavailable || len(res.Errors) == 0 || res.Errors[0].Code() != gqlext.CodeRequestTimeout || res.Errors[0].Message != "the request took too long and was stopped" {
			t.Fatalf("request timeout: %d %+v", res.Status, res.Errors)
		}
	})
	// PostgreSQL cancels statements that run past statement_timeout
	url := apitest.PostgresURL(t)
	pg, err := store.OpenDB(store.Config{DatabaseURL: url, StatementTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.SQL.Close()
	_, err = pg.SQL.Exec(`SELECT pg_sleep(2)`)
	var pqErr *pq.Error
	if !asPQ(err, &pqErr) || pqErr.Code != "57014" {
		t.Fatalf("statement timeout: %v", err)
	}
	// and the API reports that as REQUEST_TIMEOUT
	present := gqlext.PresentError(slog.New(slog.DiscardHandler))
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, nil)
	if got := present(ctx, fmt.Errorf("load: %w", err)); got.Extensions["code"] != gqlext.CodeRequestTimeout || strings.Contains(got.Message, "pg_sleep") {
		t.Fatalf("presented %+v", got)
	}
}

func asPQ(err error, target **pq.Error) bool {
	e, ok := err.(*pq.Error)
	if ok {
		*target = e
	}
	return ok
}

// TestInternalErrorsAndPanics: an unexpected failure reaches the client as
// INTERNAL_SERVER_ERROR with the request id, and the log has the rest.
func TestInternalErrorsAndPanics(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		if _, err := db.SQL.Exec(`ALTER TABLE policies RENAME TO policies_gone`); err != nil {
			t.Fatal(err)
		}
		res := s.Do(`{ policies { totalCount } }`, nil)
		if len(res.Errors) != 1 || res.Errors[0].Code() != "INTERNAL_SERVER_ERROR" {
			t.Fatalf("%+v", res.Errors)
		}
		e := res.Errors[0]
		id := res.Header.Get(requestid.Header)
		if e.Extensions["requestId"] != id || e.Message != "internal server error (request "+id+")" {
			t.Fatalf("error %+v, request id %s", e, id)
		}
		if !strings.Contains(s.Logs(), id) || !strings.Contains(s.Logs(), "policies") {
			t.Fatalf("the log lacks the request id or the cause: %s", s.Logs())
		}
	})
	// a panic in a resolver
	var logs strings.Builder
	recoverFn := gqlext.Recover(slog.New(slog.NewTextHandler(&logs, nil)))
	err := recoverFn(requestid.With(context.Background(), "req-1234567"), "index out of range")
	if !strings.Contains(err.Error(), "internal server error (request req-1234567)") || !strings.Contains(logs.String(), "req-1234567") || !strings.Contains(logs.String(), "goroutine") {
		t.Fatalf("recover: %v; log %s", err, logs.String())
	}
}

// TestOnePageSize: the configured page sizes are the only ones: a page
// asked for without first holds PageDefault items, first beyond PageMax is
// refused naming the argument, complexity counts PageDefault items for
// such a page (allowed at the limit, refused one above it), and search,
// which pages by rank rather than through ent, returns PageDefault hits.
func TestOnePageSize(t *testing.T) {
	db := apitest.OpenSQLite(t)
	seedGrid(t, db.Client, 4, 3, 1)
	// partners { edges { node { name } } }: 1 + 3 × (edges 1 + node 1 + name 1) = 10
	const query = `{ partners { edges { node { name } } } }`
	limited := func(maxComplexity int) *apitest.Server {
		return apitest.NewServer(t, db, func(o *httpapi.Options) {
			o.Limits.PageDefault, o.Limits.PageMax, o.Limits.MaxComplexity = 3, 5, maxComplexity
		})
	}
	s := limited(10)
	var out struct {
		Partners struct {
			Edges []struct{ Node struct{ Name string } }
		}
	}
	s.MustOK(query, nil, &out)
	if len(out.Partners.Edges) != 3 {
		t.Errorf("%d partners without first, want 3", len(out.Partners.Edges))
	}
	e := s.MustFail("BAD_USER_INPUT", `{ projects(first: 6) { edges { cursor } } }`, nil)
	if e.Extensions["field"] != "first" || e.Message != "first: at most 5 items a page on projects, got 6" {
		t.Errorf("oversized page: %q %v", e.Message, e.Extensions)
	}
	e = limited(9).MustFail(gqlext.CodeQueryTooComplex, query, nil)
	if e.Message != "the query may return 10 fields; at most 9 are allowed: ask for smaller pages or fewer nested connections" {
		t.Errorf("complexity: %q", e.Message)
	}
	var found struct {
		Search struct{ Edges []struct{ Cursor string } }
	}
	s.MustOK(`{ search(query: "project") { edges { cursor } } }`, nil, &found)
	if len(found.Search.Edges) != 3 {
		t.Errorf("%d search hits without first, want 3", len(found.Search.Edges))
	}
}

// TestCommittedWriteKeepsItsAnswer: a mutation that committed keeps its
// answer even when the request's deadline passes before the answer is sent
// (here the commit itself takes past it): the write happened, and a timeout
// would tell the client it did not.
func TestCommittedWriteKeepsItsAnswer(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db, func(o *httpapi.Options) { o.RequestTimeout = 300 * time.Millisecond })
		db.Client.Partner.Use(func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				if tx, err := m.(*ent.PartnerMutation).Tx(); err == nil {
					tx.OnCommit(func(next ent.Committer) ent.Committer {
						return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
							err := next.Commit(ctx, tx)
							time.Sleep(500 * time.Millisecond) // committed; the deadline passes
							return err
						})
					})
				}
				return next.Mutate(ctx, m)
			})
		})
		res := s.Do(`mutation { createPartner(input: {name: "Late Co", kind: ENTERPRISE}) { name } }`, nil)
		if res.Status != http.StatusOK || len(res.Errors) > 0 || !strings.Contains(string(res.Data), "Late Co") {
			t.Fatalf("a committed write answered %d %+v %s, want its data", res.Status, res.Errors, res.Data)
		}
	})
}
