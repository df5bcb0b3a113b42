// Command scaleout starts one and then two of our server processes on one
// PostgreSQL database, each time without and with a streaming replica, and
// measures, side by side on the same data:
//
//   - the read throughput of a mix of bench/load's query shapes at a fixed
//     concurrency, the clients' requests spread over the processes
//     round-robin;
//   - a read-after-write workload: each client updates a project's title on
//     one process and at once reads it back from the next one, presenting
//     the write's consistency token (X-BRI-Consistency). Every read must see
//     its write; the servers' /metrics say how many of those reads a replica
//     served and how many went to the primary. With a replica it runs a
//     second time without the token, to show what the token prevents;
//   - the CPU each group of processes used meanwhile (our servers, the
//     primary PostgreSQL, the replica, this load generator, the rest).
//
// It writes a Markdown page (--report). bench/scaleout.sh prepares the
// database and runs it; see bench/README.md. A benchmark, not a test.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/lib/pq"

	"github.com/bri-tracker/bri-tracker/bench/internal/procstat"
)

type options struct {
	ServerBin              string
	DatabaseURL, Replica   string
	Ports                  string
	Concurrency            int
	Warmup, Duration       time.Duration
	Timeout                time.Duration
	Mix                    string
	WaitQuiet              time.Duration
	Disturbed              float64
	Work, Report           string
	Command, Dataset, Note string
	Seed                   uint64
}

// config is one layout of the servers under test.
type config struct {
	Procs   int
	Replica bool
}

func (c config) String() string {
	s := "1 process"
	if c.Procs > 1 {
		s = fmt.Sprintf("%d processes", c.Procs)
	}
	if c.Replica {
		return s + " + replica"
	}
	return s + ", primary only"
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("scaleout: ")
	var o options
	flag.StringVar(&o.ServerBin, "server-bin", "", "our server's binary (go build -o ... .)")
	flag.StringVar(&o.DatabaseURL, "database-url", "postgres://postgres@127.0.0.1:5432/bri_scaleout?sslmode=disable", "the primary's benchmark database")
	flag.StringVar(&o.Replica, "replica-url", "postgres://postgres@127.0.0.1:5433/bri_scaleout?sslmode=disable", "the same database on the streaming replica")
	flag.StringVar(&o.Ports, "ports", "18180,18181", "the ports of the server processes, one each (as many as the most processes run)")
	flag.IntVar(&o.Concurrency, "concurrency", 16, "concurrent clients, each sending its next request when the last is answered")
	flag.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unrecorded warm-up of each run")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "recorded time of each run")
	flag.DurationVar(&o.Timeout, "timeout", 30*time.Second, "a request's timeout")
	flag.StringVar(&o.Mix, "mix", "flat:3,filtered:3,node:4,nested:2,participations:2,countries:1,stats:1", "the read mix: shapes of bench/load and their weights")
	flag.DurationVar(&o.WaitQuiet, "wait-quiet", 2*time.Minute, "wait at most this long, before the runs, for other work on the machine to quiet down")
	flag.Float64Var(&o.Disturbed, "disturbed", 25, "run a measurement again (once, after waiting for quiet) when other work on the machine took more than this percent of a core meanwhile; the less disturbed is kept")
	flag.StringVar(&o.Work, "work", os.TempDir(), "folder for the servers' logs")
	flag.StringVar(&o.Report, "report", "", "write the results page here (Markdown)")
	flag.StringVar(&o.Command, "command", "bash bench/scaleout.sh", "the command that ran this, for the page")
	flag.StringVar(&o.Dataset, "dataset", "", "what the database holds, for the page")
	flag.StringVar(&o.Note, "machine-note", "", "what else the machine did meanwhile, for the page")
	flag.Uint64Var(&o.Seed, "seed", 20130907, "seed of the clients' random choices")
	flag.Parse()
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

// results are one run's measurements, for the page.
type results struct {
	Start, End  time.Time
	LoadAvg     string // /proc/loadavg before the runs
	Configs     []config
	Reads       []measurement
	RAW         []measurement // with tokens
	RAWNoToken  []measurement // replica layouts only, without tokens
	ServerFlags []string
	Projects    int
	PostgreSQL  string
	Key         string // the API key's name
}

func run(o options) error {
	if o.ServerBin == "" {
		return errors.New("--server-bin is required")
	}
	mix, err := parseMix(o.Mix)
	if err != nil {
		return err
	}
	var ports []int
	for _, p := range strings.Split(o.Ports, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return fmt.Errorf("--ports: %q is not a port", p)
		}
		ports = append(ports, n)
	}
	ctx := context.Background()
	primary, err := sql.Open("postgres", o.DatabaseURL)
	if err != nil {
		return err
	}
	defer primary.Close()
	replica, err := sql.Open("postgres", o.Replica)
	if err != nil {
		return err
	}
	defer replica.Close()
	var inRecovery bool
	if err := replica.QueryRowContext(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil {
		return fmt.Errorf("the replica at --replica-url does not answer: %w", err)
	}
	if !inRecovery {
		return errors.New("--replica-url is not a standby in recovery")
	}

	res := &results{Configs: []config{{1, false}, {1, true}, {2, false}, {2, true}}}
	for _, c := range res.Configs {
		if c.Procs > len(ports) {
			return fmt.Errorf("--ports: %d processes need %d ports", c.Procs, c.Procs)
		}
	}
	if err := primary.QueryRowContext(ctx, "SELECT count(*), current_setting('server_version') FROM projects").Scan(&res.Projects, &res.PostgreSQL); err != nil {
		return err
	}
	d, err := newDataset(ctx, primary, o.Concurrency)
	if err != nil {
		return err
	}
	key, name, err := createKey(o)
	if err != nil {
		return err
	}
	res.Key = name
	acct := &cpuAccount{primary: procstat.Postmaster(ctx, primary), replica: procstat.Postmaster(ctx, replica)}
	if acct.primary == 0 || acct.replica == 0 {
		log.Printf("PostgreSQL's processes were not found on this machine: its CPU counts as other")
	}
	sv := servers{bin: o.ServerBin, primaryURL: o.DatabaseURL, replicaURL: o.Replica, work: o.Work, ports: ports}
	res.ServerFlags = sv.flags(ports[0], false)

	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		res.LoadAvg = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	procstat.WaitQuiet(o.WaitQuiet)
	res.Start = time.Now().UTC()
	runID := res.Start.Format("150405")
	w := &workload{o: o, mix: mix, data: d, key: key, cpu: acct, run: runID}

	// Reads first, in every layout on the same data; then the writes.
	for _, c := range res.Configs {
		m, err := sv.with(ctx, c, primary, replica, func(p *procs) measurement {
			return w.calm(func() measurement { return w.reads(p) })
		})
		if err != nil {
			return err
		}
		res.Reads = append(res.Reads, m)
	}
	for _, c := range res.Configs {
		var extra measurement
		m, err := sv.with(ctx, c, primary, replica, func(p *procs) measurement {
			m := w.calm(func() measurement { return w.readAfterWrite(p, true) })
			if c.Replica {
				extra = w.calm(func() measurement {
					waitReplayed(ctx, primary, replica)
					return w.readAfterWrite(p, false)
				})
				extra.Config = c
			}
			return m
		})
		if err != nil {
			return err
		}
		res.RAW = append(res.RAW, m)
		if c.Replica {
			res.RAWNoToken = append(res.RAWNoToken, extra)
		}
	}
	res.End = time.Now().UTC()

	if o.Report != "" {
		if err := os.WriteFile(o.Report, []byte(report(o, res)), 0o644); err != nil {
			return err
		}
		log.Printf("wrote %s", o.Report)
	}
	for _, m := range append(res.RAW, res.RAWNoToken...) {
		if m.Token && m.Violations > 0 {
			return fmt.Errorf("%s: %d reads did not see the client's own write", m.Config, m.Violations)
		}
	}
	return nil
}

// createKey makes an ADMIN API key for the writes with the server's own
// command.
func createKey(o options) (secret, name string, err error) {
	name = "scaleout " + time.Now().UTC().Format(time.RFC3339)
	cmd := execServer(o.ServerBin, o.DatabaseURL, "keys", "create", "--name", name, "--role", "admin")
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("keys create: %w", err)
	}
	lines := strings.Fields(strings.TrimSpace(string(out)))
	if len(lines) == 0 {
		return "", "", errors.New("keys create printed no secret")
	}
	return lines[len(lines)-1], name, nil
}

// waitReplayed waits (at most a minute) until the replica has replayed all
// the primary has written, so that no run starts with a backlog of the
// previous one's.
func waitReplayed(ctx context.Context, primary, replica *sql.DB) {
	var target string
	if err := primary.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&target); err != nil {
		return
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var ok sql.NullBool
		if err := replica.QueryRowContext(ctx, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", target).Scan(&ok); err == nil && ok.Bool {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	log.Printf("the replica has not replayed %s after a minute; going on", target)
}

// logPath is where a server process's output goes.
func logPath(work string, port int) string {
	return filepath.Join(work, fmt.Sprintf("server-%d.log", port))
}
