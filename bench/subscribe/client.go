package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// subQuery is what every subscriber asks for: every audit event, from now
// on, or after $after when it resumes.
const subQuery = `subscription($after: Cursor) { auditEvents(after: $after) { cursor node { id at operation entityType entityID changes { field new } } } }`

// received is one event as a subscriber got it.
type received struct {
	id   int64 // the audit event's database id
	recv int64 // when it arrived, Unix nanoseconds
	at   int64 // its at, Unix nanoseconds
}

// subscriber is one subscription on its own connection.
type subscriber struct {
	n         int
	transport string // ws or sse
	proc      int    // the index of the process it is connected to
	key       string

	mu     sync.Mutex
	events []received
	last   atomic.Int64 // the id of the last event received
	count  atomic.Int64
	// ended says why the stream ended before the benchmark closed it
	// ("" while it runs); errs are the errors it was sent.
	ended   string
	endedAt time.Time
	opened  time.Time // when the subscription was sent or its stream began
	errs    []string
	cursor  string // the last event's, to resume after
	// cuts are the streams that ended under it (each resumed, with resume)
	cuts []cut
	done chan struct{}
}

// cut is a stream that ended before the benchmark closed it.
type cut struct {
	why   string
	after time.Duration // how long the stream had been open
}

// payload is a subscription response.
type payload struct {
	Data struct {
		AuditEvents struct {
			Cursor string `json:"cursor"`
			Node   struct {
				ID string    `json:"id"`
				At time.Time `json:"at"`
			} `json:"node"`
		} `json:"auditEvents"`
	} `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// take records a response that arrived at recv.
func (s *subscriber) take(raw []byte, recv time.Time) {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		s.fail("an unreadable response: " + err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range p.Errors {
		code, _ := e.Extensions["code"].(string)
		s.errs = append(s.errs, fmt.Sprintf("%s: %s", code, e.Message))
	}
	if p.Data.AuditEvents.Node.ID == "" {
		return
	}
	id, err := decodeID(p.Data.AuditEvents.Node.ID)
	if err != nil {
		s.errs = append(s.errs, err.Error())
		return
	}
	s.events = append(s.events, received{id: id, recv: recv.UnixNano(), at: p.Data.AuditEvents.Node.At.UnixNano()})
	s.cursor = p.Data.AuditEvents.Cursor
	s.last.Store(id)
	s.count.Add(1)
}

func (s *subscriber) fail(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended == "" {
		s.ended = why
		s.endedAt = time.Now()
	}
}

// decodeID is the database id behind a global id (base64 of "Type:id").
func decodeID(g string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(g)
	if err != nil {
		return 0, fmt.Errorf("id %q: %w", g, err)
	}
	_, n, _ := strings.Cut(string(raw), ":")
	return strconv.ParseInt(n, 10, 64)
}

// run subscribes and records events until ctx ends; ready is called once
// the subscription is sent (WebSocket) or its response has started (SSE).
// A stream that ends under it is a cut; with resume, it subscribes again
// after the last event it received, as a client would.
func (s *subscriber) run(ctx context.Context, base string, client *http.Client, resume bool, ready func(error)) {
	defer close(s.done)
	for {
		opened := func(err error) {
			s.mu.Lock()
			s.opened = time.Now()
			s.mu.Unlock()
			ready(err)
		}
		s.mu.Lock()
		vars := map[string]any{}
		if s.cursor != "" {
			vars["after"] = s.cursor
		}
		s.mu.Unlock()
		var err error
		if s.transport == "ws" {
			err = s.ws(ctx, base, vars, opened)
		} else {
			err = s.sse(ctx, base, client, vars, opened)
		}
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("the server completed the stream")
		}
		s.mu.Lock()
		s.cuts = append(s.cuts, cut{why: err.Error(), after: time.Since(s.opened)})
		again := resume && s.cursor != ""
		s.mu.Unlock()
		if !again {
			s.fail(err.Error())
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *subscriber) ws(ctx context.Context, base string, vars map[string]any, ready func(error)) error {
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		ready(err)
		return err
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 22)
	send := func(v any) error {
		b, _ := json.Marshal(v)
		return conn.Write(ctx, websocket.MessageText, b)
	}
	if err := send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + s.key}}); err != nil {
		ready(err)
		return err
	}
	acked := false
	for {
		_, b, err := conn.Read(ctx)
		now := time.Now()
		if err != nil {
			if !acked {
				ready(err)
			}
			return err
		}
		var msg struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(b, &msg); err != nil {
			return err
		}
		switch msg.Type {
		case "connection_ack":
			acked = true
			err := send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": subQuery, "variables": vars}})
			ready(err)
			if err != nil {
				return err
			}
		case "ping":
			if err := send(map[string]any{"type": "pong"}); err != nil {
				return err
			}
		case "next":
			s.take(msg.Payload, now)
		case "error":
			s.mu.Lock()
			s.errs = append(s.errs, "error: "+string(msg.Payload))
			s.mu.Unlock()
			return errors.New("the server sent error: " + string(msg.Payload))
		case "complete":
			return nil
		}
	}
}

func (s *subscriber) sse(ctx context.Context, base string, client *http.Client, vars map[string]any, ready func(error)) error {
	body, _ := json.Marshal(map[string]any{"query": subQuery, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		ready(err)
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+s.key)
	res, err := client.Do(req)
	if err != nil {
		ready(err)
		return err
	}
	defer res.Body.Close()
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		err := fmt.Errorf("HTTP %d, not an event stream: %.300s", res.StatusCode, b.String())
		ready(err)
		return err
	}
	ready(nil)
	r := bufio.NewReaderSize(res.Body, 64<<10)
	event := ""
	for {
		line, err := r.ReadSlice('\n')
		now := time.Now()
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case bytes.HasPrefix(line, []byte("event:")):
			event = string(bytes.TrimSpace(line[len("event:"):]))
			if event == "complete" {
				return nil
			}
		case bytes.HasPrefix(line, []byte("data:")) && event == "next":
			s.take(bytes.TrimSpace(line[len("data:"):]), now)
		}
	}
}
