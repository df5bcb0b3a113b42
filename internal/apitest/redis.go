package apitest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bri-tracker/bri-tracker/internal/sharedstate"
)

// DefaultRedisURL is the Redis the tests use unless TEST_REDIS_URL names
// another.
const DefaultRedisURL = "redis://127.0.0.1:6379/0"

// RedisURL is the test Redis's URL. A test that needs Redis is skipped
// when none answers, or fails under CI=true (.ci/run starts one).
func RedisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		u = DefaultRedisURL
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is required under CI=true (.ci/run starts one) but %s does not answer: %v", u, err)
		}
		t.Skipf("no Redis at %s (%v); start one or set TEST_REDIS_URL", u, err)
	}
	return u
}

var redisPrefixes atomic.Int64

// OpenRedis connects to the Redis of rawURL as a server does, under a key
// prefix of the test's own (removed with the test), logging to logger (nil:
// discard). Servers given the same *sharedstate.Redis, or Redises with the
// same prefix, share their limits and persisted queries.
func OpenRedis(t testing.TB, rawURL string, logger *slog.Logger, opts ...func(*sharedstate.Options)) *sharedstate.Redis {
	t.Helper()
	o := sharedstate.Defaults
	o.Prefix = fmt.Sprintf("bri-test:%d:%d:", os.Getpid(), redisPrefixes.Add(1))
	o.Logger = logger
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	for _, f := range opts {
		f(&o)
	}
	r, err := sharedstate.Open(rawURL, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer r.Close()
		clean, err := redis.ParseURL(RedisURL(t))
		if err != nil {
			return
		}
		c := redis.NewClient(clean)
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, o.Prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return r
}
