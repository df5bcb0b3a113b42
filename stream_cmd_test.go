package main

import (
	"bufio"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEventStreamOutlivesWriteTimeout: a subscription over Server-Sent
// Events goes on past --write-timeout, which bounds ordinary responses.
func TestEventStreamOutlivesWriteTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bri.db")
	key := sqliteAdminKey(t, path)
	base, _ := startServer(t, config{SQLitePath: path, PublicRead: true, WriteTimeout: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql",
		strings.NewReader(`{"query":"subscription { auditEvents { node { changes { field new } } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "data:") {
				lines <- sc.Text()
			}
		}
	}()
	time.Sleep(1500 * time.Millisecond) // past the write timeout
	if st, body := postGraphQL(t, base, `mutation { createPartner(input: {name: "After the timeout", kind: ENTERPRISE}) { id } }`, key); st != http.StatusOK || body["errors"] != nil {
		t.Fatalf("write: %d %v", st, body)
	}
	select {
	case l, ok := <-lines:
		if !ok || !strings.Contains(l, "After the timeout") {
			t.Fatalf("the stream sent %q (open %v), want the write's event", l, ok)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event after the write timeout")
	}
}
