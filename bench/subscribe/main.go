// Command subscribe measures the fan-out of subscriptions: it starts two of
// our server processes on one PostgreSQL database, opens many auditEvents
// subscriptions spread over both (over graphql-ws and Server-Sent Events),
// writes at a fixed rate through both processes in turn, and reports how
// long each committed write took to reach every subscriber, whether every
// subscriber got every event once and in order, and the memory and CPU of
// the servers, PostgreSQL and itself. It writes a Markdown page (--report).
// bench/subscribe.sh prepares the database and runs it; see
// bench/README.md. A benchmark, not a test.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/lib/pq"

	"github.com/bri-tracker/bri-tracker/bench/internal/procstat"
)

type options struct {
	ServerBin, DatabaseURL string
	Port                   int
	Subscribers            int
	Transports             string // mixed, ws or sse
	Resume                 bool
	Writer                 string // api or sql
	PerKey                 int
	Rate                   float64
	Duration               time.Duration
	Drain                  time.Duration
	WaitQuiet              time.Duration
	Work, Report           string
	Command, Note          string
	ServerNote             string
}

func main() {
	log.SetFlags(log.Ltime)
	log.SetPrefix("subscribe: ")
	var o options
	flag.StringVar(&o.ServerBin, "server-bin", "", "our server's binary (go build -o ... .)")
	flag.StringVar(&o.DatabaseURL, "database-url", "postgres://postgres@127.0.0.1:5432/bri_subbench?sslmode=disable", "the benchmark's database (its schema is made by the first process)")
	flag.IntVar(&o.Port, "port", 18280, "the first server process's port; the second listens on the next one")
	flag.IntVar(&o.Subscribers, "subscribers", 1000, "subscriptions, each on its own connection, split evenly over the processes")
	flag.StringVar(&o.Transports, "transports", "mixed", "mixed (half graphql-ws, half SSE, alternately), ws or sse")
	flag.StringVar(&o.Writer, "writer", "api", "api: createPartner through the processes in turn; sql: the benchmark inserts each audit event itself, numbered and notified as the server does, in one transaction per write, to measure the fan-out alone")
	flag.BoolVar(&o.Resume, "resume", true, "a subscriber whose stream ends under it subscribes again after the last event it received, as a client would (the cut is reported either way)")
	flag.IntVar(&o.PerKey, "per-key", 50, "subscribers per viewer API key (the server allows 100 per key per process)")
	flag.Float64Var(&o.Rate, "rate", 50, "writes a second (createPartner), sent on schedule whatever the answers take, to the processes in turn")
	flag.DurationVar(&o.Duration, "duration", 60*time.Second, "how long the writer writes")
	flag.DurationVar(&o.Drain, "drain", 30*time.Second, "after the last write, wait at most this long for every subscriber to have every event")
	flag.DurationVar(&o.WaitQuiet, "wait-quiet", 2*time.Minute, "wait at most this long, before starting, for other work on the machine to quiet down")
	flag.StringVar(&o.Work, "work", os.TempDir(), "folder for the servers' logs")
	flag.StringVar(&o.Report, "report", "", "write the results page here (Markdown)")
	flag.StringVar(&o.Command, "command", "bash bench/subscribe.sh", "the command that ran this, for the page")
	flag.StringVar(&o.ServerNote, "server-note", "", "what the server was built from, for the page")
	flag.StringVar(&o.Note, "machine-note", "", "what else the machine did meanwhile, for the page")
	flag.Parse()
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

// server is one running server process.
type server struct {
	cmd  *exec.Cmd
	pid  int
	port int
	url  string // http://127.0.0.1:port
	log  string
}

func startServer(o options, port int) (*server, error) {
	logPath := filepath.Join(o.Work, fmt.Sprintf("server-%d.log", port))
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := serverCmd(o, serverFlags(port)...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, pid: cmd.Process.Pid, port: port, url: fmt.Sprintf("http://127.0.0.1:%d", port), log: logPath}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("the server on port %d did not get ready within 2 minutes (log: %s)", port, logPath)
}

// serverFlags: production mode, no demo seed, rate limits off (every
// client comes from one address), no drain at shutdown; the rest are the
// defaults, among them the subscription limits.
func serverFlags(port int) []string {
	return []string{"--env", "production", "--seed=false", "--rate-limit-ip", "0", "--rate-limit-key", "0",
		"--drain", "0s", "--port", strconv.Itoa(port)}
}

// serverCmd is a command of our server's binary on the benchmark's
// database, without the environment's other databases or Redis.
func serverCmd(o options, args ...string) *exec.Cmd {
	cmd := exec.Command(o.ServerBin, args...)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DATABASE_URL", "DATABASE_REPLICA_URLS", "DATABASE_DIRECT_URL", "REDIS_URL", "PORT":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "DATABASE_URL="+o.DatabaseURL)
	return cmd
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// gql posts a GraphQL request with key and decodes data into out.
func gql(client *http.Client, url, key, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return fmt.Errorf("HTTP %d: %w", res.StatusCode, err)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("HTTP %d: %s", res.StatusCode, r.Errors[0].Message)
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

// write is one createPartner, as the writer saw it.
type write struct {
	proc       int
	sent, resp int64 // Unix nanoseconds
	partner    int64 // the partner's database id, 0 if it failed
	err        string
}

const createPartner = `mutation($name: String!) { createPartner(input: {name: $name, kind: ENTERPRISE}) { id } }`

// results are what the page reports.
type results struct {
	Start, End   time.Time
	LoadAvg      string
	PostgreSQL   string
	Servers      []*server
	Subs         []*subscriber
	OpenTime     time.Duration
	OpenErrors   []string
	WarmupWrites int
	StartSeq     int64
	Writes       []write
	WriteStart   time.Time
	WriteEnd     time.Time
	DrainTime    time.Duration
	Expected     []expectedEvent
	Samples      []sample
	CPU          cpuUse
	LogLines     map[int][]string // per server: its warnings and errors
	Resume       bool
	// FailedCommitted are the writes answered with an error whose partner
	// was committed all the same.
	FailedCommitted map[string]int
}

type expectedEvent struct {
	id, seq, entity int64
}

func run(o options) error {
	if o.ServerBin == "" {
		return errors.New("--server-bin is required")
	}
	if o.Writer != "api" && o.Writer != "sql" {
		return errors.New("--writer: api or sql")
	}
	if o.Transports != "mixed" && o.Transports != "ws" && o.Transports != "sse" {
		return errors.New("--transports: mixed, ws or sse")
	}
	ctx := context.Background()
	db, err := sql.Open("postgres", o.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(8) // the sql writer's and the sampler's connections
	res := &results{LogLines: map[int][]string{}, Resume: o.Resume}
	if err := db.QueryRowContext(ctx, "SELECT current_setting('server_version')").Scan(&res.PostgreSQL); err != nil {
		return err
	}
	postmaster := procstat.Postmaster(ctx, db)

	// The first process makes the schema; the second starts once it has.
	// Interrupted, it stops them before it exits.
	var started []*server
	var startedMu sync.Mutex
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		startedMu.Lock()
		for _, s := range started {
			s.stop()
		}
		os.Exit(130)
	}()
	for _, port := range []int{o.Port, o.Port + 1} {
		s, err := startServer(o, port)
		if err != nil {
			return err
		}
		defer s.stop()
		startedMu.Lock()
		started = append(started, s)
		startedMu.Unlock()
		res.Servers = append(res.Servers, s)
		log.Printf("server on port %d ready (pid %d)", port, s.pid)
	}
	httpc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64, DialContext: (&net.Dialer{}).DialContext}}

	// Keys: an ADMIN key for the writer (the server's own command), viewer
	// keys for the subscribers (created with it through the API).
	admin, err := createKey(o)
	if err != nil {
		return err
	}
	nkeys := (o.Subscribers + o.PerKey - 1) / o.PerKey
	keys := make([]string, nkeys)
	for i := range keys {
		var d struct {
			CreateApiKey struct{ Secret string } `json:"createApiKey"`
		}
		if err := gql(httpc, res.Servers[0].url, admin, `mutation($n: String!) { createApiKey(input: {name: $n, role: VIEWER}) { secret } }`,
			map[string]any{"n": fmt.Sprintf("subscriber %d", i)}, &d); err != nil {
			return fmt.Errorf("createApiKey: %w", err)
		}
		keys[i] = d.CreateApiKey.Secret
	}

	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		res.LoadAvg = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	procstat.WaitQuiet(o.WaitQuiet)
	res.Start = time.Now().UTC()
	sampler := startSampling(db, res.Servers, postmaster)

	// Subscribers: process i%2, transport alternating (mixed) within each
	// process, key i/PerKey; opened 50 at a time.
	subCtx, closeSubs := context.WithCancel(ctx)
	defer closeSubs()
	sseClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true, DialContext: (&net.Dialer{}).DialContext}}
	t0 := time.Now()
	sem := make(chan struct{}, 50)
	var openMu sync.Mutex
	var wg sync.WaitGroup
	for i := range o.Subscribers {
		tr := o.Transports
		if tr == "mixed" {
			tr = []string{"ws", "sse"}[(i/2)%2]
		}
		s := &subscriber{n: i, transport: tr, proc: i % 2, key: keys[i/o.PerKey], done: make(chan struct{})}
		res.Subs = append(res.Subs, s)
		sem <- struct{}{}
		wg.Add(1)
		var once sync.Once
		go s.run(subCtx, res.Servers[s.proc].url, sseClient, o.Resume, func(err error) {
			once.Do(func() {
				if err != nil {
					openMu.Lock()
					res.OpenErrors = append(res.OpenErrors, fmt.Sprintf("subscriber %d (%s, port %d): %v", i, tr, res.Servers[s.proc].port, err))
					openMu.Unlock()
				}
				<-sem
				wg.Done()
			})
		})
	}
	wg.Wait()
	res.OpenTime = time.Since(t0)
	log.Printf("%d subscriptions sent in %s (%d failed)", o.Subscribers, res.OpenTime.Round(time.Millisecond), len(res.OpenErrors))
	if len(res.OpenErrors) > 0 {
		for _, e := range res.OpenErrors[:min(5, len(res.OpenErrors))] {
			log.Print(e)
		}
		return fmt.Errorf("%d subscriptions could not be opened", len(res.OpenErrors))
	}

	// Warm-up: a write at a time until one reaches every subscriber, so
	// that every subscription runs before the measured writes start.
	for {
		var d struct{ CreatePartner struct{ ID string } }
		res.WarmupWrites++
		if err := gql(httpc, res.Servers[res.WarmupWrites%2].url, admin, createPartner, map[string]any{"name": fmt.Sprintf("warm-up %d", res.WarmupWrites)}, &d); err != nil {
			return fmt.Errorf("warm-up write: %w", err)
		}
		var maxID int64
		if err := db.QueryRowContext(ctx, "SELECT max(id) FROM audit_events").Scan(&maxID); err != nil {
			return err
		}
		deadline := time.Now().Add(3 * time.Second)
		all := false
		for !all && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			all = true
			for _, s := range res.Subs {
				if s.last.Load() < maxID {
					all = false
					break
				}
			}
		}
		if all {
			break
		}
		if res.WarmupWrites >= 20 {
			n := 0
			for _, s := range res.Subs {
				if s.last.Load() < maxID {
					n++
				}
			}
			return fmt.Errorf("after %d warm-up writes, %d subscribers still have not received the last one", res.WarmupWrites, n)
		}
	}
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM audit_events").Scan(&res.StartSeq); err != nil {
		return err
	}
	log.Printf("every subscriber receives events (%d warm-up writes); writing %.0f/s for %s", res.WarmupWrites, o.Rate, o.Duration)
	sampler.mark("writes")

	// The writer: on schedule, whatever the answers take (open loop).
	n := int(o.Rate * o.Duration.Seconds())
	res.Writes = make([]write, n)
	interval := time.Duration(float64(time.Second) / o.Rate)
	res.WriteStart = time.Now()
	var ww sync.WaitGroup
	for i := range n {
		time.Sleep(time.Until(res.WriteStart.Add(time.Duration(i) * interval)))
		ww.Add(1)
		go func() {
			defer ww.Done()
			w := &res.Writes[i]
			if o.Writer == "sql" {
				sqlWrite(ctx, db, i, w)
				return
			}
			w.proc = i % 2
			var d struct{ CreatePartner struct{ ID string } }
			w.sent = time.Now().UnixNano()
			err := gql(httpc, res.Servers[w.proc].url, admin, createPartner, map[string]any{"name": fmt.Sprintf("fan-out %d", i)}, &d)
			w.resp = time.Now().UnixNano()
			if err == nil {
				w.partner, err = decodeID(d.CreatePartner.ID)
			}
			if err != nil {
				w.err = err.Error()
			}
		}()
	}
	ww.Wait()
	res.WriteEnd = time.Now()
	sampler.mark("drain")
	log.Printf("%d writes in %s", n, res.WriteEnd.Sub(res.WriteStart).Round(time.Millisecond))

	// Did the writes answered with an error commit?
	res.FailedCommitted = map[string]int{}
	for i, w := range res.Writes {
		var n int
		if w.err == "" {
			continue
		}
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM partners WHERE name = $1", fmt.Sprintf("fan-out %d", i)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			res.FailedCommitted[w.err]++
		}
	}

	// What every subscriber should have: the events committed since.
	rows, err := db.QueryContext(ctx, "SELECT id, seq, entity_id FROM audit_events WHERE seq > $1 ORDER BY seq", res.StartSeq)
	if err != nil {
		return err
	}
	for rows.Next() {
		var e expectedEvent
		if err := rows.Scan(&e.id, &e.seq, &e.entity); err != nil {
			return err
		}
		res.Expected = append(res.Expected, e)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	var lastID int64
	if len(res.Expected) > 0 {
		lastID = res.Expected[len(res.Expected)-1].id
	}
	drainStart := time.Now()
	deadline := drainStart.Add(o.Drain)
	for time.Now().Before(deadline) {
		behind := 0
		for _, s := range res.Subs {
			if s.last.Load() != lastID {
				select {
				case <-s.done: // ended: nothing more comes
				default:
					behind++
				}
			}
		}
		if behind == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	res.DrainTime = time.Since(drainStart)
	sampler.mark("end")
	time.Sleep(time.Second) // a last sample with every subscription open
	res.Samples, res.CPU = sampler.stop()
	closeSubs()
	for _, s := range res.Subs {
		<-s.done
	}
	res.End = time.Now().UTC()
	for i, s := range res.Servers {
		s.stop()
		res.LogLines[i] = warnings(s.log)
	}

	a := analyse(res)
	if o.Report != "" {
		if err := os.WriteFile(o.Report, []byte(report(o, res, a)), 0o644); err != nil {
			return err
		}
		log.Printf("wrote %s", o.Report)
	}
	summary(res, a)
	if a.lost+a.dup+a.outOfOrder+a.unexpected > 0 || len(a.ended) > 0 || nCuts(a) > 0 {
		return fmt.Errorf("not every subscriber got every event once and in order on one stream (the page says how; the servers' logs are in %s)", o.Work)
	}
	return nil
}

// sqlPartnerBase is where the made-up partner ids of --writer sql start:
// in the partners' range (ent/schema/ids.go), far past any real row.
const sqlPartnerBase = 1<<32 + 1<<30

// sqlWrite commits write i's audit event straight into the database, as
// the server's commit hook would (internal/live/numbering.go: the
// advisory lock, the numbering after the highest seq, NOTIFY bri_audit),
// in one transaction sent as one simple query (one round trip, so that the
// lock is held only while PostgreSQL runs it); the response time is when
// it returned. No partner row is written: the event names a made-up one.
func sqlWrite(ctx context.Context, db *sql.DB, i int, w *write) {
	w.proc = -1 // both processes learn of it by NOTIFY
	w.partner = sqlPartnerBase + int64(i)
	q := fmt.Sprintf(`BEGIN;
INSERT INTO audit_events (at, actor_name, actor_role, operation, entity_type, entity_id, changes)
  VALUES (now(), 'bench/subscribe', 'ADMIN', 'CREATE', 'Partner', %d,
          '[{"field": "name", "old": null, "new": "fan-out %d"}, {"field": "kind", "old": null, "new": "ENTERPRISE"}]');
SELECT pg_advisory_xact_lock(hashtext('bri-tracker audit seq ' || current_schema()));
UPDATE audit_events AS a SET seq = n.base + n.rn
  FROM (SELECT u.id, ROW_NUMBER() OVER (ORDER BY u.id) AS rn, m.base
        FROM audit_events AS u, (SELECT COALESCE(MAX(seq), 0) AS base FROM audit_events) AS m
        WHERE u.seq IS NULL) AS n
  WHERE a.id = n.id;
SELECT pg_notify('bri_audit', current_schema());
COMMIT;`, w.partner, i)
	w.sent = time.Now().UnixNano()
	_, err := db.ExecContext(ctx, q)
	w.resp = time.Now().UnixNano()
	if err != nil {
		w.err = err.Error()
	}
}

// createKey makes an ADMIN API key with the server's own command.
func createKey(o options) (string, error) {
	cmd := serverCmd(o, "keys", "create", "--name", "subscribe writer "+time.Now().UTC().Format(time.RFC3339), "--role", "admin")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("keys create: %w", err)
	}
	f := strings.Fields(strings.TrimSpace(string(out)))
	if len(f) == 0 {
		return "", errors.New("keys create printed no secret")
	}
	return f[len(f)-1], nil
}

// warnings are a server log's lines at WARN or ERROR level.
func warnings(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") ||
			strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, "panic") {
			out = append(out, line)
		}
	}
	return out
}

// ---- sampling: resident memory and goroutines each second, CPU overall

type sample struct {
	t          time.Time
	phase      string
	rss        []int64 // per server, bytes (VmRSS)
	goroutines []int64 // per server, from /metrics
	pgPSS      int64   // PostgreSQL's processes, summed proportional set sizes
	// the database's sessions waiting for an advisory lock (the audit
	// numbering's), and those in a transaction waiting for their client
	lockWaits, idleInTx int
}

type cpuUse struct {
	Wall    time.Duration
	Servers []float64 // CPU-seconds, per server, over the writes (start to end of writes)
	PG      float64
	Self    float64
	Machine float64
}

type sampler struct {
	db         *sql.DB
	servers    []*server
	postmaster int
	mu         sync.Mutex
	phase      string
	samples    []sample
	stopc      chan struct{}
	done       chan struct{}
	cpu        cpuUse
	// CPU counters at the start of the writes
	at0       time.Time
	srv0      []int64
	pg0, me0  int64
	machine0  int64
	measuring atomic.Bool
}

func startSampling(db *sql.DB, servers []*server, postmaster int) *sampler {
	s := &sampler{db: db, servers: servers, postmaster: postmaster, phase: "subscribe", stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			s.take()
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) take() {
	sm := sample{t: time.Now()}
	for _, sv := range s.servers {
		sm.rss = append(sm.rss, vmRSS(sv.pid))
		sm.goroutines = append(sm.goroutines, goroutines(sv.url))
	}
	sm.pgPSS = familyPSS(s.postmaster)
	_ = s.db.QueryRow(`SELECT count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'),
		count(*) FILTER (WHERE state = 'idle in transaction')
		FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&sm.lockWaits, &sm.idleInTx)
	s.mu.Lock()
	sm.phase = s.phase
	s.samples = append(s.samples, sm)
	s.mu.Unlock()
}

// mark starts a phase: "writes" starts the CPU accounting, "end" ends it.
func (s *sampler) mark(phase string) {
	now := time.Now()
	switch phase {
	case "writes":
		s.at0 = now
		s.srv0 = nil
		for _, sv := range s.servers {
			_, t, _ := procstat.Stat(strconv.Itoa(sv.pid), false)
			s.srv0 = append(s.srv0, t)
		}
		s.pg0 = procstat.Family(s.postmaster)
		_, s.me0, _ = procstat.Stat(strconv.Itoa(os.Getpid()), false)
		s.machine0 = procstat.MachineBusy()
	case "drain":
		c := cpuUse{Wall: now.Sub(s.at0)}
		for i, sv := range s.servers {
			_, t, _ := procstat.Stat(strconv.Itoa(sv.pid), false)
			c.Servers = append(c.Servers, float64(t-s.srv0[i])/procstat.ClockTicks)
		}
		c.PG = float64(procstat.Family(s.postmaster)-s.pg0) / procstat.ClockTicks
		_, me, _ := procstat.Stat(strconv.Itoa(os.Getpid()), false)
		c.Self = float64(me-s.me0) / procstat.ClockTicks
		c.Machine = float64(procstat.MachineBusy()-s.machine0) / procstat.ClockTicks
		s.cpu = c
	}
	s.take()
	s.mu.Lock()
	s.phase = phase
	s.mu.Unlock()
}

func (s *sampler) stop() ([]sample, cpuUse) {
	close(s.stopc)
	<-s.done
	return s.samples, s.cpu
}

// vmRSS is a process's resident memory in bytes (/proc/pid/status).
func vmRSS(pid int) int64 { return kB(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:") }

// kB reads a "Name: n kB" line of a /proc file, in bytes (0 if it cannot).
func kB(path, name string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// familyPSS sums the proportional set sizes (/proc/pid/smaps_rollup: each
// shared page divided among the processes that map it) of a process and
// its children: PostgreSQL's memory without counting its shared buffers
// once per backend. 0 when it cannot be read (another user's processes).
func familyPSS(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	total := kB(fmt.Sprintf("/proc/%d/smaps_rollup", pid), "Pss:")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if ppid, _, ok := procstat.Stat(filepath.Base(d), false); ok && ppid == pid {
			total += kB(d+"/smaps_rollup", "Pss:")
		}
	}
	return total
}

// goroutines reads go_goroutines from a server's /metrics (-1 if it cannot).
func goroutines(base string) int64 {
	c := http.Client{Timeout: 2 * time.Second}
	res, err := c.Get(base + "/metrics")
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	for _, line := range strings.Split(b.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "go_goroutines "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return int64(f)
		}
	}
	return -1
}
