package stats_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
	"github.com/bri-tracker/bri-tracker/internal/stats"
)

// txDriver runs everything in one transaction, so that its statements share
// a snapshot (REPEATABLE READ) or its writes.
type txDriver struct{ tx dialect.Tx }

func (txDriver) Dialect() string                          { return dialect.Postgres }
func (d txDriver) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d), nil }
func (txDriver) Close() error                             { return nil }
func (d txDriver) Rollback() error                        { return d.tx.Rollback() }

func (d txDriver) Exec(ctx context.Context, query string, args, v any) error {
	return d.tx.Exec(ctx, query, args, v)
}

func (d txDriver) Query(ctx context.Context, query string, args, v any) error {
	return d.tx.Query(ctx, query, args, v)
}

func begin(t *testing.T, db *apitest.DB, opts *sql.TxOptions) txDriver {
	t.Helper()
	tx, err := entsql.OpenDB(dialect.Postgres, db.SQL).BeginTx(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	return txDriver{tx: tx}
}

func asJSON(t *testing.T, r any) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// key is the JSON of a statistics key with the given sector (JSON too).
func key(sector string) string {
	return `{"sector":` + sector + `,"status":null,"greenCategory":null,"hostCountry":null,"region":null,"commitmentYear":null,` +
		`"participant":null,"participantRole":null,"flowClass":null,"flowType":null}`
}

// TestCacheSnapshots: statements that share a snapshot share the cached
// answer (the second skips the aggregation), each question its own: the
// statistics of the projects that count and those of all projects are told
// apart; a transaction that has written sees its own rows and neither uses
// nor fills the cache; others never see those rows. Each statement keeps
// its own snapshot here, in one REPEATABLE READ transaction, so no other
// test's commits can change it between the two.
func TestCacheSnapshots(t *testing.T) {
	db := apitest.OpenPostgres(t)
	ctx := auth.SystemContext(context.Background(), "test")
	add := func(c *ent.Client, sector project.Sector, usd, rate string, counts bool) {
		t.Helper()
		d := scalar.MustParseDecimal(usd)
		p := c.Project.Create().SetTitle("P " + usd).SetSector(sector).SetAmount(d).SetCurrency("USD").SetAmountUsd(d).
			SetCountsInAggregates(counts)
		if rate != "" {
			p.SetInterestRate(scalar.MustParseDecimal(rate))
		}
		p.ExecX(ctx)
	}
	add(db.Client, project.SectorENERGY, "10", "2", true)
	add(db.Client, project.SectorENERGY, "20.5", "3", true)
	add(db.Client, project.SectorTRADE, "7", "", true)
	add(db.Client, project.SectorTRADE, "100", "1", false)
	counted := stats.Query{By: []stats.Dimension{stats.Sector}, Counted: project.CountsInAggregates(true)}
	all := stats.Query{By: []stats.Dimension{stats.Sector}}
	// weighted interest rates: 81.5 / 30.5 = 2.6721311..., 181.5 / 130.5 = 1.3908045...
	wantCounted := `{"total":{"key":` + key("null") + `,"count":3,"countWithAmount":3,"sum":"37.5","avg":"12.5","min":"7","max":"20.5","weightedInterestRate":"2.672131"},` +
		`"groups":[{"key":` + key(`"ENERGY"`) + `,"count":2,"countWithAmount":2,"sum":"30.5","avg":"15.25","min":"10","max":"20.5","weightedInterestRate":"2.672131"},` +
		`{"key":` + key(`"TRADE"`) + `,"count":1,"countWithAmount":1,"sum":"7","avg":"7","min":"7","max":"7","weightedInterestRate":null}],` +
		`"excluded":{"count":1,"sum":"100"}}`
	wantAll := `{"total":{"key":` + key("null") + `,"count":4,"countWithAmount":4,"sum":"137.5","avg":"34.375","min":"7","max":"100","weightedInterestRate":"1.390805"},` +
		`"groups":[{"key":` + key(`"ENERGY"`) + `,"count":2,"countWithAmount":2,"sum":"30.5","avg":"15.25","min":"10","max":"20.5","weightedInterestRate":"2.672131"},` +
		`{"key":` + key(`"TRADE"`) + `,"count":2,"countWithAmount":2,"sum":"107","avg":"53.5","min":"7","max":"100","weightedInterestRate":"1"}],` +
		`"excluded":{"count":0,"sum":null}}`

	cache := stats.NewCache(8, 100)
	rr := begin(t, db, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	src := stats.Source{Driver: rr, Client: db.Client, Cache: cache}
	for i, step := range []struct {
		q      stats.Query
		want   string
		counts stats.CacheStats
	}{
		{counted, wantCounted, stats.CacheStats{Misses: 1, Entries: 1}},
		{counted, wantCounted, stats.CacheStats{Hits: 1, Misses: 1, Entries: 1}},
		{counted, wantCounted, stats.CacheStats{Hits: 2, Misses: 1, Entries: 1}},
		// every project: another question, computed and kept apart
		{all, wantAll, stats.CacheStats{Hits: 2, Misses: 2, Entries: 2}},
		{all, wantAll, stats.CacheStats{Hits: 3, Misses: 2, Entries: 2}},
		{counted, wantCounted, stats.CacheStats{Hits: 4, Misses: 2, Entries: 2}},
	} {
		res, err := stats.Projects(ctx, src, step.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := asJSON(t, res); got != step.want {
			t.Fatalf("statement %d: %s", i+1, got)
		}
		if got := cache.Stats(); got != step.counts {
			t.Fatalf("after statement %d: %+v, want %+v", i+1, got, step.counts)
		}
	}

	// a transaction that has written: its own rows, no cache
	w := begin(t, db, nil)
	add(ent.NewClient(ent.Driver(w)), project.SectorTRADE, "2.5", "", true)
	res, err := stats.Projects(ctx, stats.Source{Driver: w, Client: db.Client, Cache: cache}, counted)
	if err != nil {
		t.Fatal(err)
	}
	if got := asJSON(t, res.Total); got != `{"key":`+key("null")+`,"count":4,"countWithAmount":4,"sum":"40","avg":"10","min":"2.5","max":"20.5","weightedInterestRate":"2.672131"}` {
		t.Fatalf("the writing transaction's own total: %s", got)
	}
	if got := cache.Stats(); got != (stats.CacheStats{Hits: 4, Misses: 3, Entries: 2}) {
		t.Fatalf("a writing transaction used or filled the cache: %+v", got)
	}
	if err := w.Rollback(); err != nil {
		t.Fatal(err)
	}
	// and after its rollback, outside any transaction, the rows as they were
	res, err = stats.Projects(ctx, stats.Source{Driver: entsql.OpenDB(dialect.Postgres, db.SQL), Client: db.Client, Cache: cache}, counted)
	if err != nil {
		t.Fatal(err)
	}
	if got := asJSON(t, res); got != wantCounted {
		t.Fatalf("after the rollback: %s", got)
	}
}
