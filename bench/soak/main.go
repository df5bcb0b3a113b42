// Command soak runs a long mixed load of reads and writes against one of our
// servers and reports, for each interval (a minute by default), the requests
// served, the errors by code, the latency and the server's resident memory
// and goroutines, read from its /metrics. It is a benchmark, not a test:
// bench/soak.sh starts a server on the benchmark database and runs it; see
// bench/README.md. With --report it writes its section of
// docs/benchmarks.md (from its marker to the end of the page), leaving the
// rest of the page as it is.
//
// Each client loops until the duration is over; each request is a write with
// probability --write-share, else a read. Reads are a mix of what the API is
// used for (a filtered, ordered page of projects; country partners with
// their hosted projects; a project by id; projectStats grouped by one or two
// dimensions; search). Writes create a project (with an Idempotency-Key),
// rename one the soak created or delete one the soak created, so that the
// table stays about the same size; at the end the soak deletes the projects
// it created that are left. Every write is valid: any error is a real one.
// Every answer is checked (HTTP status, GraphQL errors, the data expected)
// and errors are counted by their extensions.code, "HTTP nnn" without one,
// or "transport" when no answer came.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

type options struct {
	URL, MetricsURL, Key string
	Duration, Interval   time.Duration
	Timeout              time.Duration
	Clients              int
	WriteShare           float64
	Seed                 uint64
	Report               string
	Command              string
	ServerCommand        string
	MachineNote          string
	Dataset              string
	ServerPID            int
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("soak: ")
	var o options
	flag.StringVar(&o.URL, "url", "http://127.0.0.1:18080/graphql", "the server's GraphQL endpoint")
	flag.StringVar(&o.MetricsURL, "metrics", "", "the server's Prometheus endpoint (default: /metrics next to --url)")
	flag.StringVar(&o.Key, "key", os.Getenv("SOAK_API_KEY"), "an ADMIN or EDITOR API key's secret, for the writes (env SOAK_API_KEY)")
	flag.DurationVar(&o.Duration, "duration", 10*time.Minute, "how long to run the load")
	flag.DurationVar(&o.Interval, "interval", time.Minute, "how often to report a row")
	flag.DurationVar(&o.Timeout, "timeout", 30*time.Second, "longest a request may take before it counts as an error")
	flag.IntVar(&o.Clients, "clients", 16, "concurrent clients")
	flag.Float64Var(&o.WriteShare, "write-share", 0.10, "share of requests that are writes, 0 to 1")
	flag.Uint64Var(&o.Seed, "seed", 1, "seed of the clients' random choices")
	flag.StringVar(&o.Report, "report", "", "write the soak's section of this Markdown page (docs/benchmarks.md), replacing the one there")
	flag.StringVar(&o.Command, "command", "bash bench/soak.sh", "the command that produced the run, for the report")
	flag.StringVar(&o.ServerCommand, "server-command", "", "how the server was started, for the report")
	flag.StringVar(&o.MachineNote, "machine-note", "", "what else the machine did meanwhile, for the report")
	flag.StringVar(&o.Dataset, "dataset", "", "what the database holds, for the report")
	flag.IntVar(&o.ServerPID, "server-pid", 0, "the server's pid, to tell its CPU from the rest of the machine's (0: from /metrics alone)")
	flag.Parse()
	if flag.NArg() > 0 {
		log.Fatalf("unexpected argument %q", flag.Arg(0))
	}
	if o.Clients < 1 || o.Duration <= 0 || o.Interval <= 0 || o.WriteShare < 0 || o.WriteShare > 1 {
		log.Fatal("--clients, --duration and --interval must be positive, --write-share from 0 to 1")
	}
	if o.Key == "" && o.WriteShare > 0 {
		log.Fatal("writes need an API key: --key or SOAK_API_KEY")
	}
	if o.MetricsURL == "" {
		o.MetricsURL = strings.TrimSuffix(o.URL, "/graphql") + "/metrics"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := soak(ctx, o); err != nil {
		log.Fatal(err)
	}
}

// client posts GraphQL requests and checks their answers.
type client struct {
	http     *http.Client
	url, key string
}

// outcome is what one request got: its error code ("" when it succeeded)
// and, for an error, a message to show.
type outcome struct {
	code, msg string
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// do posts a query with its variables and decodes the answer's data into
// out. The outcome is an error unless the answer is HTTP 200 with data and
// no errors.
func (c *client) do(ctx context.Context, query string, vars map[string]any, header map[string]string, out any) outcome {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return outcome{"transport", err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return outcome{"transport", err.Error()}
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return outcome{"transport", err.Error()}
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	jsonErr := json.Unmarshal(b, &r)
	switch {
	case len(r.Errors) > 0:
		e := r.Errors[0]
		code := e.Extensions.Code
		if code == "" {
			code = fmt.Sprintf("HTTP %d", resp.StatusCode)
		}
		return outcome{code, fmt.Sprintf("HTTP %d: %s", resp.StatusCode, e.Message)}
	case resp.StatusCode != http.StatusOK:
		return outcome{fmt.Sprintf("HTTP %d", resp.StatusCode), short(string(b))}
	case jsonErr != nil:
		return outcome{"bad JSON", jsonErr.Error() + ": " + short(string(b))}
	case len(r.Data) == 0 || string(r.Data) == "null":
		return outcome{"no data", short(string(b))}
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return outcome{"bad JSON", err.Error() + ": " + short(string(b))}
		}
	}
	return outcome{}
}

func short(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// unexpected is the outcome of an answer without the data asked for.
func unexpected(what string) outcome { return outcome{"unexpected answer", what} }

// The vocabulary of the reads and writes: the values of bench/gen's data.
var (
	sectors = []string{"ENERGY", "TRANSPORT", "LOGISTICS", "MANUFACTURING", "TEXTILES", "AGRICULTURE", "MINING", "ICT",
		"FINANCE", "HEALTH", "EDUCATION", "TRADE", "INDUSTRIAL_PARK", "SCIENCE_TECHNOLOGY", "WATER", "OTHER"}
	statuses = []string{"PIPELINE", "SIGNED", "UNDER_CONSTRUCTION", "OPERATIONAL", "COMPLETED", "SUSPENDED", "CANCELLED"}
	regions  = []string{"AFRICA", "AMERICAS", "ASIA", "EUROPE", "MIDDLE_EAST", "OCEANIA"}
	orders   = []map[string]any{
		{"field": "AMOUNT_USD", "direction": "DESC"},
		{"field": "COMMITMENT_YEAR", "direction": "DESC"},
		{"field": "TITLE", "direction": "ASC"},
		{"field": "SIGNED_ON", "direction": "DESC"},
	}
	groupBys = [][]string{{"SECTOR"}, {"STATUS"}, {"REGION"}, {"SECTOR", "COMMITMENT_YEAR"}, {"HOST_COUNTRY"}, {"PARTICIPANT_ROLE"}}
	words    = []string{"solar", "railway", "port", "bridge", "power plant", "water", "copper mine", "hospital", "data centre",
		"industrial park", "expressway", "wind farm", "haven", "valley", "silk road", "training centre", "dam", "pipeline"}
	nouns = []string{"Solar Power Plant", "Railway", "Container Terminal", "Water Treatment Plant", "Fibre Backbone", "Hospital"}
)

const (
	qFiltered = `query($where: ProjectWhereInput, $order: ProjectOrder) {
  projects(first: 20, where: $where, orderBy: $order) {
    edges { node { id title sector status amountUsd commitmentYear hostCountry { name } } }
    pageInfo { hasNextPage endCursor } } }`
	qCountries = `query($region: PartnerRegion) {
  partners(first: 10, where: {kind: COUNTRY, region: $region}) { edges { node { name countryCode
    hostedProjects(first: 10) { edges { node { title status participants(first: 3) { edges { node { name } } } } } } } } } }`
	qNode = `query($id: ID!) { node(id: $id) { id ... on Project { title status amountUsd hostCountry { name }
  participants(first: 10) { edges { node { name kind } } } policies(first: 5) { edges { node { title } } } } } }`
	qStats = `query($groupBy: [ProjectDimension!], $where: ProjectWhereInput) {
  projectStats(groupBy: $groupBy, where: $where) { total { count sum }
    groups { key { sector status region commitmentYear participantRole hostCountry { name } } count sum avg } } }`
	qSearch = `query($q: String!) { search(query: $q, first: 20) { totalCount
  edges { score node { __typename ... on Project { id title } ... on Partner { id name } ... on Policy { id title } } } } }`
	qKnown    = `query($sector: ProjectSector!) { projects(first: 50, where: {sector: $sector}, orderBy: {field: COMMITMENT_YEAR, direction: DESC}) { edges { node { id } } } }`
	qPartners = `{ countries: partners(first: 100, where: {kind: COUNTRY}) { edges { node { id } } }
  firms: partners(first: 100, where: {kindIn: [ENTERPRISE, FINANCIAL_INSTITUTION]}) { edges { node { id } } } }`
	mCreate = `mutation($input: CreateProjectInput!, $participants: [ParticipantInput!]) {
  createProject(input: $input, participants: $participants) { id title version } }`
	mUpdate = `mutation($id: ID!, $input: UpdateProjectInput!) { updateProject(id: $id, input: $input) { id title version } }`
	mDelete = `mutation($id: ID!) { deleteProject(id: $id) { deletedID } }`
)

type idList struct {
	Edges []struct {
		Node struct {
			ID string `json:"id"`
		} `json:"node"`
	} `json:"edges"`
}

func (l idList) ids() []string {
	var out []string
	for _, e := range l.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

// world is what the clients share: ids read at the start, and the projects
// the soak created and has not deleted.
type world struct {
	run       string
	projects  []string // existing projects, read before any write
	countries []string
	firms     []string

	mu      sync.Mutex
	created []string // created by the soak, not in use by a client
	seq     int
}

// learn reads the ids that reads and writes use: about 800 projects spread
// over the sectors, and the countries and firms that new projects name.
func (w *world) learn(ctx context.Context, c *client) error {
	for _, s := range sectors {
		var d struct{ Projects idList }
		if o := c.do(ctx, qKnown, map[string]any{"sector": s}, nil, &d); o.code != "" {
			return fmt.Errorf("read projects of sector %s: %s: %s", s, o.code, o.msg)
		}
		w.projects = append(w.projects, d.Projects.ids()...)
	}
	var d struct{ Countries, Firms idList }
	if o := c.do(ctx, qPartners, nil, nil, &d); o.code != "" {
		return fmt.Errorf("read partners: %s: %s", o.code, o.msg)
	}
	w.countries, w.firms = d.Countries.ids(), d.Firms.ids()
	if len(w.projects) == 0 || len(w.countries) == 0 || len(w.firms) == 0 {
		return fmt.Errorf("the database has too little data: %d projects, %d countries, %d firms read (fill it with bench/gen)",
			len(w.projects), len(w.countries), len(w.firms))
	}
	return nil
}

// take removes a random project the soak created from the pool, for one
// client's update or delete ("" when there is none).
func (w *world) take(r *rand.Rand) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.created) == 0 {
		return ""
	}
	i := r.IntN(len(w.created))
	id := w.created[i]
	w.created[i] = w.created[len(w.created)-1]
	w.created = w.created[:len(w.created)-1]
	return id
}

func (w *world) put(id string) {
	w.mu.Lock()
	w.created = append(w.created, id)
	w.mu.Unlock()
}

func (w *world) next() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return w.seq
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// A request kind: its name and how it runs.
type kind struct {
	name  string
	write bool
	// weight among the reads or among the writes
	weight int
	run    func(ctx context.Context, c *client, w *world, r *rand.Rand) outcome
}

var kinds = []kind{
	{name: "projects page, filtered and ordered", weight: 30, run: func(ctx context.Context, c *client, w *world, r *rand.Rand) outcome {
		where := map[string]any{"sector": pick(r, sectors)}
		switch r.IntN(3) {
		case 0:
			where["statusIn"] = []string{pick(r, statuses), pick(r, statuses)}
		case 1:
			where["commitmentYearGTE"] = 2013 + r.IntN(10)
		}
		var d struct{ Projects idList }
		return c.do(ctx, qFiltered, map[string]any{"where": where, "order": pick(r, orders)}, nil, &d)
	}},
	{name: "countries with hosted projects", weight: 15, run: func(ctx context.Context, c *client, w *world, r *rand.Rand) outcome {
		var d struct{ Partners idList }
		if o := c.do(ctx, qCountries, map[string]any{"region": pick(r, regions)}, nil, &d); o.code != "" {
			return o
		}
		if len(d.Partners.Edges) == 0 {
			return unexpected("no country partners")
		}
		return outcome{}
	}},
	{name: "project by id", weight: 25, run: func(ctx context.Context, c *client, w *world, r *rand.Rand) outcome {
		id := pick(r, w.projects)
		var d struct {
			Node *struct {
				ID string `json:"id"`
			} `json:"node"`
		}
		if o := c.do(ctx, qNode, map[string]any{"id": id}, nil, &d); o.code != "" {
			return o
		}
		if d.Node == nil || d.Node.ID != id {
			return unexpected("node(id: " + id + ") is not that project")
		}
		return outcome{}
	}},
	{name: "projectStats", weight: 15, run: func(ctx context.Context, c *client, w *world, r *rand.Rand) outcome {
		vars := map[string]any{"groupBy": pick(r, groupBys)}
		if r.IntN(2) == 0 {
			vars["where"] = map[string]any{"sector": pick(r, sectors)}
		}
		var d struct {
			ProjectStats struct {
				Total struct{ Count int }
			}
		}
		if o := c.do(ctx, qStats, vars, nil, &d); o.code != "" {
			return o
		}
		if d.ProjectStats.Total.Count == 0 {
			return unexpected("projectStats counted no project")
		}
		return outcome{}
	}},
	{name: "search", weight: 15, run: func(ctx context.Context, c *client, w *world, r *rand.Rand) outcome {
		return c.do(ctx, qSearch, map[string]any{"q": pick(r, words)}, nil, nil)
	}},
	{name: "createProject", write: true, weight: 1, run: create},
	{name: "updateProject (title)", write: true, weight: 1, run: func(ctx context.Context, c *client, w *world, r *rand.Rand) outcome {
		id := w.take(r)
		if id == "" {
			return create(ctx, c, w, r)
		}
		defer w.put(id)
		title := fmt.Sprintf("Soak %s renamed %d %s", w.run, w.next(), pick(r, nouns))
		var d struct {
			UpdateProject struct{ ID, Title string }
		}
		if o := c.do(ctx, mUpdate, map[string]any{"id": id, "input": map[string]any{"title": title}}, nil, &d); o.code != "" {
			return o
		}
		if d.UpdateProject.ID != id || d.UpdateProject.Title != title {
			return unexpected("updateProject answered another project or title")
		}
		return outcome{}
	}},
	{name: "deleteProject", write: true, weight: 1, run: func(ctx context.Context, c *client, w *world, r *rand.Rand) outcome {
		id := w.take(r)
		if id == "" {
			return create(ctx, c, w, r)
		}
		return deleteProject(ctx, c, id, w)
	}},
}

func deleteProject(ctx context.Context, c *client, id string, w *world) outcome {
	var d struct {
		DeleteProject struct {
			DeletedID string `json:"deletedID"`
		}
	}
	o := c.do(ctx, mDelete, map[string]any{"id": id}, nil, &d)
	switch {
	case o.code != "":
		// Not deleted: still the soak's to update or delete.
		w.put(id)
		return o
	case d.DeleteProject.DeletedID != id:
		return unexpected("deleteProject answered another id")
	}
	return outcome{}
}

func create(ctx context.Context, c *client, w *world, r *rand.Rand) outcome {
	n := w.next()
	input := map[string]any{
		"title":          fmt.Sprintf("Soak %s %d %s", w.run, n, pick(r, nouns)),
		"description":    "Written by bench/soak.",
		"sector":         pick(r, sectors),
		"status":         "PIPELINE",
		"amountUsd":      fmt.Sprintf("%d.%02d", 1_000_000+r.IntN(900_000_000), r.IntN(100)),
		"commitmentYear": 2013 + r.IntN(13),
		"hostCountryID":  pick(r, w.countries),
	}
	participants := []map[string]any{{"partnerID": pick(r, w.firms), "role": "CONTRACTOR"}}
	key := fmt.Sprintf("soak-%s-%d", w.run, n)
	var d struct {
		CreateProject struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
	}
	o := c.do(ctx, mCreate, map[string]any{"input": input, "participants": participants}, map[string]string{"Idempotency-Key": key}, &d)
	if o.code != "" {
		return o
	}
	if d.CreateProject.ID == "" || d.CreateProject.Version != 1 {
		return unexpected("createProject answered no new project")
	}
	w.put(d.CreateProject.ID)
	return outcome{}
}

// interval is what the clients measured since the last row.
type interval struct {
	requests, writes int
	errors           map[string]int
	latencies        []time.Duration
}

// stats collects every request's outcome, per interval and in total.
type stats struct {
	mu      sync.Mutex
	cur     interval
	perKind map[string]*kindStats
	total   map[string]int // errors by code
	samples map[string][]string
}

type kindStats struct {
	requests, errors int
	latencies        []time.Duration
}

func newStats() *stats {
	return &stats{cur: interval{errors: map[string]int{}}, perKind: map[string]*kindStats{}, total: map[string]int{}, samples: map[string][]string{}}
}

func (s *stats) record(k *kind, d time.Duration, o outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur.requests++
	if k.write {
		s.cur.writes++
	}
	s.cur.latencies = append(s.cur.latencies, d)
	ks := s.perKind[k.name]
	if ks == nil {
		ks = &kindStats{}
		s.perKind[k.name] = ks
	}
	ks.requests++
	ks.latencies = append(ks.latencies, d)
	if o.code != "" {
		s.cur.errors[o.code]++
		s.total[o.code]++
		ks.errors++
		if len(s.samples[o.code]) < 5 {
			msg := fmt.Sprintf("%s: %s", k.name, o.msg)
			s.samples[o.code] = append(s.samples[o.code], msg)
			log.Printf("error %s in %s", o.code, msg)
		}
	}
}

// cut returns the interval so far and starts the next.
func (s *stats) cut() interval {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cur
	s.cur = interval{errors: map[string]int{}}
	return c
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*p))]
}

// row is one line of the report.
type row struct {
	Label             string
	Requests, Writes  int
	Seconds           float64
	Errors            map[string]int
	P50, P99          time.Duration
	RSS               float64 // MiB
	Goroutines        int
	ServerCPU, PGCPU  float64 // % of one core over the interval
	OtherCPU, SoakCPU float64
	MetricsErr        string
}

func (r row) errorCount() int {
	n := 0
	for _, v := range r.Errors {
		n += v
	}
	return n
}

func soak(ctx context.Context, o options) error {
	c := &client{
		http: &http.Client{Timeout: o.Timeout, Transport: &http.Transport{
			MaxIdleConns: o.Clients * 2, MaxIdleConnsPerHost: o.Clients * 2,
			IdleConnTimeout: time.Minute, DisableCompression: true,
		}},
		url: o.URL, key: o.Key,
	}
	start := time.Now()
	w := &world{run: start.UTC().Format("20060102T150405")}
	if err := w.learn(ctx, c); err != nil {
		return err
	}
	log.Printf("%d projects, %d countries and %d firms to read and link; run %s", len(w.projects), len(w.countries), len(w.firms), w.run)

	var reads, writes []*kind
	for i := range kinds {
		k := &kinds[i]
		for range k.weight {
			if k.write {
				writes = append(writes, k)
			} else {
				reads = append(reads, k)
			}
		}
	}

	cpu := newCPUAccount(o.ServerPID)
	rows := []row{measureIdle("start", c, o, cpu)}
	logRow(rows[0])

	st := newStats()
	loadStart := time.Now()
	deadline := loadStart.Add(o.Duration)
	runCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var wg sync.WaitGroup
	for i := range o.Clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(o.Seed, uint64(i)))
			for runCtx.Err() == nil {
				k := pick(r, reads)
				if r.Float64() < o.WriteShare {
					k = pick(r, writes)
				}
				t0 := time.Now()
				// A request runs to its end (or --timeout) even when the
				// duration is over, so that none is cut off and counted as
				// an error.
				out := k.run(context.WithoutCancel(runCtx), c, w, r)
				st.record(k, time.Since(t0), out)
			}
		}(i)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	last := loadStart
	cpu.reset()
	for n := 1; ; n++ {
		// Each interval's figures are read at its end; the last interval's
		// a second before the clients stop, so that its memory and
		// goroutines are those under load, and its requests are counted
		// once every client has finished.
		end := loadStart.Add(time.Duration(n) * o.Interval)
		final := !end.Before(deadline.Add(-time.Second))
		if final {
			end = deadline.Add(-time.Second)
		}
		select {
		case <-time.After(time.Until(end)):
		case <-ctx.Done():
		}
		var rw row
		scrape(&rw, o, cpu)
		if final || ctx.Err() != nil {
			<-done
			final = true
		}
		now := time.Now()
		iv := st.cut()
		slices.Sort(iv.latencies)
		rw.Label, rw.Requests, rw.Writes, rw.Seconds = fmt.Sprint(n), iv.requests, iv.writes, now.Sub(last).Seconds()
		rw.Errors, rw.P50, rw.P99 = iv.errors, percentile(iv.latencies, 0.50), percentile(iv.latencies, 0.99)
		last = now
		rows = append(rows, rw)
		logRow(rw)
		if final {
			break
		}
	}
	loadSeconds := time.Since(loadStart).Seconds()
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}

	// Delete what the soak created and left, so that the database has its
	// projects again; then, idle, the server should be back to its start.
	w.mu.Lock()
	leftover := w.created
	w.created = nil
	w.mu.Unlock()
	left, cleanErrs := len(leftover), 0
	for _, id := range leftover {
		if out := deleteProject(ctx, c, id, w); out.code != "" {
			cleanErrs++
			log.Printf("cleanup: delete %s: %s: %s", id, out.code, out.msg)
		}
	}
	log.Printf("deleted the %d projects the soak had created and not deleted (%d errors)", left, cleanErrs)
	time.Sleep(5 * time.Second)
	rows = append(rows, measureIdle("after, idle 5 s", c, o, cpu))
	logRow(rows[len(rows)-1])

	res := result{options: o, Start: start, Rows: rows, LoadSeconds: loadSeconds, Stats: st, Left: left, CleanupErrors: cleanErrs, Known: len(w.projects)}
	fmt.Println(res.verdict())
	if o.Report != "" {
		if err := writeReport(o.Report, res.markdown()); err != nil {
			return err
		}
		log.Printf("wrote the soak section of %s", o.Report)
	}
	return nil
}

// measureIdle is a row without load: the server's memory and goroutines.
func measureIdle(label string, c *client, o options, cpu *cpuAccount) row {
	r := row{Label: label}
	cpu.reset()
	scrape(&r, o, cpu)
	return r
}

// scrape reads the server's resident memory and goroutines from /metrics,
// and the CPU used since the last scrape.
func scrape(r *row, o options, cpu *cpuAccount) {
	r.ServerCPU, r.PGCPU, r.SoakCPU, r.OtherCPU = cpu.take()
	resp, err := http.Get(o.MetricsURL)
	if err != nil {
		r.MetricsErr = err.Error()
		return
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		r.MetricsErr = fmt.Sprintf("HTTP %d %v", resp.StatusCode, err)
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(val, &v); err != nil {
			continue
		}
		switch name {
		case "process_resident_memory_bytes":
			r.RSS = v / (1 << 20)
		case "go_goroutines":
			r.Goroutines = int(v)
		}
	}
}

func logRow(r row) {
	if r.Requests == 0 {
		log.Printf("%-16s RSS %6.1f MiB, %4d goroutines %s", r.Label, r.RSS, r.Goroutines, r.MetricsErr)
		return
	}
	log.Printf("interval %-3s %7d requests %6.1f/s  %5d writes  errors %-20s p50 %6s p99 %7s  RSS %6.1f MiB  %4d goroutines  CPU%%: server %.0f, PostgreSQL %.0f, soak %.0f, other %.0f %s",
		r.Label, r.Requests, float64(r.Requests)/r.Seconds, r.Writes, errorsCell(r.Errors), ms(r.P50), ms(r.P99),
		r.RSS, r.Goroutines, r.ServerCPU, r.PGCPU, r.SoakCPU, r.OtherCPU, r.MetricsErr)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

func errorsCell(m map[string]int) string {
	if len(m) == 0 {
		return "0"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
