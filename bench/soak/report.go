package main

import (
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/bri-tracker/bri-tracker/bench/internal/procstat"
)

// marker starts the soak's section of docs/benchmarks.md, which runs to the
// end of the page: a new soak replaces it, and bench/load, which rewrites
// the page above it, keeps it.
const marker = "<!-- soak: written by bench/soak"

type result struct {
	options
	Start         time.Time
	Rows          []row // "start", the intervals, "after"
	LoadSeconds   float64
	Stats         *stats
	Left          int // projects the soak created and deleted at the end
	CleanupErrors int
	Known         int // projects read at the start, for node(id)
}

// intervals are the rows measured under load.
func (r result) intervals() []row { return r.Rows[1 : len(r.Rows)-1] }

type spread struct{ first, last, max float64 }

func (r result) spread(get func(row) float64) spread {
	iv := r.intervals()
	s := spread{first: get(iv[0]), last: get(iv[len(iv)-1])}
	for _, x := range iv {
		s.max = max(s.max, get(x))
	}
	return s
}

func (r result) totals() (requests, writes, errs int) {
	for _, x := range r.intervals() {
		requests += x.Requests
		writes += x.Writes
		errs += x.errorCount()
	}
	return
}

// verdict is the one-line summary.
func (r result) verdict() string {
	requests, _, errs := r.totals()
	rss := r.spread(func(x row) float64 { return x.RSS })
	gr := r.spread(func(x row) float64 { return float64(x.Goroutines) })
	errText := fmt.Sprintf("%d errors", errs)
	if errs > 0 {
		errText += " (" + errorsCell(r.Stats.total) + ")"
	}
	return fmt.Sprintf("%s in %s requests; RSS %.1f MiB in the first interval, %.1f in the last, at most %.1f; goroutines %.0f first, %.0f last, at most %.0f",
		errText, thousands(requests), rss.first, rss.last, rss.max, gr.first, gr.last, gr.max)
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func memTotal() string {
	return fmt.Sprintf("%.1f GiB of memory", float64(procstat.MemTotal())/(1<<30))
}

func (r result) markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	requests, writes, errs := r.totals()
	p("%s (run by `bash bench/soak.sh`); re-running replaces this section, from here to the end of the page. -->\n\n", marker)
	p("## Soak\n\n")
	p("A benchmark, not a test: %s of mixed reads and writes against one server on PostgreSQL, "+
		"%d clients without pause, %.0f%% of requests writes, to see that it serves them without error and that its memory and goroutines stay flat. "+
		"Measured %s with\n\n```sh\n%s\n```\n\n", dur(r.Duration), r.Clients, r.WriteShare*100, r.Start.UTC().Format("2006-01-02 15:04 UTC"), r.Command)
	if r.ServerCommand != "" {
		p("The server: `%s`.\n\n", r.ServerCommand)
	}
	if r.Dataset != "" {
		p("The database: %s. ", r.Dataset)
	}
	p("Reads, weighted: a page of 20 projects of one sector, some also filtered by status or commitment year, ordered by amount, year, title or signing date (30%%); "+
		"10 countries of one region with 10 hosted projects each and 3 participants of each (15%%); a project by id with its participants and policies, among %d read at the start (25%%); "+
		"`projectStats` grouped by sector, status, region, host country, participant role or sector and year, over all projects or one sector (15%%); `search` for one of 18 words or phrases (15%%). ", r.Known)
	p("Writes, one third each: `createProject` with a host country and a participant, sent with an `Idempotency-Key`; `updateProject` of the title of a project the soak created; " +
		"`deleteProject` of one it created (a create when it has none left), so that the table keeps its size; each project the soak created is in use by one client at a time, so every write is valid. ")
	p("Every answer is checked (HTTP 200, no `errors`, the data asked for) and an error counts under its `extensions.code` (`HTTP nnn` without one, `transport` when no answer came). ")
	p("At the end of each interval the soak reads `process_resident_memory_bytes` and `go_goroutines` from the server's `/metrics` (for the last interval, a second before the clients stop, so that it is read under load). "+
		"The row *start* is the server before the load (after the soak read its ids); *after* is the server idle 5 s after the load, once the soak had deleted the %d projects it had created and not deleted", r.Left)
	if r.CleanupErrors > 0 {
		p(" (%d of those deletes failed)", r.CleanupErrors)
	}
	p(".\n\n")
	p("Machine: %d cores (%s), %s", runtime.NumCPU(), procstat.CPUModel(), memTotal())
	if r.MachineNote != "" {
		p("; %s", r.MachineNote)
	}
	p(". CPU columns are percent of one core over the interval (the machine has %d00%%): the server; PostgreSQL, all its processes, for every database on it (a backend that exits within an interval is counted under other); the soak itself; other, the rest of the machine's busy time.\n\n", runtime.NumCPU())

	label := "minute"
	if r.Interval != time.Minute {
		label = "interval (" + r.Interval.String() + ")"
	}
	p("| %s | requests | req/s | writes | errors | p50 | p99 | RSS (MiB) | goroutines | CPU: server | PostgreSQL | soak | other |\n", label)
	p("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, x := range r.Rows {
		if x.Requests == 0 && x.Seconds == 0 {
			p("| *%s* | | | | | | | %.1f | %d | | | | |\n", x.Label, x.RSS, x.Goroutines)
			continue
		}
		p("| %s | %s | %.1f | %s | %s | %s | %s | %.1f | %d | %.0f | %.0f | %.0f | %.0f |\n", x.Label, thousands(x.Requests), float64(x.Requests)/x.Seconds,
			thousands(x.Writes), errorsCell(x.Errors), ms(x.P50), ms(x.P99), x.RSS, x.Goroutines, x.ServerCPU, x.PGCPU, x.SoakCPU, x.OtherCPU)
	}
	p("\nTotals: %s requests in %.0f s (%.1f/s), %s of them writes, %d errors.\n\n", thousands(requests), r.LoadSeconds, float64(requests)/r.LoadSeconds, thousands(writes), errs)

	p("| request | requests | errors | p50 | p99 |\n| --- | ---: | ---: | ---: | ---: |\n")
	for _, k := range kinds {
		ks := r.Stats.perKind[k.name]
		if ks == nil {
			continue
		}
		slices.Sort(ks.latencies)
		p("| %s | %s | %d | %s | %s |\n", k.name, thousands(ks.requests), ks.errors, ms(percentile(ks.latencies, 0.5)), ms(percentile(ks.latencies, 0.99)))
	}
	p("\n(An update or delete when the soak had no project of its own left ran as a create, and counts as one.)\n\n")
	if errs > 0 {
		p("Errors by code, with the first messages:\n\n")
		for _, code := range slices.Sorted(maps.Keys(r.Stats.total)) {
			p("- `%s`: %d", code, r.Stats.total[code])
			for _, s := range r.Stats.samples[code] {
				p("\n  - %s", strings.ReplaceAll(s, "\n", " "))
			}
			p("\n")
		}
		p("\n")
	}
	p("**Verdict**: %s.\n", r.verdict())
	return b.String()
}

func dur(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return d.String()
}

// writeReport replaces the soak's section of the page (from its marker to
// the end) with section, or appends it.
func writeReport(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	page := string(old)
	if i := strings.Index(page, marker); i >= 0 {
		page = page[:i]
	}
	page = strings.TrimRight(page, "\n")
	if page != "" {
		page += "\n\n"
	}
	return os.WriteFile(path, []byte(page+section), 0o644)
}
