package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
)

// webhookFlags are server flags for tests: loopback receivers, retries
// within a second, a 2 s attempt timeout (so a 7 s lease).
var webhookFlags = []string{"--seed=false", "--webhook-allow-private", "--webhook-retry-base", "300ms", "--webhook-retry-max", "1s", "--webhook-timeout", "2s"}

// hookRequest is a request a test receiver got.
type hookRequest struct {
	header http.Header
	body   []byte
}

// registerWebhook creates a webhook for PARTNER_CREATED through base and
// returns its id and secret.
func registerWebhook(t *testing.T, base, key, url string) (string, string) {
	t.Helper()
	status, _, body := post(t, base, fmt.Sprintf(`mutation { createWebhook(url: %q, events: [PARTNER_CREATED]) { webhook { id } secret } }`, url), "Authorization", "Bearer "+key)
	var res struct {
		Data struct {
			CreateWebhook struct {
				Webhook struct{ ID string }
				Secret  string
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &res); status != http.StatusOK || err != nil || res.Data.CreateWebhook.Secret == "" {
		t.Fatalf("createWebhook: %d %s", status, body)
	}
	return res.Data.CreateWebhook.Webhook.ID, res.Data.CreateWebhook.Secret
}

// TestWebhookDeliveredByAnotherProcessAfterKill: the process delivering a
// webhook is killed in the middle of its second attempt (the receiver
// failed the first and holds the second); another process, started after,
// claims the delivery when the dead process's lease ends and delivers it,
// signed, with the same delivery id. The killed attempt was never
// recorded: the delivery shows the first attempt's 500 and the last's 200.
func TestWebhookDeliveredByAnotherProcessAfterKill(t *testing.T) {
	url := apitest.PostgresURL(t)
	key := adminKey(t, url)
	env := []string{"DATABASE_URL=" + url}

	var mu sync.Mutex
	var got []hookRequest
	arrived := make(chan int, 10)
	hold := make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, hookRequest{r.Header.Clone(), body})
		n := len(got)
		mu.Unlock()
		arrived <- n
		switch n {
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
		case 2:
			select { // held until its sender dies
			case <-hold:
			case <-r.Context().Done():
			}
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer rcv.Close()
	defer close(hold)
	waitFor := func(n int, d time.Duration) {
		t.Helper()
		deadline := time.After(d)
		for {
			select {
			case m := <-arrived:
				if m >= n {
					return
				}
			case <-deadline:
				t.Fatalf("request %d did not arrive within %v", n, d)
			}
		}
	}

	a := startProcess(t, env, webhookFlags...)
	webhookID, secret := registerWebhook(t, a.base, key, rcv.URL)
	if status, _, body := post(t, a.base, `mutation { createPartner(input: {name: "Weichai", kind: ENTERPRISE}) { id } }`, "Authorization", "Bearer "+key); status != http.StatusOK {
		t.Fatalf("createPartner: %d %s", status, body)
	}
	waitFor(2, 15*time.Second) // the first failed; the second is held
	a.signal(syscall.SIGKILL)
	_ = a.wait(10 * time.Second)
	killed := time.Now()

	b := startProcess(t, env, webhookFlags...)
	waitFor(3, 30*time.Second)
	t.Logf("delivered by the second process %v after the kill", time.Since(killed).Round(100*time.Millisecond))
	mu.Lock()
	reqs := append([]hookRequest(nil), got...)
	mu.Unlock()
	id := reqs[0].header.Get(webhook.HeaderID)
	for i, r := range reqs[:3] {
		if r.header.Get(webhook.HeaderID) != id {
			t.Errorf("request %d: id %q, want %q", i+1, r.header.Get(webhook.HeaderID), id)
		}
		if err := webhook.Verify(secret, r.header, r.body, 5*time.Minute, time.Now()); err != nil {
			t.Errorf("request %d: %v", i+1, err)
		}
	}

	query := fmt.Sprintf(`{ webhookDeliveries(webhookID: %q) { edges { node { id status attemptCount attempts { statusCode } } } } }`, webhookID)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, _, body := post(t, b.base, query, "Authorization", "Bearer "+key)
		want := fmt.Sprintf(`{"data":{"webhookDeliveries":{"edges":[{"node":{"id":%q,"status":"DELIVERED","attemptCount":2,"attempts":[{"statusCode":500},{"statusCode":204}]}}]}}}`, id)
		if body == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries:\n%s\nwant\n%s", body, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var deliveredMetric = regexp.MustCompile(`(?m)^bri_webhook_delivered_total (\d+)$`)

// TestWebhookWorkersShareWithoutDuplicates: two server processes on one
// PostgreSQL share the deliveries of writes made through both: each
// delivery reaches the receiver exactly once, signed, and the processes'
// own counts add up to all of them.
func TestWebhookWorkersShareWithoutDuplicates(t *testing.T) {
	url := apitest.PostgresURL(t)
	key := adminKey(t, url)
	env := []string{"DATABASE_URL=" + url}
	var mu sync.Mutex
	seen := map[string]int{}
	var bad []string
	var secret string
	ready := make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-ready
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		seen[r.Header.Get(webhook.HeaderID)]++
		if err := webhook.Verify(secret, r.Header, body, time.Minute, time.Now()); err != nil {
			bad = append(bad, err.Error())
		}
		time.Sleep(20 * time.Millisecond) // a receiver's work
	}))
	defer rcv.Close()
	a := startProcess(t, env, webhookFlags...)
	b := startProcess(t, env, webhookFlags...)
	_, secret = registerWebhook(t, a.base, key, rcv.URL)
	close(ready)
	const writes = 30
	for i := range writes {
		base := a.base
		if i%2 == 1 {
			base = b.base
		}
		if status, _, body := post(t, base, fmt.Sprintf(`mutation { createPartner(input: {name: "Partner %d", kind: ENTERPRISE}) { id } }`, i), "Authorization", "Bearer "+key); status != http.StatusOK {
			t.Fatalf("createPartner: %d %s", status, body)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n == writes {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries arrived, want %d", n, writes)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // time for any duplicate to arrive
	mu.Lock()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s arrived %d times", id, n)
		}
	}
	if len(bad) > 0 {
		t.Errorf("signatures refused: %v", bad)
	}
	mu.Unlock()
	total := 0
	for _, p := range []*process{a, b} {
		res, err := http.Get(p.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := deliveredMetric.FindSubmatch(raw)
		if m == nil {
			t.Fatalf("no bri_webhook_delivered_total in %s's metrics", p.base)
		}
		n, _ := strconv.Atoi(string(m[1]))
		t.Logf("%s delivered %d", p.base, n)
		total += n
	}
	if total != writes {
		t.Errorf("the processes delivered %d between them, want %d", total, writes)
	}
}
