package live

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
)

// Counter counts what runs at once, up to a limit.
type Counter struct{ n atomic.Int64 }

// Acquire takes one place if fewer than max are taken (max 0: no limit).
func (c *Counter) Acquire(max int) bool {
	if c.n.Add(1) > int64(max) && max > 0 {
		c.n.Add(-1)
		return false
	}
	return true
}

// Release gives a place back.
func (c *Counter) Release() { c.n.Add(-1) }

// Keys holds the subscriptions of each API key: how many run, and how to
// end them when the key is revoked.
type Keys struct {
	mu   sync.Mutex
	subs map[int]map[*keySub]struct{}
}

type keySub struct{ end func() }

// NewKeys returns an empty registry.
func NewKeys() *Keys { return &Keys{subs: map[int]map[*keySub]struct{}{}} }

// Acquire registers a subscription of key, if it runs fewer than max (0:
// no limit); end is called if the key is revoked meanwhile. release
// unregisters it.
func (k *Keys) Acquire(key, max int, end func()) (release func(), ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if max > 0 && len(k.subs[key]) >= max {
		return nil, false
	}
	s := &keySub{end: end}
	if k.subs[key] == nil {
		k.subs[key] = map[*keySub]struct{}{}
	}
	k.subs[key][s] = struct{}{}
	var once sync.Once
	return func() {
		once.Do(func() {
			k.mu.Lock()
			defer k.mu.Unlock()
			delete(k.subs[key], s)
			if len(k.subs[key]) == 0 {
				delete(k.subs, key)
			}
		})
	}, true
}

// Watch ends, every interval, the subscriptions of keys revoked or deleted
// since they began, until ctx ends: one query for all of them.
func (k *Keys) Watch(ctx context.Context, client *ent.Client, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		k.mu.Lock()
		ids := make([]int, 0, len(k.subs))
		for id := range k.subs {
			ids = append(ids, id)
		}
		k.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		live, err := client.APIKey.Query().Where(apikey.IDIn(ids...), apikey.RevokedAtIsNil()).
			IDs(privacy.DecisionContext(ctx, privacy.Allow))
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("live: checking the keys of subscriptions", "err", err)
			}
			continue
		}
		ok := make(map[int]bool, len(live))
		for _, id := range live {
			ok[id] = true
		}
		var ends []func()
		k.mu.Lock()
		for _, id := range ids {
			if !ok[id] {
				for s := range k.subs[id] {
					ends = append(ends, s.end)
				}
			}
		}
		k.mu.Unlock()
		for _, end := range ends {
			end()
		}
	}
}
