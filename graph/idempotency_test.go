package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
)

func postWithKey(t *testing.T, s *apitest.Server, apiKey, idemKey, query string, vars map[string]any) *apitest.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	if idemKey != "" {
		req.Header.Set(httpapi.IdempotencyHeader, idemKey)
	}
	return s.Send(req)
}

func TestIdempotencyKeys(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		const create = `mutation($t: String!) { createPolicy(input: {title: $t, level: PROVINCIAL, category: TALENT}) { id title } }`
		count := func() int { return db.Client.OpeningPolicy.Query().CountX(context.Background()) }
		n0 := count()

		first := postWithKey(t, s, s.AdminKey, "order-7781", create, map[string]any{"t": "Qilu talent plan"})
		again := postWithKey(t, s, s.AdminKey, "order-7781", create, map[string]any{"t": "Qilu talent plan"})
		if first.Status != 200 || len(first.Errors) > 0 || again.Status != 200 {
			t.Fatalf("first %d %+v, again %d %+v", first.Status, first.Errors, again.Status, again.Errors)
		}
		if !bytes.Equal(first.Data, again.Data) || again.Header.Get("Idempotent-Replayed") != "true" || first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("replay: %s vs %s (%q)", first.Data, again.Data, again.Header.Get("Idempotent-Replayed"))
		}
		if count() != n0+1 {
			t.Fatalf("policies: %d, want %d: the request ran twice", count(), n0+1)
		}

		// the same key for another request is refused, and writes nothing
		other := postWithKey(t, s, s.AdminKey, "order-7781", create, map[string]any{"t": "Another plan"})
		if other.Status != http.StatusUnprocessableEntity || other.Errors[0].Code() != "IDEMPOTENCY_KEY_REUSED" || count() != n0+1 {
			t.Fatalf("reused key: %d %+v, policies %d", other.Status, other.Errors, count())
		}

		// keys belong to the API key that sent them
		editor := s.NewKey("other-system", apikey.RoleEDITOR, nil)
		if res := postWithKey(t, s, editor, "order-7781", create, map[string]any{"t": "Qilu talent plan"}); len(res.Errors) > 0 || res.Header.Get("Idempotent-Replayed") != "" || count() != n0+2 {
			t.Fatalf("another key's request: %+v, policies %d", res.Errors, count())
		}

		// a refused request is answered the same way again
		bad := postWithKey(t, s, s.AdminKey, "order-7782", create, map[string]any{"t": ""})
		bad2 := postWithKey(t, s, s.AdminKey, "order-7782", create, map[string]any{"t": ""})
		if bad.Errors[0].Code() != "BAD_USER_INPUT" || bad2.Header.Get("Idempotent-Replayed") != "true" || bad2.Errors[0].Message != bad.Errors[0].Message {
			t.Fatalf("stored failure: %+v / %+v", bad.Errors, bad2.Errors)
		}
		if res := postWithKey(t, s, s.AdminKey, strings.Repeat("k", 256), create, map[string]any{"t": "x"}); res.Status != http.StatusBadRequest {
			t.Fatalf("malformed key: %d", res.Status)
		}
	})
}

// TestIdempotencyInProgress: a retry that arrives while the first attempt
// still runs is told to wait (409), and does not run.
func TestIdempotencyInProgress(t *testing.T) {
	db := apitest.OpenPostgres(t)
	f := newFixture(t, db.Client)
	s := apitest.NewServer(t, db)
	// lock the project's row so that the first attempt waits in flight
	tx, err := db.SQL.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SELECT id FROM projects WHERE id = $1 FOR UPDATE`, f.almaty.ID); err != nil {
		t.Fatal(err)
	}
	const update = `mutation($id: ID!) { updateProject(id: $id, input: {city: "Almaty"}) { version } }`
	vars := map[string]any{"id": gid(f.almaty.ID)}
	done := make(chan *apitest.Response)
	go func() { done <- postWithKey(t, s, s.AdminKey, "slow-1", update, vars) }()
	// wait until the first attempt has claimed the key (it then waits for the row)
	for i := 0; ; i++ {
		var n int
		if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM idempotency_records WHERE key = 'slow-1'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if i == 500 {
			t.Fatal("the first attempt never claimed its key")
		}
		time.Sleep(20 * time.Millisecond)
	}
	second := postWithKey(t, s, s.AdminKey, "slow-1", update, vars)
	if second.Status != http.StatusConflict || second.Errors[0].Code() != "IDEMPOTENCY_IN_PROGRESS" || second.Header.Get("Retry-After") == "" {
		t.Fatalf("retry during the first attempt: %d %+v", second.Status, second.Errors)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	first := <-done
	third := postWithKey(t, s, s.AdminKey, "slow-1", update, vars)
	if first.Status != 200 || len(first.Errors) > 0 || third.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Data, third.Data) {
		t.Fatalf("first %d %s %+v; third %s", first.Status, first.Data, first.Errors, third.Data)
	}
	if v := db.Client.Project.GetX(context.Background(), f.almaty.ID).Version; v != 2 {
		t.Fatalf("version %d: the update ran %d times", v, v-1)
	}
}

// TestRetriesSerializationFailures: under SERIALIZABLE isolation, concurrent
// writes to one row fail with SQLSTATE 40001; the server runs them again and
// every one lands.
func TestRetriesSerializationFailures(t *testing.T) {
	run := func(attempts int) (failures int, version int) {
		db := apitest.OpenPostgresURL(t, apitest.PostgresURL(t)+"&default_transaction_isolation=serializable")
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db, func(o *httpapi.Options) { o.WriteAttempts = attempts })
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := s.Do(`mutation($id: ID!, $c: String!) { updateProject(id: $id, input: {city: $c}) { version } }`,
					map[string]any{"id": gid(f.almaty.ID), "c": fmt.Sprintf("city %d", i)})
				if len(res.Errors) > 0 || res.Status != http.StatusOK {
					mu.Lock()
					failures++
					mu.Unlock()
					if res.Status != http.StatusOK || res.Errors[0].Code() != "CONFLICT" || res.Errors[0].Extensions["retryable"] != true {
						t.Errorf("unexpected error: %+v", res.Errors)
					}
				}
			}()
		}
		wg.Wait()
		return failures, db.Client.Project.GetX(context.Background(), f.almaty.ID).Version
	}
	// without retries some writes fail...
	failed := 0
	for range 5 {
		n, _ := run(1)
		if failed += n; failed > 0 {
			break
		}
	}
	if failed == 0 {
		t.Fatal("no serialization failure without retries: the test does not exercise them")
	}
	// ...with them, all land
	if n, v := run(50); n != 0 || v != 17 {
		t.Fatalf("with retries: %d failed, version %d (want 0 and 17)", n, v)
	}
}
