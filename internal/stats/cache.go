package stats

import (
	"container/list"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/bri-tracker/bri-tracker/ent"
)

// Cache keeps statistics computed on PostgreSQL, so that a dashboard asking
// the same question again is answered without scanning the projects again,
// for as long as the database holds the same data.
//
// An entry is keyed by the statement and its arguments (which include every
// filter) and remembers the snapshot it was computed in, as
// pg_current_snapshot() reports it: the transactions that were finished and
// those still running. Two statements with the same snapshot see exactly the
// same committed rows, whatever was written meanwhile and rolled back, and
// whichever server process or connection runs them. Every statistics
// statement asks PostgreSQL, in the same statement, for its own snapshot and
// skips the aggregation (a one-time filter) when that snapshot is the one
// cached: one statement either way, the cached answer only when it is the
// answer. A statement run in a transaction that has written is neither
// answered from nor stored in the cache, since it sees its own uncommitted
// rows.
//
// Snapshots change with every write committed anywhere in the PostgreSQL
// cluster, so the cache helps read-mostly databases; under a steady stream of
// writes every statement computes, as without a cache. The cache is
// per-process and bounded in entries and rows.
type Cache struct {
	maxEntries, maxRows int

	mu      sync.Mutex
	entries map[string]*list.Element // of *entry
	lru     *list.List

	hits, misses atomic.Int64
}

// entry is one cached result: the rows as scanned and the partners the keys
// named.
type entry struct {
	key, snapshot string
	rows          []row
	partners      map[int]*ent.Partner
}

// NewCache returns a cache of at most maxEntries results of at most maxRows
// rows each.
func NewCache(maxEntries, maxRows int) *Cache {
	return &Cache{maxEntries: maxEntries, maxRows: maxRows, entries: map[string]*list.Element{}, lru: list.New()}
}

// CacheStats counts the statements answered from the cache and those that
// computed.
type CacheStats struct {
	Hits, Misses int64
	Entries      int
}

// Stats reports the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	n := len(c.entries)
	c.mu.Unlock()
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Entries: n}
}

func (c *Cache) get(key string) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*entry)
	}
	return nil
}

func (c *Cache) put(e *entry) {
	if len(e.rows) > c.maxRows || c.maxEntries <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		el.Value = e
		c.lru.MoveToFront(el)
		return
	}
	c.entries[e.key] = c.lru.PushFront(e)
	for c.lru.Len() > c.maxEntries {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.entries, last.Value.(*entry).key)
	}
}

// cacheKey identifies a statement with its arguments.
func cacheKey(query string, args []any) (string, error) {
	var b strings.Builder
	b.WriteString(query)
	for _, a := range args {
		if v, ok := a.(driver.Valuer); ok {
			var err error
			if a, err = v.Value(); err != nil {
				return "", err
			}
		}
		fmt.Fprintf(&b, "\x00%T:%v", a, a)
	}
	return b.String(), nil
}

// gated wraps a PostgreSQL statistics statement: its rows come after the
// statement's snapshot, whether its transaction is free of writes and
// whether the rows were computed; they are not (one row of NULLs) when that
// snapshot is known, the last argument. An empty result is one row of NULLs
// too, computed.
func gated(query string, args []any, known string) (string, []any) {
	n := strconv.Itoa(len(args) + 1)
	q := "SELECT snap.s, snap.clean, NOT (snap.clean AND snap.s = $" + n + ") AS computed, q.* FROM " +
		"(SELECT pg_current_snapshot()::text AS s, pg_current_xact_id_if_assigned() IS NULL AS clean) AS snap " +
		"LEFT JOIN LATERAL (SELECT * FROM (" + query + ") AS q0 WHERE NOT (snap.clean AND snap.s = $" + n + ")) AS q ON true " +
		"ORDER BY q.total, q.owner, q.rn"
	return q, append(args, known)
}

// copyPartners gives a request its own copies of cached partners, without
// the edges an earlier request may have loaded on them.
func copyPartners(cached map[int]*ent.Partner) map[int]*ent.Partner {
	out := make(map[int]*ent.Partner, len(cached))
	for id, p := range cached {
		cp := *p
		cp.Edges = ent.PartnerEdges{}
		out[id] = &cp
	}
	return out
}
