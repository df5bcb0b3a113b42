package sharedstate_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
	"github.com/bri-tracker/bri-tracker/internal/sharedstate"
)

const ping = `{ __typename }`

// limited is a server option: per-address and per-key limits of rate
// requests a second, over r when it is not nil.
func limited(r *sharedstate.Redis, perIP, perKey float64) func(*httpapi.Options) {
	return func(o *httpapi.Options) {
		o.Redis = r
		o.RatePerIP, o.RatePerKey = perIP, perKey
	}
}

// status posts ping to s with key ("" for none) and returns the HTTP status
// and Retry-After.
func status(s *apitest.Server, key string) (int, string) {
	res := s.DoAs(key, ping, nil)
	return res.Status, res.Header.Get("Retry-After")
}

// TestRateLimitsSharedAcrossProcesses: two server processes (handlers of
// their own) over one Redis allow a client its rate once between them; two
// without Redis allow it once each. Both the per-address and the per-key
// limit are shared, and Retry-After comes from the shared limiter.
func TestRateLimitsSharedAcrossProcesses(t *testing.T) {
	url := apitest.RedisURL(t)
	db := apitest.OpenSQLite(t)

	// one request every 10 s, bursts of 1
	rdb := apitest.OpenRedis(t, url, nil)
	a := apitest.NewServer(t, db, limited(rdb, 0.1, 0))
	b := apitest.NewServer(t, db, limited(rdb, 0.1, 0))
	if st, _ := status(a, ""); st != http.StatusOK {
		t.Fatalf("first request through A: HTTP %d", st)
	}
	st, retry := status(b, "")
	if st != http.StatusTooManyRequests {
		t.Fatalf("second request, through B: HTTP %d, want 429: B did not see A's request", st)
	}
	if n, _ := strconv.Atoi(retry); n < 9 || n > 10 {
		t.Fatalf("Retry-After %q, want about 10 s (the shared limiter's wait)", retry)
	}
	if st, _ := status(a, ""); st != http.StatusTooManyRequests {
		t.Fatalf("third request, through A: HTTP %d, want 429", st)
	}

	// per key: the address limit off, one key's requests counted together
	rdb = apitest.OpenRedis(t, url, nil)
	a = apitest.NewServer(t, db, limited(rdb, 0, 0.1))
	b = apitest.NewServer(t, db, limited(rdb, 0, 0.1))
	if st, _ := status(a, a.AdminKey); st != http.StatusOK {
		t.Fatalf("key's first request through A: HTTP %d", st)
	}
	if st, _ := status(b, a.AdminKey); st != http.StatusTooManyRequests {
		t.Fatalf("key's second request, through B: HTTP %d, want 429", st)
	}
	other := a.NewKey("other", "ADMIN", nil)
	if st, _ := status(b, other); st != http.StatusOK {
		t.Fatalf("another key through B: HTTP %d, want 200: keys share a limit", st)
	}

	// without Redis each process limits alone
	a = apitest.NewServer(t, db, limited(nil, 0.1, 0))
	b = apitest.NewServer(t, db, limited(nil, 0.1, 0))
	if st1, _ := status(a, ""); st1 != http.StatusOK {
		t.Fatalf("without Redis, A: HTTP %d", st1)
	}
	if st2, _ := status(b, ""); st2 != http.StatusOK {
		t.Fatalf("without Redis, B: HTTP %d, want 200 (limits are per process)", st2)
	}
}

// apq posts query by its hash, with the query's text when register.
func apq(s *apitest.Server, query string, register bool) *apitest.Response {
	sum := sha256.Sum256([]byte(query))
	body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}}
	if register {
		body["query"] = query
	}
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	return s.Send(req)
}

// TestPersistedQueriesSharedAcrossProcesses: a query registered through one
// process runs by its hash through another when they share Redis, and only
// then.
func TestPersistedQueriesSharedAcrossProcesses(t *testing.T) {
	url := apitest.RedisURL(t)
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		rdb := apitest.OpenRedis(t, url, nil)
		a := apitest.NewServer(t, db, limited(rdb, 0, 0))
		b := apitest.NewServer(t, db, limited(rdb, 0, 0))
		alone := apitest.NewServer(t, db)
		q := `query Partners { partners(first: 2) { totalCount } }`
		if res := apq(b, q, false); len(res.Errors) != 1 || res.Errors[0].Code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("unregistered hash through B: %+v, want PERSISTED_QUERY_NOT_FOUND", res.Errors)
		}
		reg := apq(a, q, true)
		if reg.Status != http.StatusOK || len(reg.Errors) > 0 {
			t.Fatalf("register through A: HTTP %d %+v", reg.Status, reg.Errors)
		}
		res := apq(b, q, false)
		if res.Status != http.StatusOK || len(res.Errors) > 0 || string(res.Data) != string(reg.Data) {
			t.Fatalf("hash alone through B: HTTP %d %+v %s, want %s", res.Status, res.Errors, res.Data, reg.Data)
		}
		if res := apq(alone, q, false); len(res.Errors) != 1 || res.Errors[0].Code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("hash alone through a process without Redis: %+v, want PERSISTED_QUERY_NOT_FOUND", res.Errors)
		}
		// a query longer than MaxSharedQuery stays in its process
		long := "query Long { partners(first: 1) { totalCount } }\n#" + strings.Repeat("x", sharedstate.MaxSharedQuery)
		if reg := apq(a, long, true); reg.Status != http.StatusOK || len(reg.Errors) > 0 {
			t.Fatalf("register a long query: HTTP %d %+v", reg.Status, reg.Errors)
		}
		if res := apq(a, long, false); len(res.Errors) > 0 {
			t.Fatalf("the long query by hash through the process that registered it: %+v", res.Errors)
		}
		if res := apq(b, long, false); len(res.Errors) != 1 || res.Errors[0].Code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("the long query by hash through another process: %+v, want PERSISTED_QUERY_NOT_FOUND", res.Errors)
		}
	})
}

// metric reads one sample of name (with its labels, as /metrics prints
// them) from s's /metrics; -1 when absent.
func metric(t *testing.T, s *apitest.Server, name string) float64 {
	t.Helper()
	res, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

// redisMetrics checks bri_redis_up and the rate limit's fallbacks.
func redisMetrics(t *testing.T, s *apitest.Server, when string, up, fallbacks float64) {
	t.Helper()
	if got := metric(t, s, "bri_redis_up"); got != up {
		t.Fatalf("%s: bri_redis_up %v, want %v", when, got, up)
	}
	if got := metric(t, s, `bri_redis_fallbacks_total{use="ratelimit"}`); got != fallbacks {
		t.Fatalf("%s: ratelimit fallbacks %v, want %v", when, got, fallbacks)
	}
}

func readyz(t *testing.T, s *apitest.Server) (int, string) {
	t.Helper()
	res, err := http.Get(s.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// TestRedisDownFallsBackPerProcess: when Redis stops answering, requests are
// still served, limited by each process on its own; the log, /metrics and
// /readyz say so; once Redis answers again the limits are shared again.
func TestRedisDownFallsBackPerProcess(t *testing.T) {
	url := apitest.RedisURL(t)
	proxy, proxied := apitest.ProxyURL(t, url)
	db := apitest.OpenSQLite(t)
	logs := &lockedBuffer{b: &bytes.Buffer{}}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	rdb := apitest.OpenRedis(t, proxied, logger, func(o *sharedstate.Options) { o.RetryAfter = 200 * time.Millisecond })
	a := apitest.NewServer(t, db, limited(rdb, 0.1, 0))
	b := apitest.NewServer(t, db, limited(rdb, 0.1, 0))
	if st, _ := status(a, ""); st != http.StatusOK {
		t.Fatalf("through A with Redis up: HTTP %d", st)
	}
	if st, _ := status(b, ""); st != http.StatusTooManyRequests {
		t.Fatalf("through B with Redis up: HTTP %d, want 429", st)
	}
	redisMetrics(t, a, "with Redis up", 1, 0)

	proxy.Cut()
	// each process now limits alone: one request each, then 429
	for _, s := range []*apitest.Server{a, b} {
		if st, _ := status(s, ""); st != http.StatusOK {
			t.Fatalf("with Redis down: HTTP %d, want 200 from the process's own limit", st)
		}
		if st, _ := status(s, ""); st != http.StatusTooManyRequests {
			t.Fatalf("with Redis down, second request: HTTP %d, want 429 from the process's own limit", st)
		}
	}
	redisMetrics(t, a, "with Redis down", 0, 4)
	if code, body := readyz(t, a); code != http.StatusOK || !strings.Contains(body, "not answering") {
		t.Fatalf("/readyz with Redis down: %d %q, want 200 saying Redis does not answer", code, body)
	}
	if got := logs.String(); strings.Count(got, "Redis does not answer") != 1 {
		t.Fatalf("want the outage logged once, got:\n%s", got)
	}

	proxy.Restore()
	time.Sleep(300 * time.Millisecond) // past RetryAfter
	// Redis holds the client's allowance from before: the shared limit refuses
	if st, _ := status(b, ""); st != http.StatusTooManyRequests {
		t.Fatalf("with Redis back: HTTP %d, want 429", st)
	}
	redisMetrics(t, a, "with Redis back", 1, 4)
	if got := logs.String(); !strings.Contains(got, "Redis answers again") {
		t.Fatalf("want the recovery logged, got:\n%s", got)
	}
}
