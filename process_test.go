package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/internal/apikeys"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// serveArgsEnv, when set, makes the test binary run as the server with
// these arguments (a JSON list) instead of running tests: the tests below
// start real server processes, to signal and to kill.
const serveArgsEnv = "BRI_TRACKER_TEST_SERVE_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(serveArgsEnv); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			panic(err)
		}
		os.Args = append([]string{"bri-tracker"}, args...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is a server running in its own process.
type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	mu   sync.Mutex
	log  strings.Builder
	done chan struct{}
	err  error
}

var servingAddr = regexp.MustCompile(`msg=serving addr=\S*:(\d+)`)

// startProcess starts a server process with the given arguments (on a free
// port) and environment, and waits until it serves.
func startProcess(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	raw, _ := json.Marshal(append([]string{"--port", "0"}, args...))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), serveArgsEnv+"="+string(raw)), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, cmd: cmd, done: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.log.WriteString(line + "\n")
			p.mu.Unlock()
			if m := servingAddr.FindStringSubmatch(line); m != nil {
				ready <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	select {
	case port := <-ready:
		p.base = "http://127.0.0.1:" + port
	case <-p.done:
		t.Fatalf("the server exited before serving: %v\n%s", p.err, p.logs())
	case <-time.After(60 * time.Second):
		t.Fatalf("the server did not serve within 60 s:\n%s", p.logs())
	}
	return p
}

func (p *process) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

func (p *process) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// wait waits for the process to exit and returns its error.
func (p *process) wait(d time.Duration) error {
	p.t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		p.t.Fatalf("the server did not exit within %v:\n%s", d, p.logs())
		return nil
	}
}

// readyz returns /readyz's status.
func readyzStatus(base string) int {
	r, err := http.Get(base + "/readyz")
	if err != nil {
		return 0
	}
	r.Body.Close()
	return r.StatusCode
}

// TestSIGTERMDrains: under 16 clients, SIGTERM makes /readyz answer 503 at
// once; the server serves on for --drain, then stops accepting and exits
// cleanly; no request that reached it failed. Each request carries its own
// X-Request-ID, so the server's access log tells which reached it: every
// request it logged was answered 200, and a request that failed is one it
// never saw (refused, or reset in the kernel's accept queue as the listener
// closed).
func TestSIGTERMDrains(t *testing.T) {
	url := apitest.PostgresURL(t)
	const drain = 2 * time.Second
	p := startProcess(t, []string{"DATABASE_URL=" + url}, "--drain", drain.String(), "--shutdown-timeout", "10s", "--rate-limit-ip", "0", "--rate-limit-key", "0")
	query := p.base + "/graphql?query=" + neturl.QueryEscape(`{ projects(first: 5) { totalCount edges { node { title } } } }`)

	type outcome struct {
		id     string
		at     time.Time
		status int
		err    error
		body   string
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		wg       sync.WaitGroup
	)
	stop := make(chan struct{})
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				o := outcome{id: fmt.Sprintf("drain-%02d-%06d", c, n)}
				req, _ := http.NewRequest(http.MethodGet, query, nil)
				req.Header.Set("X-Request-ID", o.id)
				r, err := client.Do(req)
				if err == nil {
					b, _ := io.ReadAll(r.Body)
					r.Body.Close()
					o.status, o.body = r.StatusCode, string(b)
				}
				o.at, o.err = time.Now(), err
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
				if err != nil {
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	time.Sleep(time.Second)
	p.signal(syscall.SIGTERM)
	term := time.Now()
	// the process handles the signal within moments, not at once
	s := readyzStatus(p.base)
	for deadline := term.Add(time.Second); s != http.StatusServiceUnavailable && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		s = readyzStatus(p.base)
	}
	if s != http.StatusServiceUnavailable {
		t.Errorf("/readyz within a second of SIGTERM: %d, want 503", s)
	}
	if err := p.wait(30 * time.Second); err != nil {
		t.Errorf("the server exited with %v:\n%s", err, p.logs())
	}
	close(stop)
	wg.Wait()

	reached := map[string]bool{}
	for _, m := range loggedRequest.FindAllStringSubmatch(p.logs(), -1) {
		reached[m[1]] = true
	}
	var before, during, refused int
	for _, o := range outcomes {
		switch {
		case o.err != nil && reached[o.id]:
			t.Errorf("request %s reached the server and failed %v after SIGTERM: %v", o.id, o.at.Sub(term), o.err)
		case o.err != nil:
			refused++
			if o.at.Before(term.Add(drain)) {
				t.Errorf("request %s failed %v after SIGTERM, within the drain period: %v", o.id, o.at.Sub(term), o.err)
			}
		case o.status != http.StatusOK || strings.Contains(o.body, `"errors"`):
			t.Errorf("request %s answered %d %s", o.id, o.status, o.body)
		case o.at.Before(term):
			before++
		default:
			during++
		}
	}
	t.Logf("%d answered before SIGTERM, %d during the drain and shutdown, %d never reached the server after it", before, during, refused)
	if before == 0 || during == 0 {
		t.Errorf("the load did not run: %d before, %d during", before, during)
	}
}

var loggedRequest = regexp.MustCompile(`msg=request method=GET path=/graphql .*request_id=(drain-\d+-\d+)`)

// holdLocks runs statements in a transaction of its own, which holds their
// locks until the test rolls it back or ends.
func holdLocks(t *testing.T, url string, stmts ...string) *sql.Tx {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	for _, q := range stmts {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return tx
}

// adminKey creates an ADMIN key in the database of url (its schema made
// first) and returns its secret.
func adminKey(t *testing.T, url string) string {
	t.Helper()
	db := apitest.OpenPostgresURL(t, url)
	_, secret, err := apikeys.Create(auth.SystemContext(t.Context(), "test"), db.Client, "admin", apikey.RoleADMIN, nil)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// post sends a GraphQL request by POST with the given headers (name,
// value, ...), and returns the status, the headers and the body.
func post(t *testing.T, base, query string, headers ...string) (int, http.Header, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err.Error()
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, r.Header, string(b)
}

// TestKilledMidRequestIdempotencyLease: a server killed with SIGKILL in the
// middle of a write with an Idempotency-Key leaves the key leased, not held
// for 48 hours: a retry gets 409 until the lease (request timeout + 5 s)
// has passed, then runs the write, once.
func TestKilledMidRequestIdempotencyLease(t *testing.T) {
	url := apitest.PostgresURL(t)
	key := adminKey(t, url)
	env := []string{"DATABASE_URL=" + url}
	flags := []string{"--request-timeout", "2s", "--seed=false"}
	a := startProcess(t, env, flags...)
	auth := "Bearer " + key
	status, _, body := post(t, a.base, `mutation { createPartner(input: {name: "Weichai", kind: ENTERPRISE}) { id } }`, "Authorization", auth)
	var created struct {
		Data struct{ CreatePartner struct{ ID string } }
	}
	if err := json.Unmarshal([]byte(body), &created); status != http.StatusOK || err != nil {
		t.Fatalf("create: %d %s", status, body)
	}
	id := created.Data.CreatePartner.ID

	// Hold the partner's row so that the update below waits in flight.
	tx := holdLocks(t, url, `SELECT id FROM partners WHERE name = 'Weichai' FOR UPDATE`)
	update := `mutation { updatePartner(id: "` + id + `", input: {name: "Weichai Power"}) { name version } }`
	go post(t, a.base, update, "Authorization", auth, "Idempotency-Key", "crash-1")
	time.Sleep(700 * time.Millisecond) // the update now waits for the row
	a.signal(syscall.SIGKILL)
	_ = a.wait(10 * time.Second)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()

	b := startProcess(t, env, flags...)
	status, header, body := post(t, b.base, update, "Authorization", auth, "Idempotency-Key", "crash-1")
	if status != http.StatusConflict || !strings.Contains(body, "IDEMPOTENCY_IN_PROGRESS") {
		t.Fatalf("retry within the lease: %d %s", status, body)
	}
	if wait, _ := strconv.Atoi(header.Get("Retry-After")); wait < 1 || wait > 7 {
		t.Errorf("Retry-After %q, want 1 to 7 s (the lease: request timeout 2 s + 5 s)", header.Get("Retry-After"))
	}
	for {
		status, _, body = post(t, b.base, update, "Authorization", auth, "Idempotency-Key", "crash-1")
		if status != http.StatusConflict {
			break
		}
		if time.Since(killed) > 15*time.Second {
			t.Fatalf("still 409 %v after the crash: %s", time.Since(killed), body)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if status != http.StatusOK || body != `{"data":{"updatePartner":{"name":"Weichai Power","version":2}}}` {
		t.Fatalf("retry after the lease: %d %s", status, body)
	}
	t.Logf("the retry ran %v after the crash", time.Since(killed))
	// and once more: replayed, not run again
	status, header, body2 := post(t, b.base, update, "Authorization", auth, "Idempotency-Key", "crash-1")
	if status != http.StatusOK || body2 != body || header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("second retry: %d %s (replayed %q)", status, body2, header.Get("Idempotent-Replayed"))
	}
}

// TestRestartWhileLocksHeld: a server started while another transaction
// holds locks on the tables (as a killed server's last statement may, until
// PostgreSQL notices) starts and serves at once; and a server restarted
// right after SIGKILL in the middle of a 1,000-item upsertProjects serves.
func TestRestartWhileLocksHeld(t *testing.T) {
	url := apitest.PostgresURL(t)
	key := adminKey(t, url)
	env := []string{"DATABASE_URL=" + url}
	a := startProcess(t, env)
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprintf(`{externalRef: "restart-%d", title: "Project %d", sector: ENERGY, description: "%s"}`, i, i, strings.Repeat("wind and solar ", 40))
	}
	upsert := `mutation { upsertProjects(input: [` + strings.Join(items, ",") + `]) { created } }`
	go post(t, a.base, upsert, "Authorization", "Bearer "+key)
	time.Sleep(300 * time.Millisecond)
	a.signal(syscall.SIGKILL)
	_ = a.wait(10 * time.Second)

	// Locks as a dead server's transaction holds them.
	holdLocks(t, url,
		`UPDATE projects SET title = title WHERE id = (SELECT min(id) FROM projects)`,
		`UPDATE partners SET name = name WHERE id = (SELECT min(id) FROM partners)`,
		`DELETE FROM opening_policy_projects WHERE false`)
	start := time.Now()
	b := startProcess(t, env, "--statement-timeout", "3s")
	if status, _, body := post(t, b.base, `{ projects(first: 1) { totalCount } }`); status != http.StatusOK || strings.Contains(body, "errors") {
		t.Fatalf("restarted server: %d %s", status, body)
	}
	t.Logf("restarted and served in %v with the locks held", time.Since(start))
}

// TestFourProcessesStartTogether: four servers started at the same moment
// on an empty PostgreSQL schema all serve; the migrations are applied once,
// the demo seed runs once, and none fails.
func TestFourProcessesStartTogether(t *testing.T) {
	url := apitest.PostgresURL(t)
	procs := make([]*process, 4)
	var wg sync.WaitGroup
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			procs[i] = startProcess(t, []string{"DATABASE_URL=" + url}, "--seed=true")
		}()
	}
	wg.Wait()
	var migrated, seeded int
	for _, p := range procs {
		if p == nil {
			t.FailNow() // startProcess reported why
		}
		logs := p.logs()
		migrated += strings.Count(logs, "msg=\"applied migrations\"")
		seeded += strings.Count(logs, "msg=\"seeded the empty database")
		if status, _, body := post(t, p.base, `{ partners(where: {kind: COUNTRY}) { totalCount } }`); status != http.StatusOK || strings.Contains(body, "errors") {
			t.Errorf("a process answered %d %s", status, body)
		}
	}
	if migrated != 1 || seeded != 1 {
		t.Errorf("%d processes applied migrations and %d seeded; want 1 and 1", migrated, seeded)
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var revisions, distinct int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT version) FROM atlas_schema_revisions`).Scan(&revisions, &distinct); err != nil {
		t.Fatal(err)
	}
	if n := migrationCount(t); revisions != n || distinct != n {
		t.Errorf("%d revisions (%d versions) for %d migration files", revisions, distinct, n)
	}
}

// TestMigrateCommand: with --migrate=false a server refuses to start while
// migrations are pending; `bri-tracker migrate status` lists them, `migrate
// up` applies them, and the server then starts.
func TestMigrateCommand(t *testing.T) {
	url := apitest.PostgresURL(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	raw, _ := json.Marshal([]string{"--port", "0", "--migrate=false"})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveArgsEnv+"="+string(raw), "DATABASE_URL="+url)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), fmt.Sprintf("migrations: %d pending", migrationCount(t))) || !strings.Contains(string(out), "bri-tracker migrate up") {
		t.Fatalf("--migrate=false on an empty schema: %v\n%s", err, out)
	}
	var status bytes.Buffer
	if err := runMigrate(t.Context(), []string{"status"}, env, &status); err != nil || !strings.Contains(status.String(), fmt.Sprintf("0 applied, %d pending", migrationCount(t))) {
		t.Fatalf("migrate status: %v\n%s", err, status.String())
	}
	var up bytes.Buffer
	if err := runMigrate(t.Context(), []string{"up"}, env, &up); err != nil || !strings.Contains(up.String(), fmt.Sprintf("%d applied, 0 pending", migrationCount(t))) || !strings.Contains(up.String(), "applied migrations") {
		t.Fatalf("migrate up: %v\n%s", err, up.String())
	}
	p := startProcess(t, []string{"DATABASE_URL=" + url}, "--migrate=false")
	if status, _, body := post(t, p.base, `{ partners { totalCount } }`); status != http.StatusOK || strings.Contains(body, "errors") {
		t.Fatalf("after migrate up: %d %s", status, body)
	}
}

// migrationCount is how many migration files there are.
func migrationCount(t *testing.T) int { return len(apitest.MigrationFiles(t)) }
