package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/internal/apikeys"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
	"github.com/bri-tracker/bri-tracker/internal/live"
	"github.com/bri-tracker/bri-tracker/internal/requestid"
)

// Server is the real HTTP handler over a test database.
type Server struct {
	*DB
	t    testing.TB
	URL  string
	logs *lockedWriter
	// AdminKey is sent by Do; DoAs sends another.
	AdminKey string
}

// Logs returns what the server has logged so far.
func (s *Server) Logs() string {
	s.logs.mu.Lock()
	defer s.logs.mu.Unlock()
	return s.logs.w.(*bytes.Buffer).String()
}

// NewServer starts the handler over db; opts may adjust its options.
func NewServer(t testing.TB, db *DB, opts ...func(*httpapi.Options)) *Server {
	t.Helper()
	logs := &lockedWriter{w: &bytes.Buffer{}}
	o := httpapi.Defaults(db.Client, db.Counter)
	o.Logger = slog.New(requestid.LogHandler(slog.NewTextHandler(logs, nil)))
	o.Replicas = db.Replicas
	o.Live = NewHub(t, db, live.Options{Poll: time.Minute, KeyCheck: 100 * time.Millisecond, Logger: o.Logger})
	for _, f := range opts {
		f(&o)
	}
	h, err := httpapi.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	s := &Server{DB: db, t: t, URL: ts.URL, logs: logs}
	s.AdminKey = s.NewKey("test-admin", apikey.RoleADMIN, nil)
	return s
}

// NewHub starts a subscriptions hub over db, as a server process runs one;
// it stops with the test. Its Poll is a minute unless o says otherwise, so
// that another process's commits arrive by NOTIFY, as they should.
func NewHub(t testing.TB, db *DB, o live.Options) *live.Hub {
	t.Helper()
	o.ListenURL, o.Committed = db.URL, db.Committed
	ctx, cancel := context.WithCancel(context.Background())
	// the hub reads over a client of its own, whose statements are not
	// counted: they come at any time, woken by commits
	client := ent.NewClient(ent.Driver(entsql.OpenDB(db.Dialect, db.SQL)))
	h, err := live.NewHub(ctx, client, db.Dialect, o)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); h.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

// NewKey creates an API key and returns its secret.
func (s *Server) NewKey(name string, role apikey.Role, partnerID *int) string {
	s.t.Helper()
	_, secret, err := apikeys.Create(auth.SystemContext(context.Background(), "test"), s.Client, name, role, partnerID)
	if err != nil {
		s.t.Fatal(err)
	}
	return secret
}

// Response is a decoded GraphQL response.
type Response struct {
	Status     int
	Header     http.Header
	Data       json.RawMessage `json:"data"`
	Errors     []Error         `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code.
func (e Error) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// Do posts a GraphQL request with JSON variables, as an admin, and decodes
// the response.
func (s *Server) Do(query string, vars map[string]any, headers ...string) *Response {
	s.t.Helper()
	return s.DoAs(s.AdminKey, query, vars, headers...)
}

// DoAs posts a GraphQL request with the given API key ("" for none).
func (s *Server) DoAs(key, query string, vars map[string]any, headers ...string) *Response {
	s.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return s.Send(req)
}

// Send sends a prepared request to the server and decodes the response.
func (s *Server) Send(req *http.Request) *Response {
	s.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	out := &Response{Status: res.StatusCode, Header: res.Header}
	if strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("decode response %q: %v", raw, err)
		}
	}
	return out
}

// MustOK posts a request that must succeed and decodes its data into v.
func (s *Server) MustOK(query string, vars map[string]any, v any) {
	s.t.Helper()
	res := s.Do(query, vars)
	if len(res.Errors) > 0 || res.Status != http.StatusOK {
		s.t.Fatalf("status %d, errors: %+v", res.Status, res.Errors)
	}
	if v != nil {
		if err := json.Unmarshal(res.Data, v); err != nil {
			s.t.Fatalf("decode data %s: %v", res.Data, err)
		}
	}
}

// MustFail posts a request that must fail with exactly one error of the
// given code, and returns that error.
func (s *Server) MustFail(code, query string, vars map[string]any) Error {
	s.t.Helper()
	res := s.Do(query, vars)
	if len(res.Errors) != 1 {
		s.t.Fatalf("want one %s error, got status %d, errors %+v, data %s", code, res.Status, res.Errors, res.Data)
	}
	if got := res.Errors[0].Code(); got != code {
		s.t.Fatalf("want code %s, got %s: %s", code, got, res.Errors[0].Message)
	}
	return res.Errors[0]
}
