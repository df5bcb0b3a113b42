package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/bri-tracker/bri-tracker/bench/internal/procstat"
)

// reportMeta is what bench/run.sh tells the report about the run.
type reportMeta struct {
	Command, OursCommand, GenCommand            string
	PostGraphileCommand, PostGraphile5Command   string
	NodeVersion, PostGraphileVersion, GoVersion string
	PostGraphile5Version                        string
	DatasetNote                                 string
}

// environment is the machine, the software and the dataset of a run.
type environment struct {
	Date                       time.Time
	CPU, Kernel                string
	Cores                      int
	MemoryBytes                int64
	GoVersion, NodeVersion     string
	PostgreSQL, PostGraphile   string
	PostGraphile5              string
	SharedBuffers, WorkMem     string
	Tables                     []tableSize
	Countries, NoAmount, Green int
	// Facts worth a note: no index leads from a project to its policies;
	// the filtered shape's page starts with projects without an amount.
	NoJoinIndex, NullsFirst bool
}

type tableSize struct {
	Table string
	Rows  int
}

func describe(ctx context.Context, db *sql.DB, m reportMeta) (environment, error) {
	e := environment{
		Date: time.Now().UTC(), Cores: runtime.NumCPU(),
		GoVersion: m.GoVersion, NodeVersion: m.NodeVersion, PostGraphile: m.PostGraphileVersion,
		PostGraphile5: m.PostGraphile5Version,
	}
	if e.GoVersion == "" {
		e.GoVersion = runtime.Version()
	}
	e.CPU = procstat.CPUModel()
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		e.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	e.MemoryBytes = procstat.MemTotal()
	q := func(query string, dest ...any) error {
		if err := db.QueryRowContext(ctx, query).Scan(dest...); err != nil {
			return fmt.Errorf("%s: %w", query, err)
		}
		return nil
	}
	if err := q("SELECT current_setting('server_version'), current_setting('shared_buffers'), current_setting('work_mem')", &e.PostgreSQL, &e.SharedBuffers, &e.WorkMem); err != nil {
		return e, err
	}
	for _, t := range []string{"partners", "projects", "policies", "project_participants", "opening_policy_projects", "opening_policy_partners"} {
		var n int
		if err := q("SELECT count(*) FROM "+t, &n); err != nil {
			return e, err
		}
		e.Tables = append(e.Tables, tableSize{t, n})
	}
	if err := q("SELECT count(*) FROM partners WHERE kind = 'COUNTRY'", &e.Countries); err != nil {
		return e, err
	}
	if err := q("SELECT count(*) FILTER (WHERE amount_usd IS NULL), count(*) FILTER (WHERE sector = 'ENERGY' AND green_category <> 'NONE') FROM projects", &e.NoAmount, &e.Green); err != nil {
		return e, err
	}
	if err := q(`SELECT NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE i.indrelid = 'opening_policy_projects'::regclass AND a.attname = 'project_id')`, &e.NoJoinIndex); err != nil {
		return e, err
	}
	if err := q(`SELECT coalesce((SELECT amount_usd IS NULL FROM projects WHERE sector = 'ENERGY' AND green_category <> 'NONE'
		ORDER BY amount_usd DESC, id DESC LIMIT 1), false)`, &e.NullsFirst); err != nil {
		return e, err
	}
	return e, nil
}

func mb(b int64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func rps(r result) string {
	if r.NA != "" {
		return r.NA
	}
	return fmt.Sprintf("%.0f", r.RPS)
}

func errCell(r result) string {
	if r.NA != "" {
		return "—"
	}
	if r.Errors == 0 {
		return "0"
	}
	return fmt.Sprintf("**%d** of %d", r.Errors, r.Requests)
}

// report renders docs/benchmarks.md.
func report(env environment, o options, selected []*shape, targets []*target, results []result) string {
	get := func(s, t string) (result, bool) {
		for _, r := range results {
			if r.Shape == s && r.Target == t {
				return r, true
			}
		}
		return result{}, false
	}
	names := map[string]string{}
	for _, t := range targets {
		names[t.Key] = t.Name
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	// command writes how a target was started, under its description,
	// when it is known.
	command := func(intro, cmd string) {
		if cmd == "" {
			return
		}
		p("%s", intro)
		p("")
		p("```sh")
		p("%s", cmd)
		p("```")
		p("")
	}

	p("# Benchmarks")
	p("")
	p("<!-- Written by bench/load (run by `%s`); edit bench/load/report.go, not this file. -->", o.meta.Command)
	p("")
	p("Our GraphQL server against %s on the same PostgreSQL database, and against PostgreSQL alone running the equivalent hand-written SQL, under the same load: %d concurrent clients, %s fixed query shapes. Measured on %s.", postGraphiles(env, targets), o.Concurrency, count(len(selected)), env.Date.Format("2006-01-02 15:04 MST"))
	p("")
	p("Regenerate this page (the dataset, the runs and this file) with one command from the repository root:")
	p("")
	p("```sh")
	p("%s", o.meta.Command)
	p("```")
	p("")
	p("It takes about %s. See [bench/README.md](../bench/README.md) for what it does and its knobs.", estimate(o, selected, targets))
	p("")

	// Targets.
	p("## Targets")
	p("")
	p("On this %d-core machine, loader and servers sharing it, %d connections.", env.Cores, o.Concurrency)
	p("")
	p("| target | measured | met |")
	p("| --- | --- | --- |")
	for _, row := range targetRows(selected, get) {
		p("| %s | %s | %s |", row[0], row[1], row[2])
	}
	p("")

	// Summary.
	p("## Results")
	p("")
	p("Requests per second (higher is better) and latency percentiles in milliseconds (lower is better), over %s after a %s warm-up, per shape and target. Errors are requests that did not get HTTP 200 with a JSON answer free of `errors` (raw SQL: that failed).", o.Duration, o.Warmup)
	p("")
	header := "| shape |"
	sep := "| --- |"
	var main []*target
	for _, t := range targets {
		if !t.Extra {
			main = append(main, t)
		}
	}
	for _, t := range main {
		header += fmt.Sprintf(" %s req/s | %s p50 / p99 |", t.Name, t.Name)
		sep += " ---: | ---: |"
	}
	if worst, where := disturbed(results); worst >= disturbedAt {
		p("> **Warning:** other processes on the machine used up to %.0f%% of a core during the timed runs (most during %s); the runs they overlapped are slower than on a quiet machine. The per-shape tables show the CPU use of every run.", worst, where)
		p("")
	}
	p("%s", header)
	p("%s", sep)
	for _, s := range selected {
		line := fmt.Sprintf("| %s |", s.Key)
		for _, t := range main {
			r, _ := get(s.Key, t.Key)
			switch {
			case r.NA != "":
				line += " n/a | n/a |"
			case r.Requests > 0 && r.Errors == r.Requests:
				line += fmt.Sprintf(" 0 (%d errors) | — |", r.Errors)
			default:
				e := ""
				if r.Errors > 0 {
					e = fmt.Sprintf(" (%d errors)", r.Errors)
				}
				line += fmt.Sprintf(" %.0f%s | %s / %s |", r.RPS, e, msn(r.P50), msn(r.P99))
			}
		}
		p("%s", line)
	}
	p("")
	ratios(p, selected, targets, get)

	for i, s := range selected {
		p("### %d. %s: %s", i+1, s.Key, s.Title)
		p("")
		p("| target | req/s | p50 ms | p90 ms | p99 ms | max ms | requests | errors | CPU: server / PostgreSQL / loader / other | same data |")
		p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
		var errs []string
		for _, t := range targets {
			r, found := get(s.Key, t.Key)
			if !found && t.Extra {
				continue
			}
			if r.NA != "" {
				p("| %s | %s | | | | | | | | |", t.Name, r.NA)
				continue
			}
			p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", t.Name, rps(r), msn(r.P50), msn(r.P90), msn(r.P99), msn(r.Max), thousands(r.Requests), errCell(r), cpuCell(r), checkCell(r))
			for _, e := range r.ErrorSamples {
				errs = append(errs, fmt.Sprintf("%s: %s", t.Name, strings.ReplaceAll(short(e), "|", "\\|")))
			}
		}
		if len(errs) > 0 {
			p("")
			p("Errors:")
			p("")
			for _, e := range errs {
				p("- %s", e)
			}
		}
		p("")
	}

	if env.NoJoinIndex || env.NullsFirst || hasShape(results, "stats") {
		p("## Notes")
		p("")
		if hasShape(results, "stats") {
			p("- stats: on PostgreSQL our server keeps `projectStats` results in a cache keyed by the statement and the database snapshot (see the README's API section), so every request of this shape after the first, the data being unchanged, is answered from it, in one statement that reads the snapshot and skips the aggregation. The raw SQL row is what computing the answer costs; our server computes it when the data has changed, or always with `--stats-cache 0`: the row \"ours, stats cache off\" is a second instance of our server, started with that flag.")
		}
		if env.NoJoinIndex {
			var n int
			for _, t := range env.Tables {
				if t.Table == "opening_policy_projects" {
					n = t.Rows
				}
			}
			p("- `opening_policy_projects` has no index that starts with `project_id` (its primary key is `(opening_policy_id, project_id)`), so finding the policies of a project scans the whole join table (%s rows). The countries and node shapes do that, for every target: our server batches the projects of a page into one scan, PostGraphile 4 scans once per project, PostGraphile 5 too (in its one SQL statement, a subquery per project), and the hand-written SQL of the countries shape batches like ours.", thousands(n))
		}
		if env.NullsFirst {
			p("- The filtered shape's page (`orderBy: {field: AMOUNT_USD, direction: DESC}`) starts with projects that have no amount: PostgreSQL sorts NULLs first in descending order and no server asks for NULLS LAST. The benchmark keeps that order in every target.")
		}
		p("")
	}

	// Memory.
	p("## Memory")
	p("")
	p("Resident memory read from `/proc/<pid>/status` every 50 ms while each target ran (VmRSS), and its high-water mark since the process started (VmHWM) read after each run. The servers are started after the data is loaded, so the high-water mark covers this benchmark only.")
	p("")
	p("| process | peak VmRSS | VmHWM at the end |")
	p("| --- | ---: | ---: |")
	for _, k := range []struct{ key, name string }{
		{"ours", "our server"},
		{"postgraphile", "PostGraphile 4 (one Node process)"},
		{"postgraphile5", "PostGraphile 5 (one Node process)"},
	} {
		peak, hwm := peakMemory(results, k.key)
		if peak == 0 && hwm == 0 {
			continue
		}
		p("| %s | %s | %s |", k.name, mb(peak), mb(hwm))
	}
	p("")

	// Setup.
	p("## Setup")
	p("")
	p("### Machine")
	p("")
	p("| | |")
	p("| --- | --- |")
	p("| CPU | %s, %d cores (`nproc`) |", env.CPU, env.Cores)
	p("| memory | %.1f GiB |", float64(env.MemoryBytes)/(1<<30))
	p("| OS | %s |", env.Kernel)
	p("| Go | %s |", env.GoVersion)
	if env.PostGraphile5 != "" {
		p("| Node | %s, for PostGraphile 4 (PostGraphile 5 runs on its own Node 22, below) |", env.NodeVersion)
	} else {
		p("| Node | %s |", env.NodeVersion)
	}
	p("| PostgreSQL | %s (shared_buffers %s, work_mem %s; local, TCP on 127.0.0.1) |", env.PostgreSQL, env.SharedBuffers, env.WorkMem)
	p("| PostGraphile 4 | %s |", env.PostGraphile)
	if env.PostGraphile5 != "" {
		p("| PostGraphile 5 | %s |", env.PostGraphile5)
	}
	p("")
	p("The loader, the servers and PostgreSQL share the machine's cores; only one target is under load at a time.")
	p("")
	p("### Dataset")
	p("")
	p("Made by `bench/gen` (deterministic: the same flags give the same rows) and analyzed after loading:")
	p("")
	if o.meta.GenCommand != "" {
		p("```sh")
		p("%s", o.meta.GenCommand)
		p("```")
		p("")
	}
	p("| table | rows |")
	p("| --- | ---: |")
	for _, t := range env.Tables {
		extra := ""
		if t.Table == "partners" {
			extra = fmt.Sprintf(" (%s countries)", thousands(env.Countries))
		}
		p("| %s | %s%s |", t.Table, thousands(t.Rows), extra)
	}
	p("")
	if o.meta.DatasetNote != "" {
		p("%s", o.meta.DatasetNote)
		p("")
	}
	p("%s projects are green ENERGY projects (the filtered shape's candidates); %s projects have no `amount_usd`.", thousands(env.Green), thousands(env.NoAmount))
	p("")
	p("### Load")
	p("")
	p("`bench/load` runs each shape against our server (the stats shape also against a second instance of it with the statistics cache off), then PostGraphile 4, then PostGraphile 5, then raw SQL, one after another: %d workers, each sending its next request as soon as the previous one is answered (a closed loop), for a %s warm-up that is not recorded and then %s that are. HTTP/1.1 keep-alive, no compression. The node shape asks for a random project each time (the same sequence of ids for every target). Before timing, each shape runs twice on every target (the second answer of a server that caches, such as our statistics, comes from its cache) and both answers' titles, names and other values are compared with raw SQL's, in the order of every list (the \"same data\" column).", o.Concurrency, o.Warmup, o.Duration)
	p("")
	command("Our server (rate limits off, complexity limit raised so that no shape is refused; otherwise production settings):", o.meta.OursCommand)
	command("PostGraphile 4, one Node process, with the connection-filter plugin, its pool as large as our server's (20):", o.meta.PostGraphileCommand)
	command("PostGraphile 5, one process of the Node 22 that its npm packages bring (it needs Node 22 or later), with its amber preset and the connection-filter plugin, set up in [bench/postgraphile5/graphile.config.mjs](../bench/postgraphile5/graphile.config.mjs) as close as it allows to PostGraphile 4's flags above (no mutations, no GraphiQL, no watch mode, indexes and RBAC ignored as v4 does by default, the same pool of 20 and body limit):", o.meta.PostGraphile5Command)
	p("CPU is read from `/proc` around each timed run and given in percent of one core (the machine has %d, so %d%% is all of it): the server's process (ours or a PostGraphile's), PostgreSQL (the postmaster and all its backends), the loader itself, and other processes (the machine's busy time less all of these).", env.Cores, env.Cores*100)
	p("")
	p("Raw SQL: `database/sql` with lib/pq, %d connections, one prepared statement per shape that builds the whole answer as JSON in PostgreSQL (lateral subqueries and `json_agg`); the time is PostgreSQL's plus the driver's round trip.", o.Concurrency)
	p("")

	// Queries.
	p("## The queries")
	p("")
	for i, s := range selected {
		p("### %d. %s", i+1, s.Key)
		p("")
		p("Ours:")
		p("")
		p("```graphql")
		p("%s", s.Ours)
		p("```")
		p("")
		for _, v := range []struct{ name, query string }{{"PostGraphile 4", s.PostGraphile}, {"PostGraphile 5", s.PostGraphile5}} {
			if v.query != "" {
				p("%s:", v.name)
				p("")
				p("```graphql")
				p("%s", v.query)
				p("```")
			} else {
				p("%s: %s.", v.name, s.NA)
			}
			p("")
		}
		p("SQL:")
		p("")
		p("```sql")
		p("%s", s.SQL)
		p("```")
		p("")
	}
	return b.String()
}

func msn(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	v := float64(d.Microseconds()) / 1000
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func checkCell(r result) string {
	if r.CheckOK {
		return "✓ " + r.Check
	}
	return "✗ " + strings.ReplaceAll(r.Check, "|", "\\|")
}

func peakMemory(results []result, target string) (peak, hwm int64) {
	for _, r := range results {
		if r.Target == target {
			peak, hwm = max(peak, r.PeakRSS), max(hwm, r.HWM)
		}
	}
	return peak, hwm
}

func estimate(o options, selected []*shape, targets []*target) string {
	runs := 0
	for _, s := range selected {
		for _, t := range targets {
			if t.supports(s) {
				runs++
			}
		}
	}
	load := time.Duration(runs) * (o.Warmup + o.Duration)
	return fmt.Sprintf("%.0f minutes: %d timed runs of %s, plus about 2 minutes to install, build, load the data and let the server do its first start on it, plus up to %s of waiting if the machine is busy with other work when the runs start", (load + 2*time.Minute).Minutes(), runs, o.Warmup+o.Duration, o.WaitQuiet)
}

func yes(ok bool) string {
	if ok {
		return "✅"
	}
	return "❌"
}

// targetRows checks the project's targets: our requests/s at least
// PostGraphile's (each version's) for every shape, our p99 under 50 ms for every shape but
// stats, our projectStats p50 under 150 ms and our resident memory under
// 150 MB.
func targetRows(selected []*shape, get func(s, t string) (result, bool)) [][3]string {
	var rows [][3]string
	has := func(k string) bool {
		for _, s := range selected {
			if s.Key == k {
				return true
			}
		}
		return false
	}
	failed := func(r result) string {
		if r.Requests > 0 && r.Errors == r.Requests {
			return fmt.Sprintf("all %d requests failed", r.Requests)
		}
		return fmt.Sprintf("%d of %d requests failed", r.Errors, r.Requests)
	}

	// cell is one shape's measure in a target's row: bold when it misses,
	// with our failed requests if any.
	cell := func(ours result, good bool, c string) string {
		if ours.Errors > 0 {
			c += " (" + failed(ours) + ")"
		}
		if !good {
			c = "**" + c + "**"
		}
		return c
	}
	// addRow adds a target's row from its shapes' cells.
	addRow := func(target string, cells []string, unit string, any, ok bool) {
		if !any {
			rows = append(rows, [3]string{target, "not measured", "❌"})
			return
		}
		rows = append(rows, [3]string{target, strings.Join(cells, "; ") + unit, yes(ok)})
	}

	// Throughput, against each PostGraphile.
	var cells []string
	var ok, any bool
	for _, pgt := range postGraphileTargets {
		cells, ok, any = nil, true, false
		for _, s := range selected {
			ours, ok1 := get(s.Key, "ours")
			pg, ok2 := get(s.Key, pgt.key)
			if !ok1 || !ok2 || pg.NA != "" {
				continue
			}
			any = true
			good := ours.Errors == 0 && ours.RPS >= pg.RPS
			ok = ok && good
			cells = append(cells, cell(ours, good, fmt.Sprintf("%s %.0f vs %.0f", s.Key, ours.RPS, pg.RPS)))
		}
		addRow(fmt.Sprintf("our req/s ≥ %s's, every shape it can answer", pgt.name), cells, "", any, ok)
	}

	// p99.
	cells, ok, any = nil, true, false
	for _, s := range selected {
		if s.Key == "stats" {
			continue
		}
		ours, found := get(s.Key, "ours")
		if !found {
			continue
		}
		any = true
		good := ours.Errors == 0 && ours.P99 > 0 && ours.P99 < 50*time.Millisecond
		ok = ok && good
		cells = append(cells, cell(ours, good, fmt.Sprintf("%s %s", s.Key, msn(ours.P99))))
	}
	addRow("our p99 < 50 ms, every shape but stats", cells, " (ms)", any, ok)

	// projectStats.
	if r, found := get("stats", "ours"); has("stats") && found {
		switch {
		case r.Requests-r.Errors == 0:
			msg := failed(r)
			if len(r.ErrorSamples) > 0 {
				msg += ": " + strings.ReplaceAll(short(r.ErrorSamples[0]), "|", "\\|")
			}
			rows = append(rows, [3]string{"our projectStats p50 < 150 ms", msg, "❌"})
		default:
			c := fmt.Sprintf("p50 %s ms", msn(r.P50))
			if r.Errors > 0 {
				c += " (" + failed(r) + ")"
			}
			if cold, ok := get("stats", "ours-uncached"); ok {
				if cold.Requests > cold.Errors {
					c += fmt.Sprintf("; with the cache off p50 %s ms", msn(cold.P50))
				}
				if cold.Errors > 0 {
					c += " (cache off: " + failed(cold) + ")"
				}
			}
			if sqlr, ok := get("stats", "sql"); ok && sqlr.P50 > 0 {
				c += fmt.Sprintf("; raw SQL p50 %s ms", msn(sqlr.P50))
			}
			rows = append(rows, [3]string{"our projectStats p50 < 150 ms", c, yes(r.Errors == 0 && r.P50 < 150*time.Millisecond)})
		}
	} else {
		rows = append(rows, [3]string{"our projectStats p50 < 150 ms", "not measured", "❌"})
	}

	// Memory.
	var peak, hwm int64
	for _, s := range selected {
		if r, found := get(s.Key, "ours"); found {
			peak, hwm = max(peak, r.PeakRSS), max(hwm, r.HWM)
		}
	}
	if hwm == 0 && peak == 0 {
		rows = append(rows, [3]string{"our resident memory < 150 MB under this load", "not measured (no --ours-pid)", "❌"})
	} else {
		top := max(peak, hwm)
		rows = append(rows, [3]string{"our resident memory < 150 MB under this load", fmt.Sprintf("VmHWM %s, peak sampled VmRSS %s", mb(hwm), mb(peak)), yes(top < 150<<20)})
	}
	return rows
}

// disturbedAt is how much CPU, in percent of one core, other processes may
// use during a run before the report warns.
const disturbedAt = 15

// disturbed returns the most CPU other processes used during a run and
// which run that was.
func disturbed(results []result) (float64, string) {
	worst, where := 0.0, ""
	for _, r := range results {
		if v, ok := r.CPU["other"]; ok && v > worst {
			worst, where = v, r.Shape+" / "+r.Target
		}
	}
	return worst, where
}

func cpuCell(r result) string {
	if r.CPU == nil {
		return "—"
	}
	server := r.Target
	if server == "sql" {
		server = "none"
	}
	return fmt.Sprintf("%s / %s / %s / %s", r.CPU.cell(server), r.CPU.cell("postgres"), r.CPU.cell("loader"), r.CPU.cell("other"))
}

// hasShape reports whether our server ran the shape.
func hasShape(results []result, shape string) bool {
	for _, r := range results {
		if r.Shape == shape && r.Target == "ours" && r.NA == "" {
			return true
		}
	}
	return false
}

// postGraphileTargets are the PostGraphile versions compared, by target key.
var postGraphileTargets = []struct{ key, name string }{
	{"postgraphile", "PostGraphile 4"},
	{"postgraphile5", "PostGraphile 5"},
}

// postGraphiles names the PostGraphile versions of the run, with their
// packages' versions when known, for the page's first sentence.
func postGraphiles(env environment, targets []*target) string {
	versions := map[string]string{"postgraphile": env.PostGraphile, "postgraphile5": env.PostGraphile5}
	var names []string
	for _, t := range targets {
		if _, ok := versions[t.Key]; !ok {
			continue
		}
		n := t.Name
		if v := versions[t.Key]; v != "" {
			n += " (" + v + ")"
		}
		names = append(names, n)
	}
	switch len(names) {
	case 0:
		return "no PostGraphile"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// count writes a small number as a word.
func count(n int) string {
	words := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return fmt.Sprint(n)
}

// ratios writes, per shape, our requests/s divided by each PostGraphile's and
// by the faster one's on that shape.
func ratios(p func(string, ...any), selected []*shape, targets []*target, get func(s, t string) (result, bool)) {
	var pgs []*target
	hasOurs := false
	for _, t := range targets {
		switch t.Key {
		case "ours":
			hasOurs = true
		case "postgraphile", "postgraphile5":
			pgs = append(pgs, t)
		}
	}
	if !hasOurs || len(pgs) == 0 {
		return
	}
	// rate is a target's requests/s on a shape, and the cell to write
	// instead of a ratio when there is none: n/a when the target cannot
	// answer the shape or did not run it, — when all its requests failed.
	rate := func(s, t string) (float64, string) {
		r, found := get(s, t)
		switch {
		case !found || r.NA != "":
			return 0, "n/a"
		case r.RPS == 0:
			return 0, "—"
		}
		return r.RPS, ""
	}
	ratio := func(ours, theirs float64) string { return fmt.Sprintf("%.2f×", ours/theirs) }
	p("### Ours / PostGraphile")
	p("")
	p("Our requests per second divided by each PostGraphile's, per shape (above 1: ours answers more), and by the faster PostGraphile's on that shape.")
	p("")
	header, sep := "| shape |", "| --- |"
	for _, t := range pgs {
		header += fmt.Sprintf(" ours / %s |", t.Name)
		sep += " ---: |"
	}
	if len(pgs) > 1 {
		header += " ours / the faster PostGraphile |"
		sep += " ---: |"
	}
	p("%s", header)
	p("%s", sep)
	for _, s := range selected {
		line := fmt.Sprintf("| %s |", s.Key)
		ours, oursNone := rate(s.Key, "ours")
		best, bestName, bestNone := 0.0, "", "n/a"
		for _, t := range pgs {
			theirs, none := rate(s.Key, t.Key)
			switch {
			case none != "":
				line += " " + none + " |"
				if none != "n/a" {
					bestNone = none
				}
				continue
			case oursNone != "":
				line += " " + oursNone + " |"
			default:
				line += " " + ratio(ours, theirs) + " |"
			}
			if theirs > best {
				best, bestName = theirs, t.Name
			}
		}
		if len(pgs) > 1 {
			switch {
			case bestName == "":
				line += " " + bestNone + " |"
			case oursNone != "":
				line += " " + oursNone + " |"
			default:
				line += fmt.Sprintf(" %s (%s) |", ratio(ours, best), bestName)
			}
		}
		p("%s", line)
	}
	p("")
}
