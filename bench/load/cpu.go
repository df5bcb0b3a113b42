package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/bri-tracker/bri-tracker/bench/internal/procstat"
)

// The machine is shared by the loader, the servers and PostgreSQL, and
// perhaps by other work. cpuAccount tells, for each timed run, how much CPU
// each of them used, and how much went to everything else (the machine's
// busy time less theirs), so that a run disturbed by other work shows.
type cpuAccount struct {
	pids       map[string]int // group: pid (ours, postgraphile)
	postmaster int            // PostgreSQL's postmaster: it and its children
}

// clockTicks is USER_HZ, the unit of /proc's CPU times (100 on Linux).
const clockTicks = 100

type cpuSnapshot struct {
	at     time.Time
	busy   int64
	groups map[string]int64
}

// procStat returns a process's parent and its CPU time in ticks: its own,
// plus its reaped children's when children is set.
func procStat(pid string, children bool) (ppid int, ticks int64, ok bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 15 {
		return 0, 0, false
	}
	// After the command: state, ppid, ... utime (11), stime, cutime, cstime.
	ppid, _ = strconv.Atoi(f[1])
	n := 2
	if children {
		n = 4
	}
	for _, v := range f[11 : 11+n] {
		t, _ := strconv.ParseInt(v, 10, 64)
		ticks += t
	}
	return ppid, ticks, true
}

func (c *cpuAccount) snapshot() cpuSnapshot {
	s := cpuSnapshot{at: time.Now(), busy: procstat.MachineBusy(), groups: map[string]int64{}}
	if _, t, ok := procStat("self", false); ok {
		s.groups["loader"] = t
	}
	for g, pid := range c.pids {
		if pid > 0 {
			if _, t, ok := procStat(strconv.Itoa(pid), false); ok {
				s.groups[g] = t
			}
		}
	}
	if c.postmaster > 0 {
		pm := strconv.Itoa(c.postmaster)
		if _, t, ok := procStat(pm, true); ok {
			s.groups["postgres"] = t
		}
		dirs, _ := filepath.Glob("/proc/[0-9]*")
		for _, d := range dirs {
			if ppid, t, ok := procStat(filepath.Base(d), false); ok && ppid == c.postmaster {
				s.groups["postgres"] += t
			}
		}
	}
	return s
}

// cpuUse is CPU used during a run, in percent of one core, by group
// (ours, postgraphile, postgres, loader, other).
type cpuUse map[string]float64

func (c *cpuAccount) since(s0 cpuSnapshot) cpuUse {
	if c == nil {
		return nil
	}
	s1 := c.snapshot()
	secs := s1.at.Sub(s0.at).Seconds()
	if secs <= 0 || s1.busy == 0 {
		return nil
	}
	pct := func(ticks int64) float64 { return float64(ticks) / clockTicks / secs * 100 }
	use := cpuUse{}
	var ours int64
	for g, t := range s1.groups {
		d := max(0, t-s0.groups[g])
		ours += d
		use[g] = pct(d)
	}
	use["other"] = pct(max(0, (s1.busy-s0.busy)-ours))
	return use
}

func (u cpuUse) cell(group string) string {
	v, ok := u[group]
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", v)
}
