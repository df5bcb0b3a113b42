// Package procstat reads the machine's CPU accounting from /proc, for the
// benchmarks' reports (bench/load, bench/soak).
package procstat

import (
	"os"
	"strconv"
	"strings"
)

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
