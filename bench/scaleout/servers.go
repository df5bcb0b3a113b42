package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// servers starts and stops our server processes, one per port.
type servers struct {
	bin                    string
	primaryURL, replicaURL string
	work                   string
	ports                  []int
}

// procs are the running server processes of one layout.
type procs struct {
	config config
	cmds   []*exec.Cmd
	urls   []string // GraphQL endpoints
	pids   []int
}

// flags are the command-line flags of the process on port: production
// mode, no demo seed, rate limits off (the load comes from one address),
// the complexity limit raised as bench/run.sh does, no drain at shutdown,
// and the replica when the layout has one. The rest are the defaults, among
// them 3 requests at once per CPU (--max-concurrent) and a pool of 20
// connections to each database.
func (s servers) flags(port int, replica bool) []string {
	f := []string{"--env", "production", "--seed=false", "--rate-limit-ip", "0", "--rate-limit-key", "0",
		"--max-complexity", "1000000", "--drain", "0s", "--port", strconv.Itoa(port)}
	if replica {
		f = append(f, "--database-replica-urls", s.replicaURL)
	}
	return f
}

// execServer is a command of our server's binary on the database url, with
// none of the environment's settings for other databases, replicas or
// Redis (each process keeps its own limits and caches).
func execServer(bin, url string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DATABASE_URL", "DATABASE_REPLICA_URLS", "REDIS_URL", "PORT":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "DATABASE_URL="+url)
	return cmd
}

// with starts the processes of layout c at once, waits until each answers
// (and, with a replica, reads from it), runs measure, and stops them.
func (s servers) with(ctx context.Context, c config, primary, replica *sql.DB, measure func(*procs) measurement) (measurement, error) {
	waitReplayed(ctx, primary, replica)
	p := &procs{config: c}
	defer p.stop()
	for i := range c.Procs {
		port := s.ports[i]
		if answers(fmt.Sprintf("http://127.0.0.1:%d/graphql", port)) {
			return measurement{}, fmt.Errorf("something already listens on port %d", port)
		}
		f, err := os.Create(logPath(s.work, port))
		if err != nil {
			return measurement{}, err
		}
		cmd := execServer(s.bin, s.primaryURL, s.flags(port, c.Replica)...)
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			f.Close()
			return measurement{}, err
		}
		f.Close()
		p.cmds = append(p.cmds, cmd)
		p.pids = append(p.pids, cmd.Process.Pid)
		p.urls = append(p.urls, fmt.Sprintf("http://127.0.0.1:%d/graphql", port))
	}
	for i, u := range p.urls {
		if err := waitReady(u, c.Replica, 2*time.Minute); err != nil {
			return measurement{}, fmt.Errorf("%s, process on port %d: %w (log: %s)", c, s.ports[i], err, logPath(s.work, s.ports[i]))
		}
	}
	log.Printf("%s: ready", c)
	m := measure(p)
	m.Config = c
	return m, nil
}

// stop ends the processes (SIGTERM) and waits for them.
func (p *procs) stop() {
	for _, cmd := range p.cmds {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, cmd := range p.cmds {
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(40 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	p.cmds = nil
}

// answers reports whether a GraphQL endpoint answers { __typename }.
func answers(url string) bool {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"query":"{ __typename }"}`))
	req.Header.Set("Content-Type", "application/json")
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// waitReady waits until the endpoint answers and, when replica, until its
// /metrics say that the replica serves reads.
func waitReady(url string, replica bool, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if answers(url) {
			if !replica {
				return nil
			}
			if m, err := scrape(metricsURL(url)); err == nil && m.replicaUp {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	if replica {
		return fmt.Errorf("no answer, or its replica not serving, within %s", limit)
	}
	return fmt.Errorf("no answer within %s", limit)
}

func metricsURL(graphqlURL string) string {
	return strings.TrimSuffix(graphqlURL, "/graphql") + "/metrics"
}

// scraped is what the benchmark reads from a server's /metrics.
type scraped struct {
	replicaUp bool
	// routed counts read requests by reason (replica, replica_caught_up,
	// token_ahead, no_replica, failover).
	routed map[string]float64
}

// scrape reads bri_replica_up and bri_replica_read_requests_total.
func scrape(url string) (scraped, error) {
	out := scraped{routed: map[string]float64{}}
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case bytes.HasPrefix(line, []byte("bri_replica_up{")):
			if bytes.HasSuffix(line, []byte(" 1")) {
				out.replicaUp = true
			}
		case bytes.HasPrefix(line, []byte("bri_replica_read_requests_total{")):
			s := string(line)
			i := strings.Index(s, `reason="`)
			j := strings.LastIndexByte(s, ' ')
			if i < 0 || j < 0 {
				continue
			}
			reason, _, _ := strings.Cut(s[i+len(`reason="`):], `"`)
			v, err := strconv.ParseFloat(s[j+1:], 64)
			if err == nil {
				out.routed[reason] += v
			}
		}
	}
	return out, sc.Err()
}

// routed sums the processes' read-routing counters.
func (p *procs) routed() map[string]float64 {
	sum := map[string]float64{}
	for _, u := range p.urls {
		m, err := scrape(metricsURL(u))
		if err != nil {
			log.Printf("metrics of %s: %v", u, err)
			continue
		}
		for k, v := range m.routed {
			sum[k] += v
		}
	}
	return sum
}
