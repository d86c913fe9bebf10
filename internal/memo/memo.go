// Package memo keeps values derived from the database in memory (the
// community's settings, a member's spaces, tag counts, members' topic lists)
// until a write that may change them commits, here or on another instance.
//
// It speaks the page cache's language of keys (pagecache.Topic, Lists, ...):
// a value names the keys it depends on, a committed write names the keys it
// changed (store.Queries.Touch), and the values that named one are dropped.
// A write that names nothing drops every value, so a value with no keys
// lives until such a write: settings, spaces and memberships are only ever
// changed by those. A key's first byte names its kind, and a value may depend
// on a whole kind (pagecache.AnyTag).
//
// As in the page cache, a load that began before an invalidation is used
// once but not kept, values expire after a minute (which bounds what a
// writer outside the server, like a command-line tool, can leave stale), and
// nothing is kept while invalidations from other instances may be missed.
package memo

import (
	"sync"
	"sync/atomic"
	"time"
)

// MaxAge bounds how long a value is kept.
const MaxAge = time.Minute

// Cache is a bounded map of named values. A nil *Cache keeps nothing.
type Cache struct {
	mu      sync.Mutex
	entries map[string]*entry
	byKey   map[string]map[string]struct{}
	size    int64
	max     int64
	seq     uint64 // bumped by every invalidation
	online  bool
	now     func() time.Time

	hits, misses atomic.Int64
}

type entry struct {
	val  any
	keys []string
	size int64
	at   time.Time
}

// New returns a cache of at most maxBytes (as estimated by each value's
// weight); now is the clock.
func New(maxBytes int64, now func() time.Time) *Cache {
	return &Cache{entries: map[string]*entry{}, byKey: map[string]map[string]struct{}{}, max: maxBytes, online: true, now: now}
}

// Get returns the value called name, loading it when absent or expired.
// weight estimates a value's bytes; keys are what the value shows (none: it
// is dropped only by a write that declares nothing).
func Get[T any](c *Cache, name string, weight func(T) int64, load func() (T, error), keys ...string) (T, error) {
	if c == nil {
		return load()
	}
	e, seq := c.lookup(name)
	if e != nil {
		return e.val.(T), nil
	}
	v, err := load()
	if err == nil {
		c.put(name, seq, v, keys, weight(v))
	}
	return v, err
}

// GetKeyed is Get for a value whose keys are known only once it is loaded
// (a session's keys name its member).
func GetKeyed[T any](c *Cache, name string, weight func(T) int64, load func() (T, []string, error)) (T, error) {
	if c == nil {
		v, _, err := load()
		return v, err
	}
	e, seq := c.lookup(name)
	if e != nil {
		return e.val.(T), nil
	}
	v, keys, err := load()
	if err == nil {
		c.put(name, seq, v, keys, weight(v))
	}
	return v, err
}

// lookup returns the live entry called name, counting a hit or a miss, and,
// for a miss, the invalidation sequence a load beginning now must be kept
// under (SetOnline moves it too).
func (c *Cache) lookup(name string) (e *entry, seq uint64) {
	c.mu.Lock()
	e = c.entries[name]
	if e != nil && c.now().Sub(e.at) > MaxAge {
		c.remove(name, e)
		e = nil
	}
	seq = c.seq
	c.mu.Unlock()
	if e != nil {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return e, seq
}

// put keeps a loaded value unless an invalidation came after its load began
// or the cache is offline, then drops values until the cache is within its
// bound.
func (c *Cache) put(name string, seq uint64, val any, keys []string, weight int64) {
	e := &entry{val: val, keys: keys, size: weight + int64(len(name)) + 64, at: c.now()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq != seq || !c.online || e.size > c.max/4 {
		return
	}
	if old := c.entries[name]; old != nil {
		c.remove(name, old)
	}
	c.entries[name] = e
	c.size += e.size
	for _, k := range e.keys {
		set := c.byKey[k]
		if set == nil {
			set = map[string]struct{}{}
			c.byKey[k] = set
		}
		set[name] = struct{}{}
	}
	// Go's map order is random enough to pick victims by.
	for n, v := range c.entries {
		if c.size <= c.max {
			break
		}
		c.remove(n, v)
	}
}

func (c *Cache) remove(name string, e *entry) {
	delete(c.entries, name)
	c.size -= e.size
	for _, k := range e.keys {
		if set := c.byKey[k]; set != nil {
			delete(set, name)
			if len(set) == 0 {
				delete(c.byKey, k)
			}
		}
	}
}

// Invalidate drops the values that depend on any of keys or on their kinds,
// or every value when all is set (a write that declared nothing).
func (c *Cache) Invalidate(keys []string, all bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	if all {
		c.clear()
		return
	}
	for _, k := range keys {
		c.drop(k)
		if len(k) > 1 {
			c.drop(k[:1])
		}
	}
}

func (c *Cache) drop(key string) {
	for name := range c.byKey[key] {
		c.remove(name, c.entries[name])
	}
}

func (c *Cache) clear() {
	clear(c.entries)
	clear(c.byKey)
	c.size = 0
}

// SetOnline marks whether invalidations from other instances are arriving;
// while they are not, nothing is kept.
func (c *Cache) SetOnline(on bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.online = on
	c.clear()
}

// Stats is what the cache reports to operators.
type Stats struct {
	Entries int   `json:"entries"`
	Bytes   int64 `json:"bytes"`
	Hits    int64 `json:"hits"`
	Misses  int64 `json:"misses"`
	Online  bool  `json:"online"`
}

// Stats returns the cache's counters.
func (c *Cache) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Entries: len(c.entries), Bytes: c.size, Hits: c.hits.Load(), Misses: c.misses.Load(), Online: c.online}
}
