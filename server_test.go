package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/internal/apikeys"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/dashboard"
	"github.com/bri-tracker/bri-tracker/internal/gqlext"
	"github.com/bri-tracker/bri-tracker/internal/store"
	"github.com/bri-tracker/bri-tracker/internal/webhook"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/playground"
)

// startServer runs serve with cfg until the test ends and returns its base
// URL and a function that stops it and returns serve's result.
func startServer(t *testing.T, cfg config) (string, func() error) {
	t.Helper()
	// limits and timeouts the test leaves zero take their defaults
	d, err := parseConfig(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.Migrate = true // as by default
	for _, f := range []struct{ v, def *time.Duration }{{&cfg.ShutdownTimeout, &d.ShutdownTimeout}, {&cfg.RequestTimeout, &d.RequestTimeout}, {&cfg.StatementTimeout, &d.StatementTimeout}, {&cfg.WriteTimeout, &d.WriteTimeout}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	for _, f := range []struct{ v, def *int }{{&cfg.ParserTokenLimit, &d.ParserTokenLimit}, {&cfg.MaxDepth, &d.MaxDepth}, {&cfg.MaxAliases, &d.MaxAliases}, {&cfg.MaxComplexity, &d.MaxComplexity}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = d.MaxBodyBytes
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- serve(ctx, cfg, logger, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start in 60 s")
	}
	stopped := false
	var result error
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			result = <-done
		}
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return "http://" + addr, stop
}

// sqliteAdminKey prepares a SQLite database file with an ADMIN key and
// returns the key's secret.
func sqliteAdminKey(t *testing.T, path string) string {
	t.Helper()
	ctx := auth.SystemContext(context.Background(), "test")
	client, _, err := store.Open(ctx, store.Config{SQLitePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	_, secret, err := apikeys.Create(ctx, client, "test-admin", apikey.RoleADMIN, nil)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func postGraphQL(t *testing.T, base, query string, key ...string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if len(key) > 0 {
		req.Header.Set("Authorization", "Bearer "+key[0])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, out
}

// TestServeSeedsAndServes starts the real server on each database: an empty
// database is seeded with the demo dataset, the playground is served from
// the binary, and every saved example operation runs without errors.
func TestServeSeedsAndServes(t *testing.T) {
	for _, db := range []struct {
		name string
		cfg  func(t *testing.T) config
	}{
		{"sqlite", func(t *testing.T) config {
			return config{SQLitePath: filepath.Join(t.TempDir(), "bri.db"), Seed: true, Playground: true, PublicRead: true}
		}},
		{"postgres", func(t *testing.T) config {
			return config{DatabaseURL: apitest.PostgresURL(t), Seed: true, Playground: true, PublicRead: true}
		}},
	} {
		t.Run(db.name, func(t *testing.T) {
			cfg := db.cfg(t)
			base, stop := startServer(t, cfg)

			_, out := postGraphQL(t, base, `{ partners { totalCount } countries: partners(where: {kind: COUNTRY}) { totalCount } projects { totalCount } policies { totalCount } }`)
			data := out["data"].(map[string]any)
			count := func(k string) int { return int(data[k].(map[string]any)["totalCount"].(float64)) }
			if count("partners") < 40 || count("countries") < 25 || count("projects") < 60 || count("policies") < 15 {
				t.Fatalf("seeded counts: %v", data)
			}

			examples, err := playground.Examples()
			if err != nil || len(examples) < 3 {
				t.Fatalf("examples: %d, %v", len(examples), err)
			}
			for _, ex := range examples {
				status, out := postGraphQL(t, base, ex.Query)
				if status != http.StatusOK || out["errors"] != nil {
					t.Fatalf("example failed: %d %v\n%s", status, out["errors"], ex.Query)
				}
				if b, _ := json.Marshal(out["data"]); bytes.Count(b, []byte(`"edges":[{`)) == 0 {
					t.Fatalf("example returned no rows: %s\n%s", b, ex.Query)
				}
			}

			// a second start on the same database does not seed again
			if err := stop(); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			base, _ = startServer(t, cfg)
			_, out = postGraphQL(t, base, `{ partners { totalCount } }`)
			if got := int(out["data"].(map[string]any)["partners"].(map[string]any)["totalCount"].(float64)); got != count("partners") {
				t.Fatalf("partners after restart: %d, want %d", got, count("partners"))
			}
		})
	}
}

func TestSeedOff(t *testing.T) {
	base, _ := startServer(t, config{SQLitePath: filepath.Join(t.TempDir(), "bri.db"), Seed: false, PublicRead: true})
	_, out := postGraphQL(t, base, `{ partners { totalCount } }`)
	if got := out["data"].(map[string]any)["partners"].(map[string]any)["totalCount"].(float64); got != 0 {
		t.Fatalf("partners with seeding off: %v", got)
	}
	// no playground unless asked: / leads to the dashboard
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/dashboard" || strings.Contains(string(page), "GraphiQL") {
		t.Fatalf("playground off: status %d at %s", res.StatusCode, res.Request.URL.Path)
	}
}

// TestPlaygroundIsOffline: the page and everything it loads come from the
// server itself.
func TestPlaygroundIsOffline(t *testing.T) {
	base, _ := startServer(t, config{SQLitePath: filepath.Join(t.TempDir(), "bri.db"), Playground: true})
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "GraphiQL") {
		t.Fatalf("playground: %d", res.StatusCode)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(page), -1)
	if len(refs) < 4 {
		t.Fatalf("page loads %d assets, want the 4 local ones", len(refs))
	}
	for _, m := range refs {
		if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
			t.Fatalf("page loads %q from outside the server", m[1])
		}
		r, err := http.Get(base + m[1])
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK || n < 1000 {
			t.Fatalf("%s: status %d, %d bytes", m[1], r.StatusCode, n)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Fatalf("CSP %q", csp)
	}
}

// TestGracefulShutdown: a request in flight when the server is told to stop
// still gets its answer, and serve returns without error.
func TestGracefulShutdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bri.db")
	key := sqliteAdminKey(t, path)
	base, stop := startServer(t, config{SQLitePath: path})

	// Hold SQLite's write lock so that the mutation below waits in flight.
	locker, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	conn, err := locker.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	type result struct {
		status int
		out    map[string]any
	}
	answered := make(chan result, 1)
	go func() {
		status, out := postGraphQL(t, base, `mutation { createPartner(input: {name: "Qilu Transportation", kind: ENTERPRISE}) { name } }`, key)
		answered <- result{status, out}
	}()
	time.Sleep(time.Second) // the mutation is now waiting for the lock
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(500 * time.Millisecond) // shutdown has begun and waits for it
	select {
	case err := <-stopped:
		t.Fatalf("server stopped with a request in flight: %v", err)
	default:
	}
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	r := <-answered
	if r.status != http.StatusOK || r.out["errors"] != nil {
		t.Fatalf("in-flight request: %d %v", r.status, r.out)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestCORS(t *testing.T) {
	preflight := func(base, origin string) string {
		req, _ := http.NewRequest(http.MethodOptions, base+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type") // as browsers send it: lower case, sorted
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get("Access-Control-Allow-Origin")
	}
	closed, _ := startServer(t, config{SQLitePath: filepath.Join(t.TempDir(), "a.db")})
	if got := preflight(closed, "https://dashboard.example.org"); got != "" {
		t.Fatalf("default allows %q", got)
	}
	open, _ := startServer(t, config{SQLitePath: filepath.Join(t.TempDir(), "b.db"), CORSOrigins: []string{"https://dashboard.example.org"}})
	if got := preflight(open, "https://dashboard.example.org"); got != "https://dashboard.example.org" {
		t.Fatalf("listed origin: %q", got)
	}
	if got := preflight(open, "https://evil.example.com"); got != "" {
		t.Fatalf("unlisted origin allowed: %q", got)
	}
	any, _ := startServer(t, config{SQLitePath: filepath.Join(t.TempDir(), "c.db"), CORSOrigins: []string{"*"}})
	if got := preflight(any, "https://evil.example.com"); got != "*" {
		t.Fatalf("* : %q", got)
	}
}

func TestParseConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := parseConfig(nil, env(nil))
	if err != nil || c.Addr != ":8080" || c.SQLitePath != "./bri-tracker.db" || !c.Seed || !c.Playground || c.DatabaseURL != "" || c.CORSOrigins != nil {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = parseConfig([]string{"--seed=false", "--port", "9090"}, env(map[string]string{
		"PORT": "7070", "SEED": "true", "DATABASE_URL": "postgres://u:secret@db/bri", "SQLITE_PATH": "/tmp/x.db",
		"CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example",
	}))
	if err != nil || c.Addr != ":9090" || c.Seed || c.DatabaseURL != "postgres://u:secret@db/bri" || c.SQLitePath != "/tmp/x.db" ||
		strings.Join(c.CORSOrigins, "|") != "https://a.example|https://b.example" {
		t.Fatalf("flags over env: %+v %v", c, err)
	}
	if got := c.databaseLabel(); strings.Contains(got, "secret") {
		t.Fatalf("database label leaks the password: %s", got)
	}
	if c, err := parseConfig(nil, env(map[string]string{"SEED": "false"})); err != nil || c.Seed {
		t.Fatalf("SEED=false: %+v %v", c, err)
	}
	for _, bad := range [][]string{{"--port", "http"}, {"--bogus"}, {"extra"}} { // flag errors print usage to stderr
		if _, err := parseConfig(bad, env(nil)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := parseConfig(nil, env(map[string]string{"SEED": "maybe"})); err == nil {
		t.Error("SEED=maybe accepted")
	}

	// production: introspection, suggestions and (unless asked for) the playground off
	for _, c := range []struct {
		args       []string
		env        map[string]string
		playground bool
	}{
		{[]string{"--env", "production"}, nil, false},
		{nil, map[string]string{"APP_ENV": "production"}, false},
		{[]string{"--env", "production", "--playground"}, nil, true},
		{nil, map[string]string{"APP_ENV": "production", "PLAYGROUND": "true"}, true},
	} {
		c2, err := parseConfig(c.args, env(c.env))
		if err != nil || !c2.Production || c2.Playground != c.playground {
			t.Fatalf("%v %v: %+v %v", c.args, c.env, c2, err)
		}
		o := c2.handlerOptions(nil, nil)
		if o.Introspection || o.Suggestions || o.Playground != c.playground {
			t.Fatalf("production options: %+v", o)
		}
	}
	dev, _ := parseConfig(nil, env(nil))
	if o := dev.handlerOptions(nil, nil); !o.Introspection || !o.Suggestions || !o.Playground {
		t.Fatalf("development options: %+v", o)
	}
	if _, err := parseConfig([]string{"--env", "staging"}, env(nil)); err == nil {
		t.Error("--env staging accepted")
	}
	limits, err := parseConfig([]string{"--max-depth", "7", "--rate-limit-key", "3.5"}, env(map[string]string{"MAX_ALIASES": "12", "MAX_BODY_BYTES": "2048", "REQUEST_TIMEOUT": "3s"}))
	if err != nil {
		t.Fatal(err)
	}
	o := limits.handlerOptions(nil, nil)
	if o.Limits.MaxDepth != 7 || o.Limits.MaxAliases != 12 || o.MaxBodyBytes != 2048 || o.RequestTimeout != 3*time.Second || o.RatePerKey != 3.5 || o.RatePerIP != 50 {
		t.Fatalf("limits: %+v", o)
	}

	// resolver spans: off unless asked for
	if o := dev.handlerOptions(nil, nil); o.TraceResolvers || o.TracerProvider == nil {
		t.Fatalf("tracing defaults: resolvers %v, provider %v", o.TraceResolvers, o.TracerProvider)
	}
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"--trace-resolvers"}, nil},
		{nil, map[string]string{"TRACE_RESOLVERS": "true"}},
	} {
		c2, err := parseConfig(c.args, env(c.env))
		if err != nil || !c2.handlerOptions(nil, nil).TraceResolvers {
			t.Fatalf("%v %v: resolver spans off (%v)", c.args, c.env, err)
		}
	}
	if _, err := parseConfig(nil, env(map[string]string{"TRACE_RESOLVERS": "sometimes"})); err == nil {
		t.Error("TRACE_RESOLVERS=sometimes accepted")
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestParseWebhookConfig: the --webhook-* flags and variables, their
// defaults, and the settings refused.
func TestParseWebhookConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := parseConfig(nil, env(nil))
	if err != nil || c.Webhooks != webhook.Defaults || c.store().WebhookAllowPrivate {
		t.Fatalf("defaults: %+v %v", c.Webhooks, err)
	}
	c, err = parseConfig([]string{"--webhook-allow-private", "--webhook-workers", "0", "--webhook-timeout", "3s"},
		env(map[string]string{"WEBHOOK_RETRY_BASE": "1s", "WEBHOOK_RETRY_MAX": "1m", "WEBHOOK_MAX_ATTEMPTS": "5"}))
	want := webhook.Config{Workers: 0, Timeout: 3 * time.Second, RetryBase: time.Second, RetryMax: time.Minute, MaxAttempts: 5, Poll: webhook.Defaults.Poll, AllowPrivate: true, Retention: webhook.Defaults.Retention}
	if err != nil || c.Webhooks != want || !c.store().WebhookAllowPrivate {
		t.Fatalf("set: %+v %v", c.Webhooks, err)
	}
	for _, bad := range [][]string{
		{"--webhook-workers", "-1"}, {"--webhook-timeout", "0s"}, {"--webhook-retry-base", "0s"},
		{"--webhook-retry-base", "10s", "--webhook-retry-max", "5s"}, {"--webhook-max-attempts", "0"}, {"--webhook-retention", "-1h"},
	} {
		if _, err := parseConfig(bad, env(nil)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestPersistedOnlyRunsTheDashboard: a server that runs only the documents
// of its operator's manifest runs the dashboard's operations too (the
// server's own page), and still refuses any other document.
func TestPersistedOnlyRunsTheDashboard(t *testing.T) {
	own := `{ partners { totalCount } }`
	sum := sha256.Sum256([]byte(own))
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(manifest, []byte(toJSON(map[string]string{hex.EncodeToString(sum[:]): own})), 0o600); err != nil {
		t.Fatal(err)
	}
	base, _ := startServer(t, config{SQLitePath: filepath.Join(t.TempDir(), "bri.db"), PublicRead: true, Seed: true, PersistedOnly: manifest})
	var docs map[string]string
	if err := json.Unmarshal(dashboard.TrustedDocuments, &docs); err != nil {
		t.Fatal(err)
	}
	options := ""
	for _, doc := range docs {
		if strings.Contains(doc, "query FilterOptions {") {
			options = doc
		}
	}
	if options == "" {
		t.Fatal("the dashboard's manifest has no FilterOptions query")
	}
	for _, c := range []struct {
		query string
		ok    bool
	}{{own, true}, {options, true}, {`{ projects { totalCount } }`, false}} {
		status, out := postGraphQL(t, base, c.query)
		errs, _ := out["errors"].([]any)
		if c.ok && (status != http.StatusOK || len(errs) > 0 || out["data"] == nil) {
			t.Errorf("%.40q: %d %v, want data", c.query, status, out)
		}
		if !c.ok && !strings.Contains(toJSON(out), gqlext.CodePersistedQueryNotAllowed) {
			t.Errorf("%.40q: %d %v, want %s", c.query, status, out, gqlext.CodePersistedQueryNotAllowed)
		}
	}
}
