package replicas_test

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/replicas"
	"github.com/bri-tracker/bri-tracker/internal/seed"
)

const header = "X-BRI-Consistency"

// replicated opens a fresh PostgreSQL schema whose query operations read
// from the streaming replica (through a proxy when proxied), and waits until
// the replica serves.
func replicated(t *testing.T, maxLag time.Duration, proxied bool) (*apitest.Server, *sql.DB, *apitest.Proxy) {
	t.Helper()
	primary := apitest.PostgresURL(t)
	replicaURL := apitest.ReplicaURL(t, primary)
	direct, err := sql.Open("postgres", replicaURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close() })
	var proxy *apitest.Proxy
	if proxied {
		proxy, replicaURL = apitest.ProxyURL(t, replicaURL)
	}
	db := apitest.OpenPostgresURL(t, primary, apitest.WithReplica(replicaURL, maxLag))
	srv := apitest.NewServer(t, db)
	waitServing(t, db.Replicas, true)
	lsn, err := db.Replicas.PrimaryLSN(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	caughtUp(t, db.Replicas, lsn)
	return srv, direct, proxy
}

// caughtUp waits until the watcher has seen the replica replay lsn.
func caughtUp(t *testing.T, set *replicas.Set, lsn replicas.LSN) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for set.Replicas()[0].State().Replayed < lsn {
		if time.Now().After(deadline) {
			t.Fatalf("the replica never replayed %s: %+v", lsn, set.Replicas()[0].State())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// onReplica counts the reads that went to a replica.
func onReplica(got map[string]int64) int64 {
	return got["replica"] + got["replica_caught_up"]
}

// waitServing waits until the replica serves reads (or is skipped).
func waitServing(t *testing.T, set *replicas.Set, serving bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := set.Replicas()[0].State()
		if st.Serving() == serving {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica serving=%v never came: %+v", serving, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// createPartner writes through the API and returns the new id and the
// response's consistency token.
func createPartner(t *testing.T, srv *apitest.Server, name string) (string, string) {
	t.Helper()
	rsp := srv.Do(`mutation($n: String!) { createPartner(input: {name: $n, kind: ENTERPRISE}) { id } }`, map[string]any{"n": name})
	if len(rsp.Errors) > 0 {
		t.Fatalf("createPartner: %+v", rsp.Errors)
	}
	var data struct{ CreatePartner struct{ ID string } }
	if err := json.Unmarshal(rsp.Data, &data); err != nil {
		t.Fatal(err)
	}
	token := rsp.Header.Get(header)
	if _, err := replicas.ParseLSN(token); err != nil {
		t.Fatalf("the write's %s header: %v", header, err)
	}
	ext, _ := rsp.Extensions["consistency"].(map[string]any)
	if ext["token"] != token {
		t.Fatalf("extensions.consistency = %v, header %q", rsp.Extensions["consistency"], token)
	}
	return data.CreatePartner.ID, token
}

// found reads the partner with the token ("" for none) and reports whether
// the database read had it.
func found(t *testing.T, srv *apitest.Server, id, token string) bool {
	t.Helper()
	var headers []string
	if token != "" {
		headers = []string{header, token}
	}
	rsp := srv.Do(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, headers...)
	if len(rsp.Errors) > 0 {
		t.Fatalf("node: %+v", rsp.Errors)
	}
	if rsp.Header.Get(header) != "" {
		t.Fatalf("a read answered with a token: %q", rsp.Header.Get(header))
	}
	return !strings.Contains(string(rsp.Data), "null")
}

// routed returns how many reads went where since before.
func routed(set *replicas.Set, before map[replicas.Reason]int64) map[string]int64 {
	out := map[string]int64{}
	for r, n := range set.Routed() {
		if d := n - before[r]; d != 0 {
			out[r.String()] = d
		}
	}
	return out
}

func TestReadAfterWriteOnReplica(t *testing.T) {
	srv, _, _ := replicated(t, time.Minute, false)
	set := srv.Replicas
	// Each read after a write sees it: from the replica when it has
	// replayed the token (most often, within the milliseconds between the
	// requests), else from the primary (token_ahead, on a loaded machine).
	var replicaReads int64
	for i := range 20 {
		before := set.Routed()
		id, token := createPartner(t, srv, "Read Co "+string(rune('A'+i)))
		if !found(t, srv, id, token) {
			t.Fatalf("write %d: the next read with its token did not see it", i)
		}
		got := routed(set, before)
		if len(got) != 1 || onReplica(got)+got["token_ahead"] != 1 {
			t.Fatalf("write %d: reads went %v; want one read, on the replica or (token ahead) the primary", i, got)
		}
		replicaReads += onReplica(got)
	}
	if replicaReads == 0 {
		t.Fatal("no read after a write went to the replica")
	}
	// a mutation never reads from a replica
	before := set.Routed()
	createPartner(t, srv, "Mutation Co")
	if got := routed(set, before); len(got) != 0 {
		t.Fatalf("a mutation's reads were routed: %v", got)
	}
	// a replayed write (Idempotency-Key) carries a token too, at or past
	// the first answer's
	const create = `mutation { createPartner(input: {name: "Once Co", kind: ENTERPRISE}) { id } }`
	first := srv.Do(create, nil, "Idempotency-Key", "once-co")
	again := srv.Do(create, nil, "Idempotency-Key", "once-co")
	tok, err := replicas.ParseLSN(first.Header.Get(header))
	if err != nil {
		t.Fatal(err)
	}
	if replayed, err := replicas.ParseLSN(again.Header.Get(header)); err != nil || again.Header.Get("Idempotent-Replayed") != "true" || replayed < tok {
		t.Fatalf("replayed write: token %q (replayed %q), want one at or past the first's %s", again.Header.Get(header), again.Header.Get("Idempotent-Replayed"), tok)
	}
	// a bad token is the client's error
	rsp := srv.Do(`{ __typename }`, nil, header, "not-a-token")
	if rsp.Status != http.StatusBadRequest || len(rsp.Errors) != 1 || rsp.Errors[0].Code() != "BAD_CONSISTENCY_TOKEN" || !strings.Contains(rsp.Errors[0].Message, header) {
		t.Fatalf("bad token: %d %+v", rsp.Status, rsp.Errors)
	}
}

func TestPausedReplicaServesNoNewerToken(t *testing.T) {
	const maxLag = 3 * time.Second
	srv, direct, _ := replicated(t, maxLag, false)
	set := srv.Replicas
	if _, err := direct.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = direct.Exec(`SELECT pg_wal_replay_resume()`) })
	id, token := createPartner(t, srv, "Paused Co")

	before := set.Routed()
	if !found(t, srv, id, token) {
		t.Fatal("with the write's token, the read did not see the write")
	}
	if got := routed(set, before); got["token_ahead"] != 1 || len(got) != 1 {
		t.Fatalf("with the token: reads went %v; want the primary (token_ahead)", got)
	}
	// Without the token, the paused replica (within --replica-max-lag)
	// serves, and has not the write: it is the replica that was asked.
	before = set.Routed()
	if found(t, srv, id, "") {
		t.Fatal("without a token, the read saw the write: the paused replica was not used")
	}
	if got := routed(set, before); got["replica"] != 1 || len(got) != 1 {
		t.Fatalf("without a token: reads went %v; want the replica", got)
	}
	// Once it lags more than maxLag, it is skipped.
	waitServing(t, set, false)
	before = set.Routed()
	if !found(t, srv, id, "") {
		t.Fatal("a replica lagging beyond the maximum served")
	}
	if got := routed(set, before); got["no_replica"] != 1 || len(got) != 1 {
		t.Fatalf("lagging replica: reads went %v; want the primary (no_replica)", got)
	}
	if body := get(t, srv, "/readyz"); !strings.Contains(body, "skipped, lags") {
		t.Fatalf("/readyz does not say the replica lags:\n%s", body)
	}
	if body := get(t, srv, "/metrics"); !strings.Contains(body, "bri_replica_replay_paused{replica=") || !strings.Contains(body, `bri_replica_read_requests_total{reason="token_ahead",target="primary"} 1`) {
		t.Fatalf("/metrics lacks the replica's state:\n%s", body)
	}
	// Resumed, it catches up and serves again.
	if _, err := direct.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	waitServing(t, set, true)
	before = set.Routed()
	if !found(t, srv, id, "") {
		t.Fatal("the caught-up replica lacks the write")
	}
	if got := routed(set, before); onReplica(got) != 1 {
		t.Fatalf("caught up: reads went %v; want the replica", got)
	}
}

func TestStoppedReplicaFailsOver(t *testing.T) {
	srv, _, proxy := replicated(t, time.Minute, true)
	set := srv.Replicas
	id, token := createPartner(t, srv, "Failover Co")
	if !found(t, srv, id, token) {
		t.Fatal("read after write failed")
	}
	proxy.Cut() // as a stopped server: connections reset, new ones refused
	for i := range 3 {
		before := set.Routed()
		if !found(t, srv, id, "") {
			t.Fatalf("read %d with the replica stopped did not see the write", i)
		}
		got := routed(set, before)
		// the replica chosen, then failed over; or skipped already
		if got["failover"]+got["no_replica"] != 1 {
			t.Fatalf("read %d with the replica stopped went %v", i, got)
		}
	}
	waitServing(t, set, false)
	if body := get(t, srv, "/readyz"); !strings.HasPrefix(body, "ready\n") || !strings.Contains(body, "skipped, ") {
		t.Fatalf("/readyz with the replica stopped:\n%s", body)
	}
	if body := get(t, srv, "/metrics"); !strings.Contains(body, "bri_replica_up{replica=") || !strings.Contains(body, "} 0\n") {
		t.Fatalf("/metrics with the replica stopped:\n%s", body)
	}
	proxy.Restore()
	waitServing(t, set, true)
	before := set.Routed()
	if !found(t, srv, id, "") {
		t.Fatal("read after the replica came back")
	}
	if got := routed(set, before); onReplica(got) != 1 {
		t.Fatalf("the replica back: reads went %v", got)
	}
}

func get(t *testing.T, srv *apitest.Server, path string) string {
	t.Helper()
	rsp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer rsp.Body.Close()
	b, _ := io.ReadAll(rsp.Body)
	return string(b)
}

// statsCount answers projectStats' total count, with the token ("" for
// none).
func statsCount(t *testing.T, srv *apitest.Server, token string) int {
	t.Helper()
	var headers []string
	if token != "" {
		headers = []string{header, token}
	}
	rsp := srv.Do(`{ projectStats { total { count } } }`, nil, headers...)
	if len(rsp.Errors) > 0 {
		t.Fatalf("projectStats: %+v", rsp.Errors)
	}
	var data struct {
		ProjectStats struct{ Total struct{ Count int } }
	}
	if err := json.Unmarshal(rsp.Data, &data); err != nil {
		t.Fatal(err)
	}
	return data.ProjectStats.Total.Count
}

// The statistics cache answers each server what that server's data says:
// a replica behind the primary and the primary never share an answer.
func TestStatsCacheExactOnReplica(t *testing.T) {
	srv, direct, _ := replicated(t, time.Minute, false)
	set := srv.Replicas
	ctx := t.Context()
	if _, err := seed.Run(ctx, srv.Client); err != nil {
		t.Fatal(err)
	}
	lsn, err := set.PrimaryLSN(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.SetFloor(lsn) // the seed, written directly, is on the replica
	caughtUp(t, set, lsn)
	n := statsCount(t, srv, "")
	// The cache holds an answer for as long as the snapshot is the same:
	// any transaction committed on the cluster (other tests run beside
	// this one) starts another, so a hit may take a few tries.
	for try := 0; ; try++ {
		if statsCount(t, srv, "") != n || n == 0 {
			t.Fatalf("projectStats on the replica: %d, then not the same", n)
		}
		if body := get(t, srv, "/metrics"); !strings.Contains(body, "bri_stats_cache_hits_total 0\n") {
			break
		}
		if try == 20 {
			t.Fatal("projectStats never came from the cache")
		}
	}

	var page struct {
		Projects struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	srv.MustOK(`{ projects(first: 1) { edges { node { id } } } }`, nil, &page)
	if _, err := direct.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = direct.Exec(`SELECT pg_wal_replay_resume()`) })
	rsp := srv.Do(`mutation($id: ID!) { deleteProject(id: $id) { deletedID } }`, map[string]any{"id": page.Projects.Edges[0].Node.ID})
	if len(rsp.Errors) > 0 {
		t.Fatalf("deleteProject: %+v", rsp.Errors)
	}
	token := rsp.Header.Get(header)
	for i := range 2 {
		if got := statsCount(t, srv, token); got != n-1 {
			t.Fatalf("round %d, with the delete's token (primary): %d projects, want %d", i, got, n-1)
		}
		if got := statsCount(t, srv, ""); got != n {
			t.Fatalf("round %d, without a token (the paused replica): %d projects, want its %d", i, got, n)
		}
	}
	if _, err := direct.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	tok, _ := replicas.ParseLSN(token)
	set.SetFloor(tok)
	if got := statsCount(t, srv, ""); got != n-1 {
		t.Fatalf("the replica caught up: %d projects, want %d", got, n-1)
	}
}
