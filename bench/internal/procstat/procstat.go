// Package procstat reads the machine's CPU accounting from /proc, for the
// benchmarks' reports (bench/load, bench/soak, bench/scaleout).
package procstat

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ClockTicks is USER_HZ, the unit of /proc's CPU times (100 on Linux).
const ClockTicks = 100

// MachineBusy is the CPU time processes used on the machine, in ticks:
// user, nice and system time (not interrupt handling, which no process is
// charged for, nor time stolen by a hypervisor); 0 without /proc.
func MachineBusy() int64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var busy int64
	for _, v := range f[1:min(4, len(f))] {
		t, _ := strconv.ParseInt(v, 10, 64)
		busy += t
	}
	return busy
}

// Stat returns a process's parent and its CPU time in ticks: its own,
// plus its reaped children's when children is set.
func Stat(pid string, children bool) (ppid int, ticks int64, ok bool) {
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

// Family is the CPU time in ticks of a process (such as PostgreSQL's
// postmaster), its reaped children and its live children (its backends).
func Family(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	_, ticks, _ := Stat(strconv.Itoa(pid), true)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if ppid, t, ok := Stat(filepath.Base(d), false); ok && ppid == pid {
			ticks += t
		}
	}
	return ticks
}

// Postmaster finds the pid of PostgreSQL's postmaster, the parent of this
// connection's backend, when PostgreSQL runs on this machine (0 otherwise).
func Postmaster(ctx context.Context, db *sql.DB) int {
	var backend int
	if err := db.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		return 0
	}
	ppid, _, ok := Stat(strconv.Itoa(backend), false)
	if !ok {
		return 0
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", ppid)); err != nil || !strings.HasPrefix(string(b), "postgres") {
		return 0
	}
	return ppid
}

// WaitQuiet waits, at most limit, until the machine's CPU is mostly idle,
// so that the runs do not start in the middle of someone else's build.
func WaitQuiet(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for {
		b0, t0 := MachineBusy(), time.Now()
		time.Sleep(3 * time.Second)
		busy := float64(MachineBusy()-b0) / ClockTicks / time.Since(t0).Seconds() * 100
		if busy < 25 {
			return
		}
		if time.Now().After(deadline) {
			log.Printf("the machine is still busy (%.0f%% of a core); starting anyway", busy)
			return
		}
		log.Printf("the machine is busy (%.0f%% of a core used by other work); waiting for it to quiet down", busy)
	}
}

// CPUModel is the machine's processor, as /proc/cpuinfo names it.
func CPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// MemTotal is the machine's memory in bytes, 0 if unknown.
func MemTotal() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	var kb int64
	for _, line := range strings.Split(string(b), "\n") {
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
			return kb * 1024
		}
	}
	return 0
}
