package importer

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

func TestRenderBar(t *testing.T) {
	for _, c := range []struct {
		done, total int
		want        string
	}{
		{0, 100, "projects  [..............................]   0%  0/100 rows  1.5 s "},
		{50, 100, "projects  [###############...............]  50%  50/100 rows  1.5 s "},
		{100, 100, "projects  [##############################] 100%  100/100 rows  1.5 s "},
		{0, 0, "projects  [##############################] 100%  0/0 rows  1.5 s "},
	} {
		if got := renderBar("projects", c.done, c.total, 1500*time.Millisecond); got != c.want {
			t.Errorf("%d/%d:\n got %q\nwant %q", c.done, c.total, got, c.want)
		}
	}
}

// TestImportProgress: a progress writer gets a bar that ends at 100% on
// its own line; without one nothing is drawn (nil is safe).
func TestImportProgress(t *testing.T) {
	db := apitest.OpenSQLite(t)
	var out bytes.Buffer
	if _, err := ImportFile(context.Background(), db.Client, samples[1], Options{Progress: &out, BatchSize: 5}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "\rprojects  [##############################] 100%  20/20 rows") || !strings.HasSuffix(s, "\n") || strings.Count(s, "\r") < 5 {
		t.Fatalf("progress: %q", s)
	}
	var p *progress
	p.phase("x")
	p.add(1)
	p.finish()
}

// TestInBatches: every item in exactly one range, ranges of at most the
// batch size, and a small file cut so that every worker has a batch.
func TestInBatches(t *testing.T) {
	for _, c := range []struct {
		n, most, workers int
		want             string
	}{
		{0, 1000, 4, ""},
		{3, 1000, 1, "0-3"},
		{10, 1000, 4, "0-3 3-6 6-9 9-10"},
		{2500, 1000, 1, "0-1000 1000-2000 2000-2500"},
		{9000, 1000, 4, "0-1000 1000-2000 2000-3000 3000-4000 4000-5000 5000-6000 6000-7000 7000-8000 8000-9000"},
		{176, 1000, 4, "0-44 44-88 88-132 132-176"},
	} {
		var mu sync.Mutex
		got := map[int]int{}
		err := inBatches(context.Background(), c.n, c.most, c.workers, func(_ context.Context, from, to int) error {
			mu.Lock()
			defer mu.Unlock()
			got[from] = to
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for from := 0; from < c.n; from = got[from] {
			if got[from] <= from {
				t.Fatalf("%+v: no range from %d: %v", c, from, got)
			}
			parts = append(parts, fmt.Sprintf("%d-%d", from, got[from]))
		}
		if s := strings.Join(parts, " "); s != c.want || len(got) != len(parts) {
			t.Errorf("%+v: %s", c, s)
		}
	}
}
