package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bri-tracker/bri-tracker/bench/internal/procstat"
	"github.com/bri-tracker/bri-tracker/bench/internal/queries"
)

// consistencyHeader carries the token of a write (internal/httpapi).
const consistencyHeader = "X-BRI-Consistency"

// weighted is one shape of the read mix.
type weighted struct {
	shape  *queries.Shape
	weight int
}

func parseMix(s string) ([]weighted, error) {
	var mix []weighted
	for _, part := range strings.Split(s, ",") {
		k, w, _ := strings.Cut(strings.TrimSpace(part), ":")
		n, err := strconv.Atoi(w)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("--mix: %q: want shape:weight", part)
		}
		i := slices.IndexFunc(queries.Shapes, func(q queries.Shape) bool { return q.Key == k })
		if i < 0 {
			return nil, fmt.Errorf("--mix: unknown shape %q", k)
		}
		mix = append(mix, weighted{&queries.Shapes[i], n})
	}
	return mix, nil
}

// dataset is what the clients draw from: the range of project ids for the
// node shape, and for the writes each client's own projects, so that no
// two clients update the same row.
type dataset struct {
	minID, maxID int64
	own          [][]int64 // by client
}

func newDataset(ctx context.Context, db *sql.DB, clients int) (*dataset, error) {
	d := &dataset{own: make([][]int64, clients)}
	if err := db.QueryRowContext(ctx, "SELECT min(id), max(id) FROM projects").Scan(&d.minID, &d.maxID); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, "SELECT id FROM projects ORDER BY id LIMIT $1", clients*64)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for i := 0; rows.Next(); i++ {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		d.own[i%clients] = append(d.own[i%clients], id)
	}
	if len(d.own[clients-1]) == 0 {
		return nil, fmt.Errorf("too few projects for %d clients", clients)
	}
	return d, rows.Err()
}

// cpuAccount measures the CPU used, in percent of one core, by our server
// processes, the primary PostgreSQL (its postmaster and backends), the
// replica, this program, and the rest of the machine.
type cpuAccount struct {
	primary, replica int // postmasters' pids
}

type cpuSnapshot struct {
	at                                      time.Time
	busy, servers, primary, replica, loader int64
}

func (c *cpuAccount) snapshot(pids []int) cpuSnapshot {
	s := cpuSnapshot{at: time.Now(), busy: procstat.MachineBusy(),
		primary: procstat.Family(c.primary), replica: procstat.Family(c.replica)}
	_, s.loader, _ = procstat.Stat("self", false)
	for _, pid := range pids {
		_, t, _ := procstat.Stat(strconv.Itoa(pid), false)
		s.servers += t
	}
	return s
}

// cpuUse is percent of one core, by group.
type cpuUse struct {
	Servers, Primary, Replica, Loader, Other float64
}

// Total is the machine's busy time, in percent of one core.
func (u cpuUse) Total() float64 {
	return u.Servers + u.Primary + u.Replica + u.Loader + u.Other
}

func (c *cpuAccount) since(s0 cpuSnapshot, pids []int) cpuUse {
	s1 := c.snapshot(pids)
	secs := s1.at.Sub(s0.at).Seconds()
	if secs <= 0 {
		return cpuUse{}
	}
	pct := func(t int64) float64 { return float64(max(t, 0)) / procstat.ClockTicks / secs * 100 }
	u := cpuUse{Servers: pct(s1.servers - s0.servers), Primary: pct(s1.primary - s0.primary),
		Replica: pct(s1.replica - s0.replica), Loader: pct(s1.loader - s0.loader)}
	u.Other = max(0, pct(s1.busy-s0.busy)-u.Servers-u.Primary-u.Replica-u.Loader)
	return u
}

// measurement is one workload in one layout.
type measurement struct {
	Config   config
	Workload string
	Token    bool // read-after-write: the reads present the write's token
	Elapsed  time.Duration
	// Requests are reads, or for read-after-write the pairs (write, read).
	Requests, Errors int
	ErrorSamples     []string
	P50, P99         time.Duration // a read; for read-after-write, the pair
	WriteP50         time.Duration
	ReadP50, ReadP99 time.Duration
	// Violations: reads that did not see the client's own write; Tokenless:
	// writes answered without a token (with a replica, there should be
	// none).
	Violations, Tokenless int
	// Routed is the processes' read requests by reason, from /metrics,
	// over the recorded time.
	Routed map[string]float64
	CPU    cpuUse
	// Retried: the first try was disturbed by other work (see calm).
	Retried bool
}

// recorder is one client's record of the recorded time.
type recorder struct {
	lat, writeLat, readLat []time.Duration
	errors, violations     int
	tokenless              int
	msgs                   map[string]int
	sent                   int // requests sent, recorded or not
}

func (r *recorder) fail(err error) {
	r.errors++
	if len(r.msgs) < 5 {
		r.msgs[err.Error()]++
	}
}

// workload runs the clients.
type workload struct {
	o    options
	mix  []weighted
	data *dataset
	key  string
	cpu  *cpuAccount
	run  string // tells this run's titles from earlier runs'
}

// drive runs client(w, r, rec, on) on o.Concurrency clients: the warm-up,
// then the recorded time, during which on() is true; it measures the CPU
// and the processes' routing counters over the recorded time.
func (wl *workload) drive(p *procs, name string, client func(w int, r *rand.Rand, rec *recorder, on func() bool)) measurement {
	n := wl.o.Concurrency
	recs := make([]*recorder, n)
	var recording atomic.Bool
	on := recording.Load
	end := time.Now().Add(wl.o.Warmup + wl.o.Duration)
	var wg sync.WaitGroup
	for w := range n {
		recs[w] = &recorder{msgs: map[string]int{}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(wl.o.Seed, uint64(w)))
			for time.Now().Before(end) {
				client(w, r, recs[w], on)
			}
		}()
	}
	time.Sleep(wl.o.Warmup)
	routed0 := p.routed()
	cpu0 := wl.cpu.snapshot(p.pids)
	recording.Store(true)
	t0 := time.Now()
	time.Sleep(time.Until(end))
	recording.Store(false)
	elapsed := time.Since(t0)
	cpu := wl.cpu.since(cpu0, p.pids)
	routed := p.routed()
	for k, v := range routed0 {
		routed[k] -= v
	}
	wg.Wait()

	m := measurement{Workload: name, Elapsed: elapsed, CPU: cpu, Routed: routed}
	var lat, wlat, rlat []time.Duration
	samples := map[string]int{}
	for _, r := range recs {
		lat = append(lat, r.lat...)
		wlat = append(wlat, r.writeLat...)
		rlat = append(rlat, r.readLat...)
		m.Errors += r.errors
		m.Violations += r.violations
		m.Tokenless += r.tokenless
		for k, v := range r.msgs {
			samples[k] += v
		}
	}
	for k := range samples {
		m.ErrorSamples = append(m.ErrorSamples, k)
	}
	slices.Sort(m.ErrorSamples)
	m.Requests = len(lat)
	m.P50, m.P99 = percentile(lat, 0.50), percentile(lat, 0.99)
	m.WriteP50 = percentile(wlat, 0.50)
	m.ReadP50, m.ReadP99 = percentile(rlat, 0.50), percentile(rlat, 0.99)
	log.Printf("%-26s %-22s %7.0f/s  p50 %6.1f ms  p99 %6.1f ms  errors %d  violations %d  routed %v  CPU servers %.0f%% primary %.0f%% replica %.0f%% loader %.0f%% other %.0f%%",
		p.config, name, m.rate(), msf(m.P50), msf(m.P99), m.Errors, m.Violations, routed,
		cpu.Servers, cpu.Primary, cpu.Replica, cpu.Loader, cpu.Other)
	for _, s := range m.ErrorSamples {
		log.Printf("    error: %s", s)
	}
	return m
}

func (m measurement) rate() float64 {
	if m.Elapsed <= 0 {
		return 0
	}
	return float64(m.Requests) / m.Elapsed.Seconds()
}

// perCPU is the requests per second for each core the server processes
// and PostgreSQL (primary and replica) used.
func (m measurement) perCPU() float64 {
	cores := (m.CPU.Servers + m.CPU.Primary + m.CPU.Replica) / 100
	if cores <= 0 {
		return 0
	}
	return m.rate() / cores
}

func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*q))]
}

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// httpClient keeps a connection per client and process.
func (wl *workload) httpClient() *http.Client {
	return &http.Client{Timeout: wl.o.Timeout, Transport: &http.Transport{
		MaxIdleConnsPerHost: wl.o.Concurrency, MaxConnsPerHost: 0, DisableCompression: true,
	}}
}

// calm runs measure and, when other work on the machine took more than
// --disturbed percent of a core meanwhile, waits for the machine to quiet
// down and runs it once more, keeping the less disturbed of the two.
func (wl *workload) calm(measure func() measurement) measurement {
	m := measure()
	if m.CPU.Other <= wl.o.Disturbed {
		return m
	}
	log.Printf("other work took %.0f%% of a core during that run: once more when the machine is quiet", m.CPU.Other)
	procstat.WaitQuiet(wl.o.WaitQuiet)
	again := measure()
	if again.CPU.Other < m.CPU.Other {
		m = again
	}
	m.Retried = true
	return m
}

// reads runs the read mix: each client sends its k-th request to process
// (client+k) mod N, as a round-robin balancer would.
func (wl *workload) reads(p *procs) measurement {
	hc := wl.httpClient()
	total := 0
	for _, m := range wl.mix {
		total += m.weight
	}
	return wl.drive(p, "reads", func(w int, r *rand.Rand, rec *recorder, on func() bool) {
		k := r.IntN(total)
		var s *queries.Shape
		for _, m := range wl.mix {
			if k < m.weight {
				s = m.shape
				break
			}
			k -= m.weight
		}
		vars := map[string]any{}
		if s.ByID {
			vars["id"] = queries.GlobalID("Project", wl.data.minID+r.Int64N(wl.data.maxID-wl.data.minID+1))
		}
		url := p.urls[(w+rec.sent)%len(p.urls)]
		rec.sent++
		t0 := time.Now()
		_, _, err := post(hc, url, "", s.Ours, vars, "")
		d := time.Since(t0)
		if !on() {
			return
		}
		if err != nil {
			rec.fail(err)
			return
		}
		rec.lat = append(rec.lat, d)
	})
}

const (
	mUpdate = `mutation($id: ID!, $input: UpdateProjectInput!) { updateProject(id: $id, input: $input) { id title } }`
	qTitle  = `query($id: ID!) { node(id: $id) { ... on Project { title } } }`
)

// readAfterWrite: each client renames one of its own projects on one
// process, then reads the title back from the next process, presenting the
// write's token when token is set, and checks that it reads what it wrote.
func (wl *workload) readAfterWrite(p *procs, token bool) measurement {
	hc := wl.httpClient()
	name := "read-after-write"
	if !token {
		name += ", no token"
	}
	var seq atomic.Int64
	m := wl.drive(p, name, func(w int, r *rand.Rand, rec *recorder, on func() bool) {
		own := wl.data.own[w]
		id := queries.GlobalID("Project", own[r.IntN(len(own))])
		n := seq.Add(1)
		title := fmt.Sprintf("Scale-out %s renamed %d", wl.run, n)
		writeURL := p.urls[int(n)%len(p.urls)]
		readURL := p.urls[int(n+1)%len(p.urls)]
		t0 := time.Now()
		body, hdr, err := post(hc, writeURL, wl.key, mUpdate, map[string]any{"id": id, "input": map[string]any{"title": title}}, "")
		tw := time.Since(t0)
		if err == nil {
			var d struct {
				Data struct{ UpdateProject struct{ ID, Title string } }
			}
			if json.Unmarshal(body, &d) != nil || d.Data.UpdateProject.Title != title {
				err = errors.New("updateProject answered another title")
			}
		}
		if err != nil {
			if on() {
				rec.fail(err)
			}
			return
		}
		tok := hdr.Get(consistencyHeader)
		send := ""
		if token {
			send = tok
		}
		t1 := time.Now()
		body, _, err = post(hc, readURL, wl.key, qTitle, map[string]any{"id": id}, send)
		tr := time.Since(t1)
		if !on() {
			return
		}
		if err != nil {
			rec.fail(err)
			return
		}
		var d struct {
			Data struct{ Node struct{ Title string } }
		}
		if json.Unmarshal(body, &d) != nil || d.Data.Node.Title != title {
			rec.violations++
		}
		if tok == "" {
			rec.tokenless++
		}
		rec.lat = append(rec.lat, time.Since(t0))
		rec.writeLat = append(rec.writeLat, tw)
		rec.readLat = append(rec.readLat, tr)
	})
	m.Token = token
	return m
}

// post sends a GraphQL request; an answer other than HTTP 200 with no
// "errors" is an error.
func post(hc *http.Client, url, key, query string, vars map[string]any, token string) ([]byte, http.Header, error) {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if token != "" {
		req.Header.Set(consistencyHeader, token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, short(body))
	}
	if bytes.Contains(body, []byte(`"errors"`)) {
		var r struct {
			Errors []struct{ Message string } `json:"errors"`
		}
		if json.Unmarshal(body, &r) == nil && len(r.Errors) > 0 {
			return nil, nil, errors.New(r.Errors[0].Message)
		}
	}
	return body, resp.Header, nil
}

func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}
