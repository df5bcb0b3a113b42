package webhook_test

import (
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/webhook"
)

// TestBackoff: the wait doubles from the base after each failed attempt,
// stops at the cap, and adds at most a tenth at random.
func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {8, 64 * time.Minute}, {10, 256 * time.Minute}, {11, 6 * time.Hour}, {15, 6 * time.Hour}, {200, 6 * time.Hour}} {
		for range 50 {
			got := webhook.Backoff(c.n, 30*time.Second, 6*time.Hour)
			if got < c.want || got > c.want+c.want/10 {
				t.Fatalf("Backoff(%d) = %v, want %v to %v", c.n, got, c.want, c.want+c.want/10)
			}
		}
	}
}
