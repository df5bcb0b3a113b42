package importer

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line bar, redrawn in place with a carriage return,
// for a person watching a terminal. A nil *progress draws nothing, so the
// importer calls it unconditionally.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	total int
	done  int
	label string
	start time.Time
	drawn bool
}

// barWidth is the bar's width in characters.
const barWidth = 30

func newProgress(w io.Writer, total int) *progress {
	if w == nil {
		return nil
	}
	return &progress{w: w, total: total, start: time.Now(), label: "reading"}
}

// phase names the work under way.
func (p *progress) phase(label string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label = label
	p.draw()
}

// add counts n more rows written.
func (p *progress) add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.draw()
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) draw() {
	fmt.Fprint(p.w, "\r"+renderBar(p.label, p.done, p.total, time.Since(p.start)))
	p.drawn = true
}

// renderBar renders the bar: "projects [#########.....]  64%  640/1000 rows  1.2 s".
func renderBar(label string, done, total int, elapsed time.Duration) string {
	done = min(done, total)
	full, pct := barWidth, 100
	if total > 0 {
		full, pct = done*barWidth/total, done*100/total
	}
	return fmt.Sprintf("%-9s [%s%s] %3d%%  %d/%d rows  %.1f s ",
		label, strings.Repeat("#", full), strings.Repeat(".", barWidth-full), pct, done, total, elapsed.Seconds())
}
