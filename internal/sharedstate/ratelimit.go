package sharedstate

import (
	"context"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/bri-tracker/bri-tracker/internal/ratelimit"
)

// Limiter is a rate limit shared by every process through Redis (redis_rate's
// GCRA: one key per client, holding its theoretical arrival time, expiring
// once the client is idle). While Redis does not answer, each process limits
// on its own with Local, so N processes allow up to N times the rate.
type Limiter struct {
	redis *Redis
	rl    *redis_rate.Limiter
	limit redis_rate.Limit
	name  string
	Local *ratelimit.Limiter
}

// NewLimiter limits each key to rate requests a second with bursts of burst;
// name (ip, key) keeps the counters of different limits apart. A rate of
// zero or less means no limit (nil).
func NewLimiter(r *Redis, name string, rate float64, burst int) *Limiter {
	local := ratelimit.New(rate, burst)
	if local == nil {
		return nil
	}
	if burst < 1 {
		burst = int(math.Ceil(rate))
	}
	return &Limiter{redis: r, rl: redis_rate.NewLimiter(r.Client), limit: gcraLimit(rate, burst), name: name, Local: local}
}

// gcraLimit expresses rate a second as redis_rate's whole number of requests
// per period: the period stretches to keep a fractional rate exact to a
// thousandth.
func gcraLimit(rate float64, burst int) redis_rate.Limit {
	if rate == math.Trunc(rate) {
		return redis_rate.Limit{Rate: int(rate), Period: time.Second, Burst: burst}
	}
	return redis_rate.Limit{Rate: int(math.Round(rate * 1000)), Period: 1000 * time.Second, Burst: burst}
}

// Allow takes one request from key's allowance; when there is none, it says
// how long until there will be.
func (l *Limiter) Allow(ctx context.Context, key string) (bool, time.Duration) {
	if l.redis.Usable() {
		res, err := l.rl.Allow(ctx, l.redis.Key("rate:"+l.name+":"+key), l.limit)
		if err == nil {
			l.redis.OK()
			if res.Allowed > 0 {
				return true, 0
			}
			return false, res.RetryAfter
		}
		if ctx.Err() == nil {
			l.redis.Failed("ratelimit", err)
		}
	}
	l.redis.FellBack("ratelimit")
	return l.Local.Allow(key)
}
