package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/bri-tracker/bri-tracker/bench/internal/procstat"
)

// report writes the results page.
func report(o options, res *results) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	cores := runtime.NumCPU()
	capacity := float64(cores) * 100

	p("# Scale-out: one or two server processes, with and without a read replica")
	p("")
	p("<!-- Written by bench/scaleout (run by `%s`); re-running rewrites this page. Edit bench/scaleout/report.go, not this file. -->", o.Command)
	p("")
	p("One and two processes of our server on one PostgreSQL database, each without and with a streaming replica, measured side by side in one run on the same data: the throughput of a mix of reads, and a read-after-write workload that checks that every read sees the client's own write and counts how many of those reads a replica served. Measured on %s, from %s to %s UTC, with", res.Start.Format("2006-01-02"), res.Start.Format("15:04"), res.End.Format("15:04"))
	p("")
	p("```sh\n%s\n```", o.Command)
	p("")
	p("(see [bench/README.md](../bench/README.md#scale-out)). It is a benchmark, not a test; CI does not run it.")
	p("")
	p("**%d cores.** %s", cores, headline(res, capacity))
	p("")

	p("## The machine and the setup")
	p("")
	machine := fmt.Sprintf("%d cores (%s), %.1f GiB of memory", cores, procstat.CPUModel(), float64(procstat.MemTotal())/(1<<30))
	if k, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		machine += ", Linux " + strings.TrimSpace(string(k))
	}
	p("- Machine: %s. Load average before the run (1, 5, 15 minutes): %s. %s", machine, res.LoadAvg, otherNote(o.Note, res))
	p("- Everything shares these cores: our server processes, the primary PostgreSQL %s (127.0.0.1:5432), the replica (a second cluster of the same version on 127.0.0.1:5433, made by `.ci/replica.sh` with `pg_basebackup -R`: a hot standby streaming the primary's WAL, which replays every write the primary makes) and this load generator.", res.PostgreSQL)
	p("- Data: %s", datasetText(o, res))
	p("- Each server process: `DATABASE_URL=%s bri-tracker %s`, with `--port` of its own (%s) and, in the layouts with a replica, `--database-replica-urls %s` (default `--replica-max-lag` of 30 s, replicas checked each second). Everything else is the default: among it, 3 GraphQL requests at once per CPU (`--max-concurrent` %d per process, the rest wait their turn) and a pool of at most 20 connections to each database per process. No Redis: nothing here needs limits or caches shared between processes.", o.DatabaseURL, strings.Join(res.ServerFlags[:len(res.ServerFlags)-2], " "), o.Ports, o.Replica, 3*cores)
	p("- Clients: %d, each sending its next request as soon as the last is answered (a closed loop), HTTP/1.1 keep-alive; each run %s of warm-up, not recorded, then %s recorded. No load balancer: each client sends its requests to the processes in turn, round-robin, as a balancer would.", o.Concurrency, o.Warmup, o.Duration)
	p("- The processes of a layout start together (on PostgreSQL each applies pending migrations under an advisory lock at start: there are none), and are stopped before the next layout; before each run the replica has replayed all the primary wrote. All four layouts' reads run first, on the same data, then the writes.")
	p("- CPU columns: percent of one core over the recorded time (the machine has %.0f%%), read from `/proc`: our server processes together, the primary PostgreSQL (postmaster and backends), the replica's (with its WAL replay), this load generator, and everything else on the machine (other work, the kernel's share not charged to a process).", capacity)
	p("")

	p("## Read throughput")
	p("")
	p("The read mix: %s (weights; the shapes are bench/load's, in `bench/internal/queries`, see [benchmarks.md](benchmarks.md)); the node shape asks for a random project. No API key (public reads). Every answer is checked: HTTP 200 and no `errors`.", mixText(o.Mix))
	p("")
	p("| layout | req/s | vs 1 process, primary only | p50 ms | p99 ms | errors | reads served by the replica | CPU: servers / primary / replica / loader / other | busy, of %.0f%% | reads per CPU-second of servers and PostgreSQL | vs 1 process, primary only |", capacity)
	p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	base, baseCPU := 0.0, 0.0
	if len(res.Reads) > 0 {
		base, baseCPU = res.Reads[0].rate(), res.Reads[0].perCPU()
	}
	for _, m := range res.Reads {
		p("| %s | %.0f | %s | %.1f | %.1f | %d | %s | %s | %.0f%% | %.0f | %s |", layout(m), m.rate(), ratio(m.rate(), base), msf(m.P50), msf(m.P99), m.Errors, onReplica(m), cpuCells(m.CPU), m.CPU.Total(), m.perCPU(), ratio(m.perCPU(), baseCPU))
	}
	errorNotes(p, res.Reads)
	retriedNote(p, o, res.Reads)
	p("")
	p("Reads per CPU-second: the reads per second divided by the cores the server processes and PostgreSQL (primary and replica) used meanwhile. On saturated cores the reads per second follow whatever CPU other work leaves; this ratio does not, and says what a layout costs per read.")
	p("")

	p("## Read after write")
	p("")
	p("Each client renames one of its own projects (`updateProject` of its title, with an ADMIN API key) on one process, takes the write's consistency token from the response's `X-BRI-Consistency` header, and at once reads the title back (`node(id:)`) from the next process, round-robin, presenting the token. A read that does not return the title just written is a violation; there must be none. The server reads a request that presents a token from a replica only if that replica has replayed the token's WAL position, by the last position the server knows it to have replayed (the watcher checks each replica each second, and every live check below moves it on) or else by asking the replica there and then (`pg_last_wal_replay_lsn()`); otherwise from the primary. Where the token reads went is the servers' own count, `bri_replica_read_requests_total` of `/metrics`, over the recorded time. Without a replica there are no tokens, and every read goes to the primary.")
	p("")
	p("| layout | write+read pairs/s | pair p50 / p99 ms | write p50 ms | read p50 / p99 ms | reads not seeing the write | token reads on the replica: watcher / asked | token reads on the primary | errors | CPU: servers / primary / replica / loader / other | busy, of %.0f%% |", capacity)
	p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, m := range res.RAW {
		onRep, onPrim := "—", "all (no replica)"
		if m.Config.Replica {
			total := routedTotal(m.Routed)
			onRep = fmt.Sprintf("%s / %s", count(m.Routed["replica"], total), count(m.Routed["replica_caught_up"], total))
			onPrim = count(m.Routed["token_ahead"]+m.Routed["no_replica"]+m.Routed["failover"], total)
			if n := m.Routed["no_replica"] + m.Routed["failover"]; n > 0 {
				onPrim += fmt.Sprintf(" (%.0f with no usable replica or failing over)", n)
			}
		}
		p("| %s | %.0f | %.1f / %.1f | %.1f | %.1f / %.1f | **%d** of %s | %s | %s | %d | %s | %.0f%% |", layout(m), m.rate(), msf(m.P50), msf(m.P99), msf(m.WriteP50), msf(m.ReadP50), msf(m.ReadP99), m.Violations, thousands(m.Requests), onRep, onPrim, m.Errors, cpuCells(m.CPU), m.CPU.Total())
	}
	errorNotes(p, res.RAW)
	retriedNote(p, o, res.RAW)
	p("")
	p("\"watcher\": the server already knew the replica to have replayed the token; \"asked\": the token was newer than what it knew, and the replica, asked at once, had replayed it; \"on the primary\": it had not (`token_ahead`), so the primary served the read. Percentages are of the token reads the servers counted.")
	for _, m := range res.RAW {
		if m.Config.Replica && m.Tokenless > 0 {
			p("")
			p("%s: %d writes came back without a token (then the read went without one).", m.Config, m.Tokenless)
		}
	}
	if len(res.RAWNoToken) > 0 {
		p("")
		p("The same workload without the token, in the layouts with a replica: what the token prevents. The read goes to the replica whether or not it has replayed the write.")
		p("")
		p("| layout | write+read pairs/s | read p50 / p99 ms | reads not seeing the write | reads on the replica | errors |")
		p("| --- | ---: | ---: | ---: | ---: | ---: |")
		for _, m := range res.RAWNoToken {
			p("| %s | %.0f | %.1f / %.1f | %s of %s (%.1f%%) | %s | %d |", layout(m), m.rate(), msf(m.ReadP50), msf(m.ReadP99), thousands(m.Violations), thousands(m.Requests), pct(float64(m.Violations), float64(m.Requests)), onReplica(m), m.Errors)
		}
		errorNotes(p, res.RAWNoToken)
		retriedNote(p, o, res.RAWNoToken)
	}
	p("")

	p("## What %d cores allow", cores)
	p("")
	for _, s := range analysis(res, capacity) {
		p("- %s", s)
	}
	return b.String()
}

// headline sums up the run in a few sentences.
func headline(res *results, capacity float64) string {
	r := map[config]measurement{}
	for _, m := range res.Reads {
		r[m.Config] = m
	}
	one, two := r[config{1, false}], r[config{2, false}]
	oneR, twoR := r[config{1, true}], r[config{2, true}]
	var v, n int
	for _, m := range res.RAW {
		v += m.Violations
		n += m.Requests
	}
	return fmt.Sprintf("Reads: %.0f req/s with 1 process and %.0f with 2 (%s), %.0f and %.0f with the replica (%s and %s of 1 process, primary only). The machine was %s busy during the read runs: these are shares of one saturated machine, moved by whatever other work took (column \"other\"), not scale-out. Per CPU-second of the servers and PostgreSQL, which other work does not move, 2 processes served %s of 1 process's reads, and with the replica %s (1 process) and %s (2). Read after write: %d of %s reads did not see the client's own write, across processes and with the replica.",
		one.rate(), two.rate(), ratio(two.rate(), one.rate()), oneR.rate(), twoR.rate(), ratio(oneR.rate(), one.rate()), ratio(twoR.rate(), one.rate()),
		busyRange(res.Reads, capacity), ratio(two.perCPU(), one.perCPU()), ratio(oneR.perCPU(), one.perCPU()), ratio(twoR.perCPU(), one.perCPU()), v, thousands(n))
}

// analysis says what the numbers do and don't show.
func analysis(res *results, capacity float64) []string {
	r := map[config]measurement{}
	for _, m := range res.Reads {
		r[m.Config] = m
	}
	one, two := r[config{1, false}], r[config{2, false}]
	oneR, twoR := r[config{1, true}], r[config{2, true}]
	var out []string
	busiest := 0.0
	for _, m := range res.Reads {
		busiest = max(busiest, m.CPU.Total())
	}
	limit := "the CPU is the limit"
	if busiest < 0.9*capacity {
		limit = "not quite all of it, so part of the limit is elsewhere (waiting on PostgreSQL's locks and I/O, the servers' admission queues), but the CPU is most of it"
	}
	out = append(out, fmt.Sprintf("The read runs kept the machine %s busy: %s. Our server processes, PostgreSQL and the load generator all run on these cores, so a second server process cannot add CPU, only take it from the first, from PostgreSQL or from the clients; **2 processes cannot beat 1 here when the work is CPU-bound**. Two processes against one, primary only: %s of the reads per second, with the servers at %.0f%% against %.0f%% of a core and PostgreSQL at %.0f%% against %.0f%% (other work: %.0f%% against %.0f%%); per CPU-second of the servers and PostgreSQL, %s. %s",
		busyRange(res.Reads, capacity), limit, ratio(two.rate(), one.rate()), two.CPU.Servers, one.CPU.Servers, two.CPU.Primary, one.CPU.Primary, two.CPU.Other, one.CPU.Other,
		ratio(two.perCPU(), one.perCPU()), perCPUVerdict(two.perCPU()/one.perCPU(), "a second process")))
	if o := otherRange(res.Reads); o != "" {
		out = append(out, "Other work on the machine took "+o+" of a core during the read runs (column \"other\"): it ran on the same cores and moved the numbers; compare the layouts within this run, not with another run's.")
	}
	out = append(out, fmt.Sprintf("The replica runs on the same cores too. With it, reads move from the primary PostgreSQL to the replica (1 process: primary %.0f%%, replica %.0f%% of a core, against %.0f%% for the primary alone without it), but the cores that compute them are the same, and the replica also replays the primary's WAL. So a replica here cannot add CPU to the reads either. Measured, with the replica against without: %s of the reads per second with 1 process, %s with 2; per CPU-second of the servers and both PostgreSQLs, %s and %s. %s",
		oneR.CPU.Primary, oneR.CPU.Replica, one.CPU.Primary, ratio(oneR.rate(), one.rate()), ratio(twoR.rate(), two.rate()),
		ratio(oneR.perCPU(), one.perCPU()), ratio(twoR.perCPU(), two.perCPU()), perCPUVerdict((oneR.perCPU()/one.perCPU()+twoR.perCPU()/two.perCPU())/2, "the replica")))
	var raw []string
	for _, m := range res.RAW {
		if m.Config.Replica {
			total := routedTotal(m.Routed)
			raw = append(raw, fmt.Sprintf("%s: %s of the token reads on the replica, %s sent to the primary", m.Config,
				count(m.Routed["replica"]+m.Routed["replica_caught_up"], total), count(m.Routed["token_ahead"]+m.Routed["no_replica"]+m.Routed["failover"], total)))
		}
	}
	var v, n int
	for _, m := range res.RAW {
		v += m.Violations
		n += m.Requests
	}
	w := map[config]measurement{}
	var ahead, tokenReads float64
	for _, m := range res.RAW {
		w[m.Config] = m
		if m.Config.Replica {
			ahead += m.Routed["token_ahead"]
			tokenReads += routedTotal(m.Routed)
		}
	}
	replay := "is mostly there already (or by the time the server asks)"
	if ahead > 0.2*tokenReads {
		replay = fmt.Sprintf("is often not there yet (%.0f%% of the token reads), and then the server asks the replica (a round trip) and reads from the primary", pct(ahead, tokenReads))
	}
	out = append(out, fmt.Sprintf("What the numbers do show: the routing works under load and across processes. Of %s reads that followed a write made on another process (or the same, with 1), %d did not see it. Where the token reads went: %s. The read comes a few milliseconds after the commit; the replica's replay, competing for the same cores, %s. Tokens cost the write side too: the response to each write carries the primary's WAL position, one more statement. Pairs per second with the replica against without: %s with 1 process, %s with 2.",
		thousands(n), v, strings.Join(raw, "; "), replay, ratio(w[config{1, true}].rate(), w[config{1, false}].rate()), ratio(w[config{2, true}].rate(), w[config{2, false}].rate())))
	if len(res.RAWNoToken) > 0 {
		var s []string
		var missed, reads int
		for _, m := range res.RAWNoToken {
			missed += m.Violations
			reads += m.Requests
			s = append(s, fmt.Sprintf("%s: %s of %s (%.1f%%)", m.Config, thousands(m.Violations), thousands(m.Requests), pct(float64(m.Violations), float64(m.Requests))))
		}
		out = append(out, fmt.Sprintf("Without the token, reads from the replica missed the client's own write: %s. That is what the token is for. How often a read without it misses depends on how far the replica's replay trails the client's next request, %s; across a network or under heavier writes it trails more, on idle dedicated hardware less, but never to nothing.", strings.Join(s, "; "), trails(missed, reads)))
	}
	out = append(out, "What they don't show: how throughput grows with processes and replicas when each has cores of its own, which is the point of scaling out. That takes separate machines (or at least more cores than the processes and databases need), where the expected result is that a CPU-bound server tier grows with its processes until PostgreSQL's primary (for writes and token reads it cannot hand off) or the network is the limit, and that replicas take the read load off the primary. Nor do they show a load balancer's cost or a network's latency: everything here talks over loopback.")
	return out
}

// perCPUVerdict says what a ratio of reads per CPU-second means.
func perCPUVerdict(r float64, what string) string {
	switch {
	case r < 0.95:
		return "So " + what + " costs more CPU per read, and on cores that are all in use that is throughput lost."
	case r > 1.05:
		return "So " + what + " cost less CPU per read in this run; on these cores that is all it can give, since the CPU itself cannot grow (between 10-second runs on a shared machine, a few percent either way is noise)."
	default:
		return "So " + what + " costs about the same CPU per read, and cannot add any CPU to spend."
	}
}

// trails says how often the replica trailed the reads without a token.
func trails(missed, reads int) string {
	share := pct(float64(missed), float64(reads))
	switch {
	case share >= 20:
		return fmt.Sprintf("and here, with the replay on the same busy cores, it trailed often (%.0f%% of the reads)", share)
	case share >= 1:
		return fmt.Sprintf("and here it trailed now and then (%.1f%% of the reads)", share)
	default:
		return fmt.Sprintf("and here it seldom did (%.2f%% of the reads)", share)
	}
}

func busyRange(ms []measurement, capacity float64) string {
	if len(ms) == 0 {
		return "—"
	}
	lo, hi := ms[0].CPU.Total(), ms[0].CPU.Total()
	for _, m := range ms {
		lo, hi = min(lo, m.CPU.Total()), max(hi, m.CPU.Total())
	}
	return fmt.Sprintf("%.0f–%.0f%% of %.0f%%", lo, hi, capacity)
}

// otherRange is the range of the other work's CPU over ms, "" when it
// stayed under a tenth of a core.
func otherRange(ms []measurement) string {
	if len(ms) == 0 {
		return ""
	}
	lo, hi := ms[0].CPU.Other, ms[0].CPU.Other
	for _, m := range ms {
		lo, hi = min(lo, m.CPU.Other), max(hi, m.CPU.Other)
	}
	if hi < 10 {
		return ""
	}
	return fmt.Sprintf("%.0f–%.0f%%", lo, hi)
}

func otherNote(note string, res *results) string {
	s := "Other work on the machine during each run shows in the column \"other\"; it may have been running (tests of other branches share these cores and this PostgreSQL)."
	if note != "" {
		s = note + " " + s
	}
	return s
}

func datasetText(o options, res *results) string {
	if o.Dataset != "" {
		return o.Dataset
	}
	return fmt.Sprintf("%s projects.", thousands(res.Projects))
}

func mixText(mix string) string {
	var parts []string
	for _, part := range strings.Split(mix, ",") {
		k, w, _ := strings.Cut(part, ":")
		parts = append(parts, fmt.Sprintf("%s %s", k, w))
	}
	return strings.Join(parts, ", ")
}

func onReplica(m measurement) string {
	if !m.Config.Replica {
		return "— (no replica)"
	}
	total := routedTotal(m.Routed)
	return count(m.Routed["replica"]+m.Routed["replica_caught_up"], total)
}

func routedTotal(r map[string]float64) float64 {
	var t float64
	for _, v := range r {
		t += v
	}
	return t
}

// count is n and its share of total.
func count(n, total float64) string {
	if total <= 0 {
		return "0"
	}
	return fmt.Sprintf("%s (%.0f%%)", thousands(int(n)), n/total*100)
}

func pct(n, total float64) float64 {
	if total <= 0 {
		return 0
	}
	return n / total * 100
}

func ratio(a, b float64) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func cpuCells(u cpuUse) string {
	return fmt.Sprintf("%.0f%% / %.0f%% / %.0f%% / %.0f%% / %.0f%%", u.Servers, u.Primary, u.Replica, u.Loader, u.Other)
}

// layout names a measurement's layout, marked when it was run again.
func layout(m measurement) string {
	if m.Retried {
		return m.Config.String() + " †"
	}
	return m.Config.String()
}

func retriedNote(p func(string, ...any), o options, ms []measurement) {
	for _, m := range ms {
		if m.Retried {
			p("")
			p("† Other work on the machine took more than %.0f%% of a core during this layout's first try, so it was run again once the machine was quiet (or after %s of waiting), and the less disturbed of the two tries is shown.", o.Disturbed, o.WaitQuiet)
			return
		}
	}
}

func errorNotes(p func(string, ...any), ms []measurement) {
	for _, m := range ms {
		if m.Errors > 0 {
			p("")
			p("%s, %s: %d errors, among them: %s", m.Config, m.Workload, m.Errors, strings.Join(m.ErrorSamples, "; "))
		}
	}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
