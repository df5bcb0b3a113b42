package main

import (
	"fmt"
	"log"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bri-tracker/bri-tracker/bench/internal/procstat"
)

// latencies are delivery delays in microseconds (negative when an event
// arrived before the writer had its response).
type latencies []int32

func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(l)-1))
	return time.Duration(l[i]) * time.Microsecond
}

// analysis is what the subscribers' records add up to.
type analysis struct {
	// from the writer's response, by group: all, ws, sse, same process,
	// other process
	groups    []string
	fromResp  map[string]latencies
	fromSent  latencies
	fromAt    latencies
	writeTime latencies // the writes' own response times
	writeErrs map[string]int
	complete  int // subscribers with every event once, in order
	delivered int // first receipts of the expected events
	lost      int
	// lost events before a subscriber's last received one (gaps), and
	// after it (its stream ended, or the drain timed out)
	lostGaps, lostTail int
	dup                int
	outOfOrder         int
	unexpected         int
	ended              map[string]int // why subscribers ended early, counted
	// how long the subscribers that ended early had been open, by reason
	endedAfter map[string][]time.Duration
	// streams cut under their subscriber: how long each had been open, and
	// the transports, by reason
	cutAfter map[string][]time.Duration
	cutBy    map[string]map[string]int
	errs     map[string]int // errors subscribers were sent
	windows  []window
}

// window is a 10-second span of the writes, by when they were sent.
type window struct {
	from, to   time.Duration
	writes     int
	deliveries int
	p50, p99   time.Duration
	max        time.Duration
	rss        []int64 // each server's resident memory at the window's end
}

func analyse(r *results) *analysis {
	a := &analysis{
		groups:     []string{"all", "graphql-ws", "SSE", "woken by its own process's commit", "woken by NOTIFY"},
		fromResp:   map[string]latencies{},
		writeErrs:  map[string]int{},
		ended:      map[string]int{},
		endedAfter: map[string][]time.Duration{},
		cutAfter:   map[string][]time.Duration{},
		cutBy:      map[string]map[string]int{},
		errs:       map[string]int{},
	}
	pos := make(map[int64]int, len(r.Expected))
	for i, e := range r.Expected {
		pos[e.id] = i
	}
	byPartner := make(map[int64]*write, len(r.Writes))
	for i := range r.Writes {
		w := &r.Writes[i]
		if w.err != "" {
			a.writeErrs[w.err]++
			continue
		}
		byPartner[w.partner] = w
		a.writeTime = append(a.writeTime, int32((w.resp-w.sent)/1e3))
	}
	const win = 10 * time.Second
	nwin := int(r.WriteEnd.Sub(r.WriteStart)/win) + 1
	winLat := make([]latencies, nwin)
	winWrites := make([]int, nwin)
	for _, w := range r.Writes {
		if i := int(time.Duration(w.sent-r.WriteStart.UnixNano()) / win); i >= 0 && i < nwin {
			winWrites[i]++
		}
	}
	seen := make([]bool, len(r.Expected))
	for _, s := range r.Subs {
		clear(seen)
		got, last, inOrder := 0, -1, true
		tr := "graphql-ws"
		if s.transport == "sse" {
			tr = "SSE"
		}
		for _, ev := range s.events {
			i, ok := pos[ev.id]
			if !ok {
				if ev.recv > r.WriteStart.UnixNano() {
					a.unexpected++
				}
				continue
			}
			if seen[i] {
				a.dup++
				inOrder = false
				continue
			}
			seen[i] = true
			got++
			if i < last {
				a.outOfOrder++
				inOrder = false
			}
			last = i
			w := byPartner[r.Expected[i].entity]
			if w == nil {
				continue
			}
			d := int32((ev.recv - w.resp) / 1e3)
			a.fromResp["all"] = append(a.fromResp["all"], d)
			a.fromResp[tr] = append(a.fromResp[tr], d)
			if w.proc == s.proc {
				a.fromResp["woken by its own process's commit"] = append(a.fromResp["woken by its own process's commit"], d)
			} else {
				a.fromResp["woken by NOTIFY"] = append(a.fromResp["woken by NOTIFY"], d)
			}
			a.fromSent = append(a.fromSent, int32((ev.recv-w.sent)/1e3))
			a.fromAt = append(a.fromAt, int32((ev.recv-ev.at)/1e3))
			if wi := int(time.Duration(w.sent-r.WriteStart.UnixNano()) / win); wi >= 0 && wi < nwin {
				winLat[wi] = append(winLat[wi], d)
			}
		}
		a.delivered += got
		a.lost += len(r.Expected) - got
		for i := range seen {
			if !seen[i] {
				if i < last {
					a.lostGaps++
				} else {
					a.lostTail++
				}
			}
		}
		if got == len(r.Expected) && inOrder {
			a.complete++
		}
		if s.ended != "" {
			a.ended[s.ended]++
			a.endedAfter[s.ended] = append(a.endedAfter[s.ended], s.endedAt.Sub(s.opened))
		}
		for _, e := range s.errs {
			a.errs[e]++
		}
		for _, c := range s.cuts {
			a.cutAfter[c.why] = append(a.cutAfter[c.why], c.after)
			if a.cutBy[c.why] == nil {
				a.cutBy[c.why] = map[string]int{}
			}
			a.cutBy[c.why][s.transport]++
		}
	}
	for _, l := range a.fromResp {
		slices.Sort(l)
	}
	slices.Sort(a.fromSent)
	slices.Sort(a.fromAt)
	slices.Sort(a.writeTime)
	for i, l := range winLat {
		slices.Sort(l)
		w := window{from: time.Duration(i) * win, to: min(time.Duration(i+1)*win, r.WriteEnd.Sub(r.WriteStart)), writes: winWrites[i], deliveries: len(l)}
		if len(l) > 0 {
			w.p50, w.p99, w.max = l.pct(50), l.pct(99), l.pct(100)
		}
		end := r.WriteStart.Add(w.to)
		for _, sm := range r.Samples {
			if !sm.t.After(end) || w.rss == nil {
				w.rss = sm.rss
			}
		}
		if w.writes > 0 {
			a.windows = append(a.windows, w)
		}
	}
	return a
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// thousands writes n with thousands separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// phaseStats are a server's samples in a phase: the last and the highest.
func phaseStats(r *results, phase string, f func(sample) int64) (last, high int64) {
	for _, s := range r.Samples {
		if s.phase != phase {
			continue
		}
		v := f(s)
		last = v
		high = max(high, v)
	}
	return last, high
}

func report(o options, r *results, a *analysis) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	all := a.fromResp["all"]
	nsubs := len(r.Subs)
	deliveries := len(r.Expected) * nsubs
	if o.Writer == "sql" {
		p("# Benchmarks: subscriptions, fan-out alone (writes by SQL)")
	} else {
		p("# Benchmarks: subscriptions, fan-out")
	}
	p("")
	p("<!-- Written by bench/subscribe (run by `%s`); edit bench/subscribe/report.go, not this file. -->", o.Command)
	p("")
	p("A benchmark, not a test: %s `auditEvents` subscriptions held open on two server processes on one PostgreSQL database while a writer commits %.0f writes a second for %s through both processes in turn. Every subscriber should receive every write's audit event, once and in commit order, wherever it was written. Measured %s to %s UTC with", thousands(nsubs), o.Rate, o.Duration, r.Start.Format("2006-01-02 15:04"), r.End.Format("15:04"))
	p("")
	p("```sh\n%s\n```", o.Command)
	p("")
	p("| | |")
	p("| --- | --- |")
	p("| subscribers | %s (%s), %d per process |", thousands(nsubs), transportsNote(o), nsubs/2)
	p("| writes (%s) | %s sent, %s answered with an error (%s of those committed all the same); %s audit events committed |", writerNote(o), thousands(len(r.Writes)), thousands(sumCounts(a.writeErrs)), thousands(sumCounts(r.FailedCommitted)), thousands(len(r.Expected)))
	p("| deliveries expected | %s (%s events × %s subscribers) |", thousands(deliveries), thousands(len(r.Expected)), thousands(nsubs))
	p("| delivered | %s; **lost %s** (%s in gaps, %s after a subscriber's last event), **duplicated %s, out of order %s**; unexpected events %s |", thousands(a.delivered), thousands(a.lost), thousands(a.lostGaps), thousands(a.lostTail), thousands(a.dup), thousands(a.outOfOrder), thousands(a.unexpected))
	p("| subscribers with every event, once, in order | %s of %s |", thousands(a.complete), thousands(nsubs))
	p("| streams cut under their subscribers (then resumed: %v) | %s |", o.Resume, thousands(nCuts(a)))
	p("| subscribers that ended before the benchmark closed them | %s |", thousands(sumCounts(a.ended)))
	p("| delivery latency from the write's response, p50 / p90 / p99 / max | **%s / %s / %s / %s** |", ms(all.pct(50)), ms(all.pct(90)), ms(all.pct(99)), ms(all.pct(100)))
	for i, s := range r.Servers {
		_, high := phaseStats(r, "writes", func(sm sample) int64 { return sm.rss[i] })
		p("| server %d (port %d) resident memory, highest during the writes | %s |", i+1, s.port, mib(high))
	}
	p("| CPU over the writes (%s), of the machine's %d cores | servers %.0f%%, PostgreSQL %.0f%%, this benchmark %.0f%%, all processes %.0f%% |",
		r.CPU.Wall.Round(time.Second), runtime.NumCPU(), pctOf(sumF(r.CPU.Servers), r.CPU.Wall), pctOf(r.CPU.PG, r.CPU.Wall), pctOf(r.CPU.Self, r.CPU.Wall), pctOf(r.CPU.Machine, r.CPU.Wall))
	p("")
	if f := findings(o, r, a); f != "" {
		p("## What went wrong")
		p("")
		p("%s", f)
		p("")
	}
	p("## Delivery latency")
	p("")
	p("From the moment the writer had the mutation's HTTP response (the write had committed) to the moment a subscriber's client read the event off its connection, for each event and each subscriber. Writer, subscribers and servers run on one machine and read one clock. The response arrives after the commit, so this slightly **under-counts** the delay from the commit itself; it can even be negative, when an event reaches a subscriber before the writer has read its response. The delay from the moment the request was sent (which includes the write's own time) bounds it from above.")
	p("")
	p("| measured from | deliveries | p50 | p90 | p99 | p99.9 | max |")
	p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, g := range a.groups {
		l := a.fromResp[g]
		if len(l) == 0 {
			continue
		}
		p("| the write's response, %s | %s | %s | %s | %s | %s | %s |", g, thousands(len(l)), ms(l.pct(50)), ms(l.pct(90)), ms(l.pct(99)), ms(l.pct(99.9)), ms(l.pct(100)))
	}
	p("| the write's request sent | %s | %s | %s | %s | %s | %s |", thousands(len(a.fromSent)), ms(a.fromSent.pct(50)), ms(a.fromSent.pct(90)), ms(a.fromSent.pct(99)), ms(a.fromSent.pct(99.9)), ms(a.fromSent.pct(100)))
	p("| the event's `at` (server clock, before commit) | %s | %s | %s | %s | %s | %s |", thousands(len(a.fromAt)), ms(a.fromAt.pct(50)), ms(a.fromAt.pct(90)), ms(a.fromAt.pct(99)), ms(a.fromAt.pct(99.9)), ms(a.fromAt.pct(100)))
	p("")
	p("\"Woken by its own process's commit\": the subscriber's process made the write, and its hub reads the event as soon as its own commit returns; \"woken by NOTIFY\": the write was made elsewhere (the other process, or the benchmark itself with `--writer sql`) and reached this process's hub by PostgreSQL's `NOTIFY`. The writes themselves took %s (p50) and %s (p99) from request to response.", ms(a.writeTime.pct(50)), ms(a.writeTime.pct(99)))
	p("")
	var waits, idle, nsamples, maxWaits int
	for _, sm := range r.Samples {
		if sm.phase == "writes" {
			waits += sm.lockWaits
			idle += sm.idleInTx
			maxWaits = max(maxWaits, sm.lockWaits)
			nsamples++
		}
	}
	if nsamples > 0 {
		p("Sampled each second during the writes, `pg_stat_activity` showed on average %.1f of the database's sessions waiting for an advisory lock (the lock under which a committing transaction numbers its audit events, `internal/live/numbering.go`; %d at most) and %.1f in a transaction waiting for their client (the server process) to send the next statement.", float64(waits)/float64(nsamples), maxWaits, float64(idle)/float64(nsamples))
		p("")
	}
	p("Over time, by when the write was sent (latency from the response), with each server's resident memory at the window's end:")
	p("")
	p("| seconds | writes | deliveries | p50 | p99 | max | memory, server 1 / 2 |")
	p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, w := range a.windows {
		mem := make([]string, len(w.rss))
		for i, v := range w.rss {
			mem[i] = mib(v)
		}
		p("| %.0f–%.0f | %s | %s | %s | %s | %s | %s |", w.from.Seconds(), w.to.Seconds(), thousands(w.writes), thousands(w.deliveries), ms(w.p50), ms(w.p99), ms(w.max), strings.Join(mem, " / "))
	}
	p("")
	p("## Completeness")
	p("")
	p("After the writes, the benchmark reads from the database every audit event committed since the measured writes began (by `seq`, the commit order: %s events) and compares each subscriber's stream with that list: an event it never received is lost, one received twice a duplicate, one received after an event committed later out of order; an event outside the list received after the writes began is unexpected. It waited %s after the last write's response for the last deliveries (at most %s).", thousands(len(r.Expected)), r.DrainTime.Round(time.Millisecond), o.Drain)
	p("")
	for _, c := range []struct {
		title  string
		counts map[string]int
	}{
		{"Writes that failed:", a.writeErrs},
		{"Of those, writes whose partner was committed all the same (found in the database by its name after the run):", r.FailedCommitted},
		{"Subscribers whose stream ended before the benchmark closed it:", a.ended},
		{"Errors the subscribers were sent:", a.errs},
	} {
		if len(c.counts) == 0 {
			continue
		}
		p("%s", c.title)
		p("")
		for _, k := range sortedKeys(c.counts) {
			p("- %d × `%s`", c.counts[k], trim(k))
		}
		p("")
	}
	if len(a.writeErrs)+len(a.ended)+len(a.errs) == 0 {
		p("No write failed, no subscriber's stream ended early and none was sent an error.")
		p("")
	}
	p("## Memory")
	p("")
	p("Each server process's resident memory (`VmRSS` from `/proc`) and goroutines (`go_goroutines` from its `/metrics`), sampled every second: before the subscribers connected, with them connected before the writes (the last sample), during the writes (the last sample and the highest), and after the last deliveries. PostgreSQL's is the sum of its processes' proportional set sizes (`Pss` from `/proc/<pid>/smaps_rollup`: a shared page is divided among the processes that map it; 0 when they cannot be read).")
	p("")
	p("| | before subscribers | subscribed, idle | writes: last | writes: highest | after |")
	p("| --- | ---: | ---: | ---: | ---: | ---: |")
	first := r.Samples[0]
	for i, s := range r.Servers {
		rss := func(sm sample) int64 { return sm.rss[i] }
		gor := func(sm sample) int64 { return sm.goroutines[i] }
		subIdle, _ := phaseStats(r, "subscribe", rss)
		wLast, wHigh := phaseStats(r, "writes", rss)
		after, _ := phaseStats(r, "end", rss)
		p("| server %d (port %d), memory | %s | %s | %s | %s | %s |", i+1, s.port, mib(first.rss[i]), mib(subIdle), mib(wLast), mib(wHigh), mib(after))
		gIdle, _ := phaseStats(r, "subscribe", gor)
		gLast, gHigh := phaseStats(r, "writes", gor)
		gAfter, _ := phaseStats(r, "end", gor)
		p("| server %d, goroutines | %s | %s | %s | %s | %s |", i+1, thousands(int(first.goroutines[i])), thousands(int(gIdle)), thousands(int(gLast)), thousands(int(gHigh)), thousands(int(gAfter)))
	}
	pg := func(sm sample) int64 { return sm.pgPSS }
	pgIdle, _ := phaseStats(r, "subscribe", pg)
	pgLast, pgHigh := phaseStats(r, "writes", pg)
	pgAfter, _ := phaseStats(r, "end", pg)
	p("| PostgreSQL, memory | %s | %s | %s | %s | %s |", mib(first.pgPSS), mib(pgIdle), mib(pgLast), mib(pgHigh), mib(pgAfter))
	p("")
	p("## CPU")
	p("")
	p("CPU-seconds used over the %s of the writes (from `/proc`), and as a share of one core; the machine has %d.", r.CPU.Wall.Round(time.Millisecond), runtime.NumCPU())
	p("")
	p("| process | CPU-seconds | of one core |")
	p("| --- | ---: | ---: |")
	for i, s := range r.Servers {
		p("| server %d (port %d) | %.1f | %.0f%% |", i+1, s.port, r.CPU.Servers[i], pctOf(r.CPU.Servers[i], r.CPU.Wall))
	}
	p("| PostgreSQL | %.1f | %.0f%% |", r.CPU.PG, pctOf(r.CPU.PG, r.CPU.Wall))
	p("| this benchmark (writer and %s subscribers' clients) | %.1f | %.0f%% |", thousands(nsubs), r.CPU.Self, pctOf(r.CPU.Self, r.CPU.Wall))
	other := r.CPU.Machine - sumF(r.CPU.Servers) - r.CPU.PG - r.CPU.Self
	p("| everything else on the machine | %.1f | %.0f%% |", max(0, other), pctOf(max(0, other), r.CPU.Wall))
	p("")
	p("**Two cores, shared.** The two server processes, PostgreSQL and the benchmark's own %s clients (which parse every event they receive: up to %s a second at this rate) all run on the same %d cores, so the latencies include waiting for a core, and a second server process adds no CPU: it shows that the fan-out across processes by `NOTIFY` works and what it costs, not how it scales. On separate machines the clients' share would go elsewhere.", thousands(nsubs), thousands(int(o.Rate)*nsubs), runtime.NumCPU())
	p("")
	p("## Server logs")
	p("")
	warned := false
	for i, s := range r.Servers {
		lines := r.LogLines[i]
		if len(lines) == 0 {
			continue
		}
		warned = true
		p("Server %d (port %d) logged %d warnings or errors; the first:", i+1, s.port, len(lines))
		p("")
		p("```")
		for _, l := range lines[:min(10, len(lines))] {
			p("%s", trim(l))
		}
		p("```")
		p("")
	}
	if !warned {
		p("Neither server logged a warning or an error.")
		p("")
	}
	p("## Setup")
	p("")
	p("- Machine: %s, %d cores, %s of memory; load average before the run %s.", procstat.CPUModel(), runtime.NumCPU(), mib(procstat.MemTotal()), r.LoadAvg)
	if o.Note != "" {
		p("- Meanwhile on the machine: %s", o.Note)
	}
	p("- PostgreSQL %s on the same machine; a fresh database, whose schema the first server process made at start (no other data).", r.PostgreSQL)
	if o.ServerNote != "" {
		p("- The server built from %s.", o.ServerNote)
	}
	p("- Two server processes built with %s, each started as `bri-tracker %s` with its own port; the subscription limits are the defaults (100 subscriptions per API key per process, 20 per WebSocket connection, pings every 15 s).", runtime.Version(), strings.Join(serverFlags(r.Servers[0].port), " "))
	p("- Subscribers: each on its own connection (a WebSocket with the `graphql-transport-ws` protocol, authenticated in `connection_init`, answering the server's pings; or an SSE `POST /graphql` with `Accept: text/event-stream`), subscriber *i* on process *i* mod 2, with one of %d VIEWER keys (%d subscribers a key), all opened 50 at a time in %s, all asking for", (nsubs+o.PerKey-1)/o.PerKey, o.PerKey, r.OpenTime.Round(time.Millisecond))
	p("")
	p("  ```graphql\n  %s\n  ```", subQuery)
	p("")
	p("  A VIEWER key with no filter takes every event as the hub read it, with no query of its own per event.")
	p("- Before the measured writes, %d warm-up write(s), one at a time, until one had reached every subscriber: every subscription was running.", r.WarmupWrites)
	if o.Writer == "sql" {
		p("- The writer (`--writer sql`): not through the API. One write every %s on schedule (an open loop, over at most 8 connections), each a transaction of its own on PostgreSQL, sent as one simple query (one round trip), that inserts an audit event (a `Partner` created, with a made-up id and no partner row) and numbers and notifies it as the server's commit hook does (the advisory lock, the numbering after the highest `seq`, `NOTIFY bri_audit`); its response is the query's return, after COMMIT. Both server processes learn of every write by `NOTIFY`. This measures the fan-out alone, without the API's write path.", time.Duration(float64(time.Second)/o.Rate))
	} else {
		p("- The writer: `createPartner` with an ADMIN key, one every %s on schedule (an open loop: a slow answer does not delay the next write), to process 1 and 2 in turn, over HTTP/1.1 keep-alive.", time.Duration(float64(time.Second)/o.Rate))
	}
	return b.String()
}

func writerNote(o options) string {
	if o.Writer == "sql" {
		return "audit events inserted, numbered and notified by the benchmark itself, not through the API"
	}
	return "`createPartner` through the two processes in turn"
}

func resumeNote(o options) string {
	if o.Resume {
		return " Each subscriber then subscribed again after the last event it had received (`after:` its cursor), as a client would; what it missed meanwhile, it should get then (see lost, duplicated and out of order)."
	}
	return " The subscribers did not resume (--resume=false)."
}

func transportsNote(o options) string {
	switch o.Transports {
	case "ws":
		return "all graphql-ws"
	case "sse":
		return "all Server-Sent Events"
	}
	return "half graphql-ws, half Server-Sent Events"
}

func pctOf(cpu float64, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return cpu / wall.Seconds() * 100
}

func nCuts(a *analysis) int {
	n := 0
	for _, d := range a.cutAfter {
		n += len(d)
	}
	return n
}

func sumF(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func sortedKeys(m map[string]int) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Slice(k, func(i, j int) bool { return m[k[i]] > m[k[j]] || m[k[i]] == m[k[j]] && k[i] < k[j] })
	return k
}

func trim(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// summary prints the headline to the terminal.
func summary(r *results, a *analysis) {
	all := a.fromResp["all"]
	log.Printf("events %d, subscribers %d: delivered %d, lost %d, duplicated %d, out of order %d, unexpected %d, ended early %d, complete %d",
		len(r.Expected), len(r.Subs), a.delivered, a.lost, a.dup, a.outOfOrder, a.unexpected, sumCounts(a.ended), a.complete)
	log.Printf("writes %d, answered with an error %d, of which committed %d; write time p50 %s p99 %s", len(r.Writes), sumCounts(a.writeErrs), sumCounts(r.FailedCommitted), ms(a.writeTime.pct(50)), ms(a.writeTime.pct(99)))
	log.Printf("latency from response: p50 %s p90 %s p99 %s max %s", ms(all.pct(50)), ms(all.pct(90)), ms(all.pct(99)), ms(all.pct(100)))
	for k, v := range a.ended {
		fmt.Fprintf(os.Stderr, "  ended: %d × %s\n", v, trim(k))
	}
	for k, d := range a.cutAfter {
		fmt.Fprintf(os.Stderr, "  cut (then resumed: %v): %d × %s\n", r.Resume, len(d), trim(k))
	}
	for k, v := range a.errs {
		fmt.Fprintf(os.Stderr, "  error: %d × %s\n", v, trim(k))
	}
}

// findings says, in words, where the run fell short of what was asked:
// events not delivered as committed, writes that failed or could not keep
// the rate, and what the samples say of why.
func findings(o options, r *results, a *analysis) string {
	var f []string
	if n := a.lost + a.dup + a.outOfOrder + a.unexpected; n > 0 {
		f = append(f, fmt.Sprintf("- **Deliveries:** %s lost (%s in gaps before a subscriber's last event, %s after it: its stream ended or the wait for the last deliveries ran out), %s duplicated, %s out of order, %s unexpected (see Completeness).", thousands(a.lost), thousands(a.lostGaps), thousands(a.lostTail), thousands(a.dup), thousands(a.outOfOrder), thousands(a.unexpected)))
	}
	cuts := map[string]int{}
	for why, d := range a.cutAfter {
		cuts[why] = len(d)
	}
	for _, why := range sortedKeys(cuts) {
		d := a.cutAfter[why]
		slices.Sort(d)
		f = append(f, fmt.Sprintf("- **Streams cut under their subscribers:** %s times (%d over graphql-ws, %d over SSE) with `%s`, %s to %s after the stream began, without a last response saying why or where to resume.%s",
			thousands(len(d)), a.cutBy[why]["ws"], a.cutBy[why]["sse"], trim(why), d[0].Round(100*time.Millisecond), d[len(d)-1].Round(100*time.Millisecond), resumeNote(o)))
	}
	for _, why := range sortedKeys(a.ended) {
		d := a.endedAfter[why]
		slices.Sort(d)
		byTransport := map[string]int{}
		for _, s := range r.Subs {
			if s.ended == why {
				byTransport[s.transport]++
			}
		}
		f = append(f, fmt.Sprintf("- **Subscribers ended early:** %s of them (%d over graphql-ws, %d over SSE) with `%s`, %s to %s after their subscription began, without a last response saying why or where to resume.",
			thousands(a.ended[why]), byTransport["ws"], byTransport["sse"], trim(why), d[0].Round(100*time.Millisecond), d[len(d)-1].Round(100*time.Millisecond)))
	}
	if all := a.fromResp["all"]; len(a.windows) > 1 && all.pct(50) > time.Second {
		first, last := a.windows[0], a.windows[len(a.windows)-1]
		f = append(f, fmt.Sprintf("- **The fan-out fell behind.** Every event reached every subscriber, but %s after its commit at the median (%s at p99), and later the longer the writes went on: %s at the median for the writes of the first %.0f s, %s for those of the last; the last deliveries came %s after the last write. The servers delivered %s events to subscribers in the %s from the first write to the last delivery (%s a second), fewer than the %s a second asked for (%s subscribers × %.0f writes a second), on %d cores shared with PostgreSQL and the subscribers' clients (see CPU). No subscriber was closed as too slow: the server closes a subscriber that has caught up and then takes its events over a minute late.",
			ms(all.pct(50)), ms(all.pct(99)), ms(first.p50), first.to.Seconds(), ms(last.p50), r.DrainTime.Round(100*time.Millisecond),
			thousands(a.delivered), (r.WriteEnd.Sub(r.WriteStart)+r.DrainTime).Round(100*time.Millisecond), thousands(int(float64(a.delivered)/(r.WriteEnd.Sub(r.WriteStart)+r.DrainTime).Seconds())),
			thousands(int(o.Rate)*len(r.Subs)), thousands(len(r.Subs)), o.Rate, runtime.NumCPU()))
	}
	writeSpan := r.WriteEnd.Sub(r.WriteStart)
	slow := a.writeTime.pct(99) > time.Second
	if failed := sumCounts(a.writeErrs); failed > 0 || slow {
		var waits, n int
		for _, sm := range r.Samples {
			if sm.phase == "writes" {
				waits += sm.lockWaits
				n++
			}
		}
		s := fmt.Sprintf("- **The writes did not keep the rate.** %s writes were sent at %.0f a second, but %s audit events were committed in the %s until the last answer (%.1f a second); the writes took %s at the median and %s at p99 from request to response (with few subscribers they take a few milliseconds), and %s were answered with an error.",
			thousands(len(r.Writes)), o.Rate, thousands(len(r.Expected)), writeSpan.Round(100*time.Millisecond), float64(len(r.Expected))/writeSpan.Seconds(), ms(a.writeTime.pct(50)), ms(a.writeTime.pct(99)), thousands(failed))
		if n > 0 && float64(waits)/float64(n) >= 1 {
			s += fmt.Sprintf(" Meanwhile %.1f sessions on average waited for the advisory lock under which every committing transaction, in either process, numbers its audit events: commits take turns, and the transaction that holds the lock waits, between its statements (the lock, the numbering, the NOTIFY and the COMMIT each a round trip), for its server process to send the next one, and the server processes are busy with the fan-out. The lock's holding time, not PostgreSQL, sets how many writes a second commit.", float64(waits)/float64(n))
		}
		f = append(f, s)
	}
	if c := sumCounts(r.FailedCommitted); c > 0 {
		f = append(f, fmt.Sprintf("- **Writes answered with an error that committed.** %s writes answered `REQUEST_TIMEOUT` (or another error) are in the database all the same, and their events reached the subscribers: the server's answer said the write failed after it had committed (docs/security.md says a timed-out mutation rolls back). A client that retries such a write without an `Idempotency-Key` writes it twice.", thousands(c)))
	}
	return strings.Join(f, "\n")
}
