package sharedstate

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/redis/go-redis/v9"
)

// QueryCache is the automatic persisted queries' cache (gqlgen's
// graphql.Cache): the process's own cache in front, Redis behind, so that a
// query registered through one process runs by its hash on every other. A
// query found only in Redis is kept in the process's cache too. Without
// Redis, the process's cache goes on alone.
type QueryCache struct {
	Local graphql.Cache[string]
	Redis *Redis
	// TTL is how long Redis keeps a query after it was last registered
	// (0: until Redis evicts it).
	TTL time.Duration
}

// Get looks the query of hash up.
func (c *QueryCache) Get(ctx context.Context, hash string) (string, bool) {
	if q, ok := c.Local.Get(ctx, hash); ok {
		return q, true
	}
	if c.Redis == nil {
		return "", false
	}
	if !c.Redis.Usable() {
		c.Redis.FellBack("apq")
		return "", false
	}
	q, err := c.Redis.Client.Get(ctx, c.key(hash)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		c.Redis.OK()
		return "", false
	case err != nil:
		if ctx.Err() == nil {
			c.Redis.Failed("apq", err)
			c.Redis.FellBack("apq")
		}
		return "", false
	}
	c.Redis.OK()
	c.Local.Add(ctx, hash, q)
	return q, true
}

// MaxSharedQuery is the longest query kept in Redis (bytes); a longer one
// stays in the process's own cache. Clients choose what they register, so
// this bounds what each registration can put in the shared Redis (which
// its TTL, the rate limits and Redis's maxmemory bound further).
const MaxSharedQuery = 32 << 10

// Add registers the query of hash.
func (c *QueryCache) Add(ctx context.Context, hash, query string) {
	c.Local.Add(ctx, hash, query)
	if c.Redis == nil || len(query) > MaxSharedQuery {
		return
	}
	if !c.Redis.Usable() {
		c.Redis.FellBack("apq")
		return
	}
	if err := c.Redis.Client.Set(ctx, c.key(hash), query, c.TTL).Err(); err != nil {
		if ctx.Err() == nil {
			c.Redis.Failed("apq", err)
			c.Redis.FellBack("apq")
		}
		return
	}
	c.Redis.OK()
}

func (c *QueryCache) key(hash string) string { return c.Redis.Key("apq:" + hash) }
