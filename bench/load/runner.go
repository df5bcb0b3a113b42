package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// target is one system under load: our server, PostGraphile or PostgreSQL
// itself. exec runs one request of a shape and returns the JSON answer.
type target struct {
	Key, Name string
	// Extra targets run only the shapes they support and are left out of
	// the summary table.
	Extra    bool
	exec     func(ctx context.Context, s *shape, projectID int64, buf *bytes.Buffer) ([]byte, error)
	supports func(s *shape) bool
}

// extra marks t as an extra target.
func extra(t *target) *target {
	t.Extra = true
	return t
}

// graphqlTarget posts each shape's query to a GraphQL endpoint. A request
// fails unless it gets HTTP 200 and a JSON answer without "errors".
func graphqlTarget(key, name, url string, client *http.Client, query func(*shape) string, idVar func(int64) string) *target {
	bodies := map[string][]byte{}
	for i := range shapes {
		s := &shapes[i]
		if q := query(s); q != "" && !s.ByID {
			bodies[s.Key], _ = json.Marshal(map[string]string{"query": q})
		}
	}
	return &target{
		Key: key, Name: name,
		supports: func(s *shape) bool { return query(s) != "" },
		exec: func(ctx context.Context, s *shape, projectID int64, buf *bytes.Buffer) ([]byte, error) {
			body := bodies[s.Key]
			if s.ByID {
				body, _ = json.Marshal(map[string]any{"query": query(s), "variables": map[string]string{"id": idVar(projectID)}})
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				return nil, err
			}
			buf.Reset()
			_, err = buf.ReadFrom(resp.Body)
			resp.Body.Close()
			if err != nil {
				return nil, err
			}
			b := buf.Bytes()
			if resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, graphqlError(b))
			}
			// Only an answer that mentions "errors" can have the key:
			// parse those alone, which keeps the loader's CPU low.
			if bytes.Contains(b, []byte(`"errors"`)) {
				var r struct {
					Errors json.RawMessage `json:"errors"`
				}
				if err := json.Unmarshal(b, &r); err != nil {
					return nil, fmt.Errorf("bad JSON: %v", err)
				}
				if len(r.Errors) > 0 && string(r.Errors) != "null" {
					return nil, errors.New(graphqlError(b))
				}
			}
			return b, nil
		},
	}
}

// graphqlError is the first error message of a GraphQL answer, or the start
// of the body.
func graphqlError(b []byte) string {
	var r struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(b, &r) == nil && len(r.Errors) > 0 {
		return r.Errors[0].Message
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// sqlTarget runs each shape's SQL as a prepared statement.
func sqlTarget(ctx context.Context, db *sql.DB) (*target, error) {
	stmts := map[string]*sql.Stmt{}
	for i := range shapes {
		st, err := db.PrepareContext(ctx, shapes[i].SQL)
		if err != nil {
			return nil, fmt.Errorf("prepare the SQL of %s: %w", shapes[i].Key, err)
		}
		stmts[shapes[i].Key] = st
	}
	return &target{
		Key: "sql", Name: "raw SQL",
		supports: func(*shape) bool { return true },
		exec: func(ctx context.Context, s *shape, projectID int64, _ *bytes.Buffer) ([]byte, error) {
			var args []any
			if s.ByID {
				args = append(args, projectID)
			}
			var b []byte
			if err := stmts[s.Key].QueryRowContext(ctx, args...).Scan(&b); err != nil {
				return nil, err
			}
			return b, nil
		},
	}, nil
}

// result is what one shape did against one target.
type result struct {
	Shape, Target      string
	NA                 string // why it was not run
	Requests, Errors   int
	Elapsed            time.Duration
	RPS                float64
	P50, P90, P99, Max time.Duration
	ErrorSamples       []string // distinct messages, a few
	Check              string   // the data check's verdict
	CheckOK            bool
	// Peak memory of the target's process while it ran, when known.
	PeakRSS, HWM int64
	// CPU used during the timed run, by process group.
	CPU cpuUse
}

// loadConfig is how hard and how long to push.
type loadConfig struct {
	Concurrency      int
	Warmup, Duration time.Duration
	Timeout          time.Duration
	Seed             uint64
	MinID, MaxID     int64 // the project ids node-shaped queries draw from
}

// run sends requests of one shape to one target from Concurrency workers,
// each sending its next request as soon as the last is answered: Warmup
// unrecorded, then Duration recorded.
func run(t *target, s *shape, cfg loadConfig, cpu *cpuAccount) result {
	res := result{Shape: s.Key, Target: t.Key}
	phase := func(d time.Duration, record bool) (lat [][]time.Duration, errs []int, samples map[string]int, elapsed time.Duration) {
		lat = make([][]time.Duration, cfg.Concurrency)
		errs = make([]int, cfg.Concurrency)
		msgs := make([]map[string]int, cfg.Concurrency)
		start := time.Now()
		end := start.Add(d)
		var wg sync.WaitGroup
		for w := 0; w < cfg.Concurrency; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				// The same seed gives every target the same ids.
				r := rand.New(rand.NewPCG(cfg.Seed, uint64(w)))
				var buf bytes.Buffer
				msgs[w] = map[string]int{}
				for time.Now().Before(end) {
					id := cfg.MinID + r.Int64N(cfg.MaxID-cfg.MinID+1)
					ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
					t0 := time.Now()
					_, err := t.exec(ctx, s, id, &buf)
					d := time.Since(t0)
					cancel()
					if err != nil {
						errs[w]++
						msgs[w][err.Error()]++
						continue
					}
					if record {
						lat[w] = append(lat[w], d)
					}
				}
			}(w)
		}
		wg.Wait()
		elapsed = time.Since(start)
		samples = map[string]int{}
		for _, m := range msgs {
			for k, v := range m {
				samples[k] += v
			}
		}
		return lat, errs, samples, elapsed
	}
	if cfg.Warmup > 0 {
		phase(cfg.Warmup, false)
	}
	var s0 cpuSnapshot
	if cpu != nil {
		s0 = cpu.snapshot()
	}
	lat, errs, samples, elapsed := phase(cfg.Duration, true)
	res.CPU = cpu.since(s0)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	for _, e := range errs {
		res.Errors += e
	}
	slices.Sort(all)
	res.Requests = len(all) + res.Errors
	res.Elapsed = elapsed
	res.RPS = float64(len(all)) / elapsed.Seconds()
	if len(all) > 0 {
		res.P50, res.P90, res.P99, res.Max = quantile(all, 0.50), quantile(all, 0.90), quantile(all, 0.99), all[len(all)-1]
	}
	type kv struct {
		k string
		v int
	}
	var ks []kv
	for k, v := range samples {
		ks = append(ks, kv{k, v})
	}
	slices.SortFunc(ks, func(a, b kv) int { return b.v - a.v })
	for i, x := range ks {
		if i == 3 {
			break
		}
		res.ErrorSamples = append(res.ErrorSamples, fmt.Sprintf("%d× %s", x.v, x.k))
	}
	return res
}

// quantile of sorted durations, nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// memSampler watches a process's resident memory while a target runs.
type memSampler struct {
	pid  int
	stop chan struct{}
	done chan int64
}

// procStatus reads a field of /proc/<pid>/status in bytes (VmRSS, VmHWM).
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, rest, ok := strings.Cut(line, ":"); ok && name == field {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024, err
			}
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

func sampleMemory(pid int, every time.Duration) *memSampler {
	m := &memSampler{pid: pid, stop: make(chan struct{}), done: make(chan int64, 1)}
	go func() {
		var peak int64
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if v, err := procStatus(pid, "VmRSS"); err == nil && v > peak {
				peak = v
			}
			select {
			case <-m.stop:
				m.done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

// finish returns the peak VmRSS seen and the process's VmHWM now.
func (m *memSampler) finish() (peak, hwm int64) {
	close(m.stop)
	peak = <-m.done
	hwm, _ = procStatus(m.pid, "VmHWM")
	return peak, hwm
}

// values collects, from a JSON answer, the values of checkedKeys as
// "key=value" strings, sorted, so that answers of different layouts can be
// compared.
func values(b []byte) ([]string, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				switch e.(type) {
				case map[string]any, []any:
					walk(e)
				default:
					if checkedKeys[k] {
						out = append(out, k+"="+normalize(e))
					}
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	slices.Sort(out)
	return out, nil
}

// ordered writes an answer's checked values as nested lists that keep the
// order of every JSON array (each parent's page in its order) and ignore
// what differs by layout: key names, the order of an object's keys, and
// wrappers (an object holding one list or object and no checked value, like
// edges, node or data, stands for its content).
func ordered(b []byte) (string, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	var canon func(v any) string
	canon = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			var own, inner []string
			for k, e := range x {
				switch e.(type) {
				case map[string]any, []any:
					if c := canon(e); c != "" {
						inner = append(inner, c)
					}
				default:
					if checkedKeys[k] {
						own = append(own, strconv.Quote(k+"="+normalize(e)))
					}
				}
			}
			if len(own) == 0 && len(inner) <= 1 {
				return strings.Join(inner, "")
			}
			slices.Sort(own)
			slices.Sort(inner)
			return "{" + strings.Join(append(own, inner...), ",") + "}"
		case []any:
			elems := make([]string, len(x))
			for i, e := range x {
				elems[i] = canon(e)
			}
			return "[" + strings.Join(elems, ",") + "]"
		}
		return ""
	}
	return canon(v), nil
}

// normalize writes a JSON value for comparison; decimals are compared by
// value (our API writes 12.5 where PostgreSQL writes 12.50).
func normalize(v any) string {
	s := fmt.Sprint(v)
	if _, ok := v.(string); ok && decimalRe.MatchString(s) && strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

var decimalRe = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
