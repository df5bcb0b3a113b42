package main

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bri-tracker/bri-tracker/bench/internal/procstat"
)

// The soak shares the machine with the server, PostgreSQL and perhaps other
// work. cpuAccount tells, for each interval, how much CPU each used: the
// server (its pid), PostgreSQL (every process named postgres, whatever
// database it serves), the soak itself, and the rest of the machine (its
// busy time less theirs), so that an interval disturbed by other work shows.
type cpuAccount struct {
	server int
	last   cpuSnapshot
}

// clockTicks is USER_HZ, the unit of /proc's CPU times (100 on Linux).
const clockTicks = 100

type cpuSnapshot struct {
	at                         time.Time
	busy, server, pg, soakSelf int64
}

func newCPUAccount(serverPID int) *cpuAccount {
	c := &cpuAccount{server: serverPID}
	c.reset()
	return c
}

func (c *cpuAccount) reset() { c.last = c.snapshot() }

// take returns the CPU used since the last call or reset, each in percent of
// one core: the server's, PostgreSQL's, the soak's and everything else's.
func (c *cpuAccount) take() (server, pg, soak, other float64) {
	now := c.snapshot()
	prev := c.last
	c.last = now
	secs := now.at.Sub(prev.at).Seconds()
	if secs <= 0 {
		return
	}
	pct := func(ticks int64) float64 { return float64(max(ticks, 0)) / clockTicks / secs * 100 }
	server = pct(now.server - prev.server)
	pg = pct(now.pg - prev.pg)
	soak = pct(now.soakSelf - prev.soakSelf)
	other = max(0, pct(now.busy-prev.busy)-server-pg-soak)
	if c.server == 0 {
		server = 0
	}
	return
}

func (c *cpuAccount) snapshot() cpuSnapshot {
	s := cpuSnapshot{at: time.Now(), busy: procstat.MachineBusy()}
	if c.server > 0 {
		_, s.server = procStat(strconv.Itoa(c.server))
	}
	_, s.soakSelf = procStat("self")
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if comm, t := procStat(e.Name()); comm == "postgres" {
			s.pg += t
		}
	}
	return s
}

// procStat returns a process's command name and CPU time in ticks.
func procStat(pid string) (comm string, ticks int64) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return "", 0
	}
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return "", 0
	}
	f := strings.Fields(s[j+1:])
	if len(f) < 13 {
		return "", 0
	}
	// After the command: state, ppid, ... utime (11), stime (12).
	for _, v := range f[11:13] {
		t, _ := strconv.ParseInt(v, 10, 64)
		ticks += t
	}
	return s[i+1 : j], ticks
}
