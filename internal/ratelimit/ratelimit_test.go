package ratelimit

import (
	"testing"
	"time"
)

func TestTokenBucket(t *testing.T) {
	l := New(2, 3) // 2 a second, bursts of 3
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("4th request: ok=%v wait=%v, want refused for 500ms", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("no token after refill")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("more tokens than the rate gives")
	}
	now = now.Add(time.Hour)
	l.sweep(now)
	if len(l.buckets) != 0 {
		t.Fatalf("idle buckets kept: %d", len(l.buckets))
	}
	if ok, _ := (*Limiter)(nil).Allow("x"); !ok || New(0, 0) != nil {
		t.Fatal("a zero rate must mean no limit")
	}
}
