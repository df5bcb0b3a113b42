package main

import (
	"fmt"
	"strconv"
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

const clockTicks = procstat.ClockTicks

type cpuSnapshot struct {
	at     time.Time
	busy   int64
	groups map[string]int64
}

func (c *cpuAccount) snapshot() cpuSnapshot {
	s := cpuSnapshot{at: time.Now(), busy: procstat.MachineBusy(), groups: map[string]int64{}}
	if _, t, ok := procstat.Stat("self", false); ok {
		s.groups["loader"] = t
	}
	for g, pid := range c.pids {
		if pid > 0 {
			if _, t, ok := procstat.Stat(strconv.Itoa(pid), false); ok {
				s.groups[g] = t
			}
		}
	}
	if c.postmaster > 0 {
		s.groups["postgres"] = procstat.Family(c.postmaster)
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
