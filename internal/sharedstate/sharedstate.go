// Package sharedstate is the state server processes share through Redis: the
// rate limits' counters and the automatic persisted queries. Redis is an
// optimisation of the many-process deployment, never a dependency of a
// request: when it does not answer, each process falls back to its own
// in-memory state (limits per process, its own query cache), says so in the
// log and in the metrics, and tries Redis again a moment later.
package sharedstate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options configure the connection to Redis.
type Options struct {
	// Prefix begins every key the server writes, so that several
	// deployments (or tests) can share one Redis.
	Prefix string
	// Timeout bounds each Redis command (connecting included); a request
	// waits no longer than this for Redis before falling back.
	Timeout time.Duration
	// RetryAfter is how long a process keeps to its own state after Redis
	// failed, before it asks Redis again.
	RetryAfter time.Duration
	Logger     *slog.Logger
}

// Defaults are the options of a server.
var Defaults = Options{Prefix: "bri:", Timeout: 250 * time.Millisecond, RetryAfter: time.Second}

// Redis is the shared state's connection, with its health.
type Redis struct {
	Client *redis.Client
	prefix string
	name   string
	logger *slog.Logger
	retry  time.Duration

	mu      sync.Mutex
	down    bool      // the last command failed
	retryAt time.Time // when to ask Redis again while down
	lastErr string

	errors    atomic.Uint64
	fallbacks sync.Map // use → *atomic.Uint64
}

// Open connects to the Redis of rawURL (redis:// or rediss://). It does not
// fail when Redis does not answer yet: the server starts on its own state
// and uses Redis once it answers.
func Open(rawURL string, o Options) (*Redis, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", redactURLError(rawURL, err))
	}
	if o.Timeout <= 0 {
		o.Timeout = Defaults.Timeout
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = Defaults.RetryAfter
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	opt.DialTimeout = o.Timeout
	opt.ReadTimeout = o.Timeout
	opt.WriteTimeout = o.Timeout
	opt.PoolTimeout = o.Timeout
	opt.MaxRetries = -1 // a failed command falls back at once
	opt.ContextTimeoutEnabled = true
	r := &Redis{
		Client: redis.NewClient(opt),
		prefix: o.Prefix,
		name:   opt.Addr,
		logger: o.Logger,
		retry:  o.RetryAfter,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*o.Timeout)
	defer cancel()
	if err := r.Client.Ping(ctx).Err(); err != nil {
		r.Failed("start-up", err)
	} else {
		r.logger.Info("rate limits and persisted queries are shared through Redis", "redis", r.name)
	}
	return r, nil
}

// redactURLError keeps a password in the URL out of an error message.
func redactURLError(rawURL string, err error) error {
	if u, perr := url.Parse(rawURL); perr == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return errors.New("not a valid Redis URL")
		}
	}
	return err
}

// Close closes the connections.
func (r *Redis) Close() error { return r.Client.Close() }

// Name is the Redis address, for logs and /readyz.
func (r *Redis) Name() string { return r.name }

// Key is key with the deployment's prefix.
func (r *Redis) Key(key string) string { return r.prefix + key }

// Usable reports whether to ask Redis: it answered last time, or it failed
// long enough ago to try again. While it is down, one caller a RetryAfter
// asks (the probe); the others go on without it meanwhile rather than each
// wait for a Redis that may still not answer.
func (r *Redis) Usable() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.down {
		return true
	}
	if now := time.Now(); !now.Before(r.retryAt) {
		r.retryAt = now.Add(r.retry) // this caller probes
		return true
	}
	return false
}

// OK records that Redis answered; the first answer after a failure is
// logged.
func (r *Redis) OK() {
	r.mu.Lock()
	was := r.down
	r.down, r.lastErr = false, ""
	r.mu.Unlock()
	if was {
		r.logger.Info("Redis answers again: rate limits and persisted queries are shared again", "redis", r.name)
	}
}

// Failed records that a command for use failed. The first failure is logged;
// until RetryAfter has passed, Usable says not to ask Redis.
func (r *Redis) Failed(use string, err error) {
	r.errors.Add(1)
	r.mu.Lock()
	was := r.down
	r.down, r.retryAt, r.lastErr = true, time.Now().Add(r.retry), err.Error()
	r.mu.Unlock()
	if !was {
		r.logger.Warn("Redis does not answer: each process falls back to its own rate limits and persisted-query cache until it does",
			"redis", r.name, "use", use, "err", err)
	}
}

// FellBack counts a decision that use (ratelimit, apq) made on the process's
// own state because Redis could not be asked.
func (r *Redis) FellBack(use string) {
	c, _ := r.fallbacks.LoadOrStore(use, new(atomic.Uint64))
	c.(*atomic.Uint64).Add(1)
}

// State is Redis's health as the process last saw it.
type State struct {
	Up        bool
	Error     string
	Errors    uint64            // commands that failed
	Fallbacks map[string]uint64 // decisions made without Redis, by use
}

// State reports the health and counters.
func (r *Redis) State() State {
	r.mu.Lock()
	s := State{Up: !r.down, Error: r.lastErr}
	r.mu.Unlock()
	s.Errors = r.errors.Load()
	s.Fallbacks = map[string]uint64{}
	r.fallbacks.Range(func(k, v any) bool {
		s.Fallbacks[k.(string)] = v.(*atomic.Uint64).Load()
		return true
	})
	return s
}
