// Command load benchmarks fixed query shapes against our GraphQL server,
// against PostGraphile v4 and PostGraphile 5 on the same database and against
// PostgreSQL alone (the equivalent hand-written SQL), one after another, and
// reports requests/s and latency percentiles; with --report it writes the
// whole of docs/benchmarks.md. bench/run.sh sets everything up and runs it;
// see bench/README.md.
//
// Before timing, it runs every shape once on each target and checks that
// they return the same data (titles, names and the other values of
// checkedKeys, compared as sorted lists). During the timed runs every answer
// is checked: HTTP 200 and no "errors" key, else it counts as an error.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	_ "github.com/lib/pq"

	"github.com/bri-tracker/bri-tracker/bench/internal/procstat"
)

type options struct {
	Ours, OursUncached, PostGraphile, PostGraphile5 string
	DatabaseURL                                     string
	Targets, Shapes                                 string
	loadConfig
	OursPID, OursUncachedPID          int
	PostGraphilePID, PostGraphile5PID int
	WaitQuiet                         time.Duration
	Report, JSON                      string
	meta                              reportMeta
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("load: ")
	var o options
	def := os.Getenv("DATABASE_URL")
	if def == "" {
		def = "postgres://postgres@127.0.0.1:5432/bri_bench?sslmode=disable"
	}
	flag.StringVar(&o.Ours, "ours", "http://127.0.0.1:18080/graphql", "our server's GraphQL endpoint")
	flag.StringVar(&o.OursUncached, "ours-uncached", "http://127.0.0.1:18081/graphql", "our server started with --stats-cache 0, for the stats shape")
	flag.StringVar(&o.PostGraphile, "postgraphile", "http://127.0.0.1:15000/graphql", "PostGraphile v4's GraphQL endpoint")
	flag.StringVar(&o.PostGraphile5, "postgraphile5", "http://127.0.0.1:15001/graphql", "PostGraphile 5's GraphQL endpoint")
	flag.StringVar(&o.DatabaseURL, "database-url", def, "the benchmark database, for the raw SQL target and the dataset's sizes (env DATABASE_URL)")
	flag.StringVar(&o.Targets, "targets", "ours,ours-uncached,postgraphile,postgraphile5,sql", "targets to run, in order: ours, ours-uncached (stats only), postgraphile (v4), postgraphile5, sql")
	flag.StringVar(&o.Shapes, "shapes", "flat,nested,countries,filtered,node,stats,participations", "shapes to run, in order")
	flag.IntVar(&o.Concurrency, "concurrency", 16, "concurrent workers (and raw SQL connections)")
	flag.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unrecorded warm-up per shape and target")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "recorded run per shape and target")
	flag.DurationVar(&o.Timeout, "timeout", 30*time.Second, "longest a request may take before it counts as an error")
	flag.Uint64Var(&o.Seed, "seed", 1, "seed of the project ids that node-shaped queries ask for")
	flag.IntVar(&o.OursPID, "ours-pid", 0, "pid of our server, to sample its resident memory (0: don't)")
	flag.IntVar(&o.OursUncachedPID, "ours-uncached-pid", 0, "pid of our server with the stats cache off, for its CPU use (0: don't)")
	flag.IntVar(&o.PostGraphilePID, "postgraphile-pid", 0, "pid of PostGraphile v4's Node process, to sample its resident memory (0: don't)")
	flag.IntVar(&o.PostGraphile5PID, "postgraphile5-pid", 0, "pid of PostGraphile 5's Node process, to sample its resident memory (0: don't)")
	flag.DurationVar(&o.WaitQuiet, "wait-quiet", 3*time.Minute, "before the first run, wait at most this long for the machine to be quiet (under 25% of a core busy over 3 s)")
	flag.StringVar(&o.Report, "report", "", "write the Markdown report (docs/benchmarks.md) here")
	flag.StringVar(&o.JSON, "json", "", "write the raw results as JSON here")
	flag.StringVar(&o.meta.Command, "command", "bash bench/run.sh", "the command that produced the run, for the report")
	flag.StringVar(&o.meta.OursCommand, "ours-command", "", "how our server was started, for the report")
	flag.StringVar(&o.meta.PostGraphileCommand, "postgraphile-command", "", "how PostGraphile v4 was started, for the report")
	flag.StringVar(&o.meta.PostGraphile5Command, "postgraphile5-command", "", "how PostGraphile 5 was started, for the report")
	flag.StringVar(&o.meta.GenCommand, "gen-command", "", "how the data was generated, for the report")
	flag.StringVar(&o.meta.NodeVersion, "node-version", "", "the version of the Node that runs PostGraphile v4, for the report")
	flag.StringVar(&o.meta.PostGraphileVersion, "postgraphile-version", "", "PostGraphile v4's and its plugin's versions, for the report")
	flag.StringVar(&o.meta.PostGraphile5Version, "postgraphile5-version", "", "PostGraphile 5's, its plugin's and its Node's versions, for the report")
	flag.StringVar(&o.meta.DatasetNote, "dataset-note", "", "what was done to the data after loading, for the report")
	flag.StringVar(&o.meta.GoVersion, "go-version", "", "the Go toolchain that built the server, for the report")
	flag.Parse()
	if flag.NArg() > 0 {
		log.Fatalf("unexpected argument %q", flag.Arg(0))
	}
	if o.Concurrency < 1 || o.Duration <= 0 {
		log.Fatal("--concurrency and --duration must be positive")
	}
	if err := bench(context.Background(), o); err != nil {
		log.Fatal(err)
	}
}

func bench(ctx context.Context, o options) error {
	db, err := sql.Open("postgres", o.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(o.Concurrency)
	db.SetMaxIdleConns(o.Concurrency)
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to the database: %w", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT min(id), max(id) FROM projects").Scan(&o.MinID, &o.MaxID); err != nil {
		return fmt.Errorf("the database has no projects (run bench/gen first): %w", err)
	}
	env, err := describe(ctx, db, o.meta)
	if err != nil {
		return err
	}

	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns:        o.Concurrency * 2,
		MaxIdleConnsPerHost: o.Concurrency * 2,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}}
	all := map[string]*target{
		"ours": graphqlTarget("ours", "ours", o.Ours, client,
			func(s *shape) string { return s.Ours },
			func(id int64) string { return globalID("Project", id) }),
		// The stats shape again, on a server that computes every answer.
		"ours-uncached": extra(graphqlTarget("ours-uncached", "ours, stats cache off", o.OursUncached, client,
			func(s *shape) string {
				if s.Key == "stats" {
					return s.Ours
				}
				return ""
			},
			func(id int64) string { return globalID("Project", id) })),
		"postgraphile": graphqlTarget("postgraphile", "PostGraphile 4", o.PostGraphile, client,
			func(s *shape) string { return s.PostGraphile },
			func(id int64) string { return fmt.Sprint(id) }),
		"postgraphile5": graphqlTarget("postgraphile5", "PostGraphile 5", o.PostGraphile5, client,
			func(s *shape) string { return s.PostGraphile5 },
			func(id int64) string { return fmt.Sprint(id) }),
	}
	pids := map[string]int{"ours": o.OursPID, "postgraphile": o.PostGraphilePID, "postgraphile5": o.PostGraphile5PID}
	cpuPIDs := map[string]int{"ours": o.OursPID, "ours-uncached": o.OursUncachedPID, "postgraphile": o.PostGraphilePID, "postgraphile5": o.PostGraphile5PID}
	var targets []*target
	for _, k := range strings.Split(o.Targets, ",") {
		k = strings.TrimSpace(k)
		switch k {
		case "ours", "ours-uncached", "postgraphile", "postgraphile5":
			targets = append(targets, all[k])
		case "sql":
			t, err := sqlTarget(ctx, db)
			if err != nil {
				return err
			}
			targets = append(targets, t)
		default:
			return fmt.Errorf("--targets: unknown target %q", k)
		}
	}
	var selected []*shape
	for _, k := range strings.Split(o.Shapes, ",") {
		i := slices.IndexFunc(shapes, func(s shape) bool { return s.Key == strings.TrimSpace(k) })
		if i < 0 {
			return fmt.Errorf("--shapes: unknown shape %q", k)
		}
		selected = append(selected, &shapes[i])
	}

	cpu := &cpuAccount{pids: cpuPIDs, postmaster: procstat.Postmaster(ctx, db)}
	procstat.WaitQuiet(o.WaitQuiet)
	var results []result
	for _, s := range selected {
		checks := checkShape(ctx, s, targets, o.MinID+1)
		for _, t := range targets {
			if !t.supports(s) {
				if t.Extra {
					continue
				}
				log.Printf("%-14s %-14s %s", s.Key, t.Name, s.NA)
				results = append(results, result{Shape: s.Key, Target: t.Key, NA: s.NA})
				continue
			}
			var mem *memSampler
			if pid := pids[t.Key]; pid > 0 {
				mem = sampleMemory(pid, 50*time.Millisecond)
			}
			r := run(t, s, o.loadConfig, cpu)
			if mem != nil {
				r.PeakRSS, r.HWM = mem.finish()
			}
			r.Check, r.CheckOK = checks[t.Key].verdict, checks[t.Key].ok
			log.Printf("%-14s %-14s %8.1f req/s  p50 %7s  p99 %7s  errors %d/%d  %s",
				s.Key, t.Name, r.RPS, ms(r.P50), ms(r.P99), r.Errors, r.Requests, r.Check)
			log.Printf("               CPU: server %s, PostgreSQL %s, loader %s, other processes %s",
				r.CPU.cell(t.Key), r.CPU.cell("postgres"), r.CPU.cell("loader"), r.CPU.cell("other"))
			for _, e := range r.ErrorSamples {
				log.Printf("               error: %s", e)
			}
			results = append(results, r)
		}
	}

	if o.JSON != "" {
		b, _ := json.MarshalIndent(struct {
			Env     environment
			Results []result
		}{env, results}, "", "  ")
		if err := os.WriteFile(o.JSON, b, 0o644); err != nil {
			return err
		}
	}
	if o.Report != "" {
		md := report(env, o, selected, targets, results) + handWritten(o.Report)
		if err := os.WriteFile(o.Report, []byte(md), 0o644); err != nil {
			return err
		}
		log.Printf("wrote %s", o.Report)
	}
	return nil
}

type check struct {
	verdict string
	ok      bool
}

// checkShape runs a shape once on every target and compares each answer's
// values with raw SQL's (or, without the SQL target, with the first
// target's).
func checkShape(ctx context.Context, s *shape, targets []*target, id int64) map[string]check {
	type answer struct {
		vals  []string
		order string // the values in their arrays' order (ordered)
		err   error
	}
	answers := map[string]answer{}
	ref := ""
	for _, t := range targets {
		if !t.supports(s) {
			continue
		}
		if ref == "" || t.Key == "sql" {
			ref = t.Key
		}
		// Twice: a server that caches answers the second from its cache.
		var a answer
		for try := range 2 {
			cctx, cancel := context.WithTimeout(ctx, time.Minute)
			b, err := t.exec(cctx, s, id, new(bytes.Buffer))
			cancel()
			var this answer
			if err != nil {
				this.err = err
			} else {
				this.vals, this.err = values(b)
				if this.err == nil {
					this.order, this.err = ordered(b)
				}
			}
			if try == 1 && this.err == nil && a.err == nil && this.order != a.order {
				this.err = fmt.Errorf("a second answer differs from the first: %s", firstDiffAt(this.order, a.order))
			}
			if try == 0 || a.err == nil {
				a = this
			}
		}
		answers[t.Key] = a
	}
	out := map[string]check{}
	r := answers[ref]
	for k, a := range answers {
		switch {
		case a.err != nil:
			out[k] = check{verdict: "no answer: " + short(a.err.Error())}
		case r.err != nil:
			out[k] = check{verdict: fmt.Sprintf("%d values; the reference (%s) failed", len(a.vals), ref)}
		case k == ref:
			out[k] = check{verdict: fmt.Sprintf("reference: %d values", len(a.vals)), ok: len(a.vals) > 0}
		case slices.Equal(a.vals, r.vals) && a.order == r.order:
			out[k] = check{verdict: fmt.Sprintf("same %d values as %s", len(a.vals), ref), ok: true}
		case slices.Equal(a.vals, r.vals):
			out[k] = check{verdict: fmt.Sprintf("DIFFERS from %s: the same %d values in another order, first difference %s", ref, len(a.vals), firstDiffAt(a.order, r.order))}
		default:
			out[k] = check{verdict: fmt.Sprintf("DIFFERS from %s: %d values vs %d, first difference %s", ref, len(a.vals), len(r.vals), firstDiff(a.vals, r.vals))}
		}
	}
	return out
}

// firstDiffAt shows where two strings part.
func firstDiffAt(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-40)
	return fmt.Sprintf("%q vs %q", short(a[from:]), short(b[from:]))
}

func firstDiff(a, b []string) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return fmt.Sprintf("%q vs %q", short(a[i]), short(b[i]))
		}
	}
	return "(one is a prefix of the other)"
}

func short(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

func ms(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}

// handWrittenMarker starts the part of the report page written by hand (the
// importer's measurements), which a new report keeps.
const handWrittenMarker = "<!-- The \"Importer\" section below is written by hand"

// soakMarker starts the section written by bench/soak, at the end of the
// page, which a new report keeps too.
const soakMarker = "<!-- soak: written by bench/soak"

// handWritten returns the tail of the existing page that bench/load does
// not write, if any: from the hand-written part, or without it from the
// soak's section, to the end.
func handWritten(path string) string {
	old, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, m := range []string{handWrittenMarker, soakMarker} {
		if i := strings.Index(string(old), m); i >= 0 {
			return "\n" + string(old[i:])
		}
	}
	return ""
}
