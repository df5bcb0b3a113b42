package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

// TestServersShareLimitsThroughRedis: two servers started with the same
// REDIS_URL allow a client its rate once between them, and a request from
// a trusted proxy is limited by the address it forwards.
func TestServersShareLimitsThroughRedis(t *testing.T) {
	redisURL := apitest.RedisURL(t)
	prefix := fmt.Sprintf("bri-test:%d:%d:", os.Getpid(), time.Now().UnixNano())
	start := func(name string) string {
		url, _ := startServer(t, config{
			SQLitePath: filepath.Join(t.TempDir(), name+".db"),
			RedisURL:   redisURL, RedisPrefix: prefix,
			RatePerIP: 0.1, PublicRead: true, // one request, then one every 10 s
		})
		return url
	}
	a, b := start("a"), start("b")
	post := func(url string) int {
		res, err := http.Post(url+"/graphql", "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := post(a); st != http.StatusOK {
		t.Fatalf("first request, to A: HTTP %d", st)
	}
	if st := post(b); st != http.StatusTooManyRequests {
		t.Fatalf("second request, to B: HTTP %d, want 429: the servers do not share the limit", st)
	}
}

func TestParseConfigSharedState(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := parseConfig([]string{"--trusted-proxies", "10.0.0.0/8, 192.0.2.7", "--client-address-header", "forwarded"},
		env(map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/2", "REDIS_PREFIX": "bri-staging:"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisURL != "redis://127.0.0.1:6379/2" || c.RedisPrefix != "bri-staging:" || c.ClientAddrHeader != "Forwarded" ||
		fmt.Sprint(c.TrustedProxies) != "[10.0.0.0/8 192.0.2.7/32]" {
		t.Fatalf("parsed: %+v", c)
	}
	o := c.handlerOptions(nil, nil)
	if o.ClientAddress.Header != "Forwarded" || len(o.ClientAddress.TrustedProxies) != 2 {
		t.Fatalf("handler options: %+v", o.ClientAddress)
	}
	d, err := parseConfig(nil, env(nil))
	if err != nil || d.RedisURL != "" || d.RedisPrefix != "bri:" || d.TrustedProxies != nil || d.ClientAddrHeader != "X-Forwarded-For" {
		t.Fatalf("defaults: %+v %v", d, err)
	}
	subs, err := parseConfig([]string{"--subscriptions-per-key", "7"}, env(map[string]string{"SUBSCRIPTIONS_PER_CONNECTION": "3"}))
	if o := subs.handlerOptions(nil, nil); err != nil || o.StreamLimits.PerConnection != 3 || o.StreamLimits.PerKey != 7 {
		t.Fatalf("subscription limits: %+v %v", o.StreamLimits, err)
	}
	if o := d.handlerOptions(nil, nil); o.StreamLimits.PerConnection != 20 || o.StreamLimits.PerKey != 100 {
		t.Fatalf("default subscription limits: %+v", o.StreamLimits)
	}
	for _, bad := range [][]string{{"--trusted-proxies", "10.0.0.0/40"}, {"--trusted-proxies", "lb.internal"}, {"--client-address-header", "X-Real-IP"}, {"--subscriptions-per-key", "-1"}} {
		if _, err := parseConfig(bad, env(nil)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
