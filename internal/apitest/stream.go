package apitest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// Stream is a subscription's responses, as a client receives them.
type Stream struct {
	t      testing.TB
	cancel context.CancelFunc
	// C carries each response; it is closed when the stream ends.
	C <-chan *Response
	// Status is the HTTP status of an SSE stream, the reason a WebSocket
	// refused the subscription otherwise.
	Status int
}

// Next is the stream's next response, or nil when none comes within d or
// the stream has ended.
func (s *Stream) Next(d time.Duration) *Response {
	s.t.Helper()
	select {
	case r := <-s.C:
		return r
	case <-time.After(d):
		return nil
	}
}

// Close ends the subscription from the client's side: the connection goes.
func (s *Stream) Close() { s.cancel() }

// SSE subscribes with query over Server-Sent Events, with key ("" for
// none).
func (s *Server) SSE(key, query string, vars map[string]any) *Stream {
	s.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	ch := make(chan *Response, 64)
	st := &Stream{t: s.t, cancel: cancel, C: ch, Status: res.StatusCode}
	go func() {
		defer close(ch)
		defer res.Body.Close()
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
			out := &Response{Status: res.StatusCode, Header: res.Header}
			_ = json.NewDecoder(res.Body).Decode(out)
			ch <- out
			return
		}
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:") && event == "next":
				out := &Response{Status: res.StatusCode}
				if err := json.Unmarshal([]byte(strings.TrimSpace(strings.TrimPrefix(line, "data:"))), out); err == nil {
					ch <- out
				}
			case event == "complete":
				return
			}
		}
	}()
	return st
}

// WS0 is WS without headers on the upgrade.
func (s *Server) WS0(key, query string, vars map[string]any) *Stream { return s.WS(key, query, vars) }

// WS subscribes with query over graphql-ws (graphql-transport-ws), one
// subscription on its own connection, authenticating with key in
// connection_init ("" for none). It answers the server's pings.
func (s *Server) WS(key, query string, vars map[string]any, header ...string) *Stream {
	s.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s.t.Cleanup(cancel)
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
	ch := make(chan *Response, 64)
	st := &Stream{t: s.t, cancel: cancel, C: ch}
	if err != nil {
		if res != nil {
			st.Status = res.StatusCode
		}
		ch <- &Response{Status: st.Status, Errors: []Error{{Message: "websocket: " + err.Error()}}}
		close(ch)
		return st
	}
	conn.SetReadLimit(1 << 24)
	payload := map[string]any{}
	if key != "" {
		payload["Authorization"] = "Bearer " + key
	}
	go func() {
		defer close(ch)
		defer conn.CloseNow()
		send := func(v any) bool { return wsjson.Write(ctx, conn, v) == nil }
		if !send(map[string]any{"type": "connection_init", "payload": payload}) {
			return
		}
		for {
			var msg struct {
				Type    string          `json:"type"`
				Payload json.RawMessage `json:"payload"`
			}
			if err := wsjson.Read(ctx, conn, &msg); err != nil {
				if websocket.CloseStatus(err) != -1 {
					ch <- &Response{Status: int(websocket.CloseStatus(err)), Errors: []Error{{Message: err.Error()}}}
				}
				return
			}
			switch msg.Type {
			case "connection_ack":
				if !send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}}) {
					return
				}
			case "ping":
				send(map[string]any{"type": "pong"})
			case "next":
				out := &Response{}
				if json.Unmarshal(msg.Payload, out) == nil {
					ch <- out
				}
			case "error":
				out := &Response{}
				_ = json.Unmarshal(msg.Payload, &out.Errors)
				ch <- out
				return
			case "complete":
				return
			}
		}
	}()
	return st
}
