package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestAdmission: at most n requests run at once; the others wait and are
// let in first come first served as running ones finish; a waiting request
// whose context ends leaves without running; the counters follow.
func TestAdmission(t *testing.T) {
	a := newAdmission(2)
	var mu sync.Mutex
	var order []string
	release := map[string]chan struct{}{}
	entered := make(chan string, 10)
	h := a.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("n")
		mu.Lock()
		order = append(order, name)
		ch := release[name]
		mu.Unlock()
		entered <- name
		<-ch
	}))
	done := map[string]chan struct{}{}
	start := func(ctx context.Context, name string) {
		mu.Lock()
		release[name] = make(chan struct{})
		mu.Unlock()
		done[name] = make(chan struct{})
		go func() {
			defer close(done[name])
			r := httptest.NewRequest(http.MethodPost, "/graphql?n="+name, nil).WithContext(ctx)
			h.ServeHTTP(httptest.NewRecorder(), r)
		}()
	}
	waitFor := func(cond func() bool, what string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(time.Millisecond)
		}
		// the request counted as waiting is now queued on the channel
		// (a few instructions later), ahead of the next one to come
		time.Sleep(10 * time.Millisecond)
	}
	expectEntered := func(want string) {
		t.Helper()
		select {
		case got := <-entered:
			if got != want {
				t.Fatalf("%s ran, want %s", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s did not run", want)
		}
	}

	bg := context.Background()
	start(bg, "A")
	expectEntered("A")
	start(bg, "B")
	expectEntered("B")
	start(bg, "C")
	waitFor(func() bool { return a.waiting.Load() == 1 }, "C to wait")
	ctxD, cancelD := context.WithCancel(bg)
	start(ctxD, "D")
	waitFor(func() bool { return a.waiting.Load() == 2 }, "D to wait")
	start(bg, "E")
	waitFor(func() bool { return a.waiting.Load() == 3 }, "E to wait")

	cancelD()
	<-done["D"]
	if got := a.waiting.Load(); got != 2 {
		t.Fatalf("%d waiting after D left, want 2", got)
	}
	close(release["A"])
	expectEntered("C")
	close(release["B"])
	expectEntered("E")
	close(release["C"])
	close(release["E"])
	for _, n := range []string{"A", "B", "C", "E"} {
		<-done[n]
	}
	if len(order) != 4 || order[2] != "C" || order[3] != "E" {
		t.Errorf("ran %v, want A B C E", order)
	}
	if a.waited.Load() != 3 || a.waiting.Load() != 0 {
		t.Errorf("waited %d, waiting %d; want 3 and 0", a.waited.Load(), a.waiting.Load())
	}

	// No limit: the handler itself.
	if newAdmission(0) != nil {
		t.Error("a limit of 0 limits")
	}
}
