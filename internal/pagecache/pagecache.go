// Package pagecache keeps rendered pages for guests in memory and serves
// them again until a write changes what they show.
//
// Precision comes from two sides. A page opts in by naming, while it
// renders, the things it shows (Depend: a topic, a space, a member, the
// topic lists); a page that names nothing is never kept. A write
// transaction names what it changed (store's Queries.Touch, with the same
// keys); one that names nothing is taken to have changed everything, so a
// forgotten write costs hits, never correctness. On PostgreSQL the keys also
// travel to the other instances (LISTEN/NOTIFY), and while that channel is
// down the cache neither serves nor stores.
//
// A render that began before an invalidation of one of its keys is not
// stored: every invalidation takes a sequence number, and a page is kept only
// if none of its keys (and no flush) is newer than the number read before it
// began reading. Entries also expire after MaxAge, which bounds how stale
// relative times ("3 min ago") and anything a write outside this process
// changed can be.
package pagecache

import (
	"bytes"
	"context"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Keys name what a page shows and a write changes.

// Topic is one topic: its posts, comments, votes, tags and state.
func Topic(id int64) string { return "t" + strconv.FormatInt(id, 10) }

// Space is one space's name, description, settings and privacy.
func Space(id int64) string { return "s" + strconv.FormatInt(id, 10) }

// User is what pages show of a member: name, avatar, reputation.
func User(id int64) string { return "u" + strconv.FormatInt(id, 10) }

// Inbox is one member's notifications: only the memo keeps what depends on
// it (the unread count in every signed-in page's bar); no shared page does.
func Inbox(userID int64) string { return "n" + strconv.FormatInt(userID, 10) }

// Inboxes returns the members whose inbox keys are among keys.
func Inboxes(keys []string) []int64 {
	var ids []int64
	for _, k := range keys {
		if len(k) > 1 && k[0] == 'n' {
			if id, err := strconv.ParseInt(k[1:], 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// Tag is one tag's name, description and synonyms.
func Tag(id int64) string { return "g" + strconv.FormatInt(id, 10) }

// AnyTag is every tag: a value that shows tags in general (popular tags)
// depends on it, and a write to any one tag reaches it (see package memo).
const AnyTag = "g"

// Lists is every list of topics (latest, questions, a space's, a tag's):
// any new topic, post, vote or edit may move a row in one.
const Lists = "lists"

// Defaults.
const (
	DefaultMaxAge = time.Minute
	// maxEntry keeps one huge page from taking a large share of the cache.
	maxEntry = 1 << 20
	// maxKeys bounds the record of invalidated keys; past it the record is
	// dropped and renders already under way are refused instead.
	maxKeys = 100_000
)

// Cache is a bounded map of request URI to rendered page.
type Cache struct {
	maxBytes int64
	maxAge   time.Duration
	now      func() time.Time

	mu      sync.RWMutex
	entries map[string]*entry
	byKey   map[string]map[*entry]struct{}
	size    int64
	seq     atomic.Uint64     // bumped under mu; renders read it without the lock
	floor   uint64            // renders begun before this are not stored
	last    map[string]uint64 // each key's latest invalidation after floor

	// online is false while invalidations from other instances may be
	// missed; the cache is then bypassed.
	online atomic.Bool

	hits, misses, stores, refused atomic.Int64
}

type entry struct {
	uri      string
	body     []byte
	etag     string
	header   [3]string // Content-Type, Cache-Control, Vary
	keys     []string
	at       time.Time
	lastHit  atomic.Int64
	onHit    func(*http.Request)
	weighted int64
}

// New returns a cache holding at most maxBytes of pages (0 disables it),
// each for at most maxAge.
func New(maxBytes int64, maxAge time.Duration, now func() time.Time) *Cache {
	c := &Cache{maxBytes: maxBytes, maxAge: maxAge, now: now, entries: map[string]*entry{},
		byKey: map[string]map[*entry]struct{}{}, last: map[string]uint64{}}
	c.online.Store(true)
	return c
}

// Enabled reports whether the cache may hold anything at all.
func (c *Cache) Enabled() bool { return c != nil && c.maxBytes > 0 }

// SetOnline marks whether invalidations from elsewhere are arriving. Going
// offline empties the cache: what it held may already be stale.
func (c *Cache) SetOnline(on bool) {
	if c == nil {
		return
	}
	if !on {
		c.online.Store(false)
		c.Invalidate(nil, true)
		return
	}
	c.Invalidate(nil, true)
	c.online.Store(true)
}

// Invalidate drops the pages that show any of keys, or every page when all
// is set, and refuses to store renders that began before now.
func (c *Cache) Invalidate(keys []string, all bool) {
	if !c.Enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	seq := c.seq.Add(1)
	if all || len(c.last)+len(keys) > maxKeys {
		c.floor = seq
		clear(c.last)
	}
	if all {
		clear(c.entries)
		clear(c.byKey)
		c.size = 0
		return
	}
	for _, k := range keys {
		c.last[k] = seq
		for e := range c.byKey[k] {
			c.remove(e)
		}
	}
}

// remove drops one entry; mu is held.
func (c *Cache) remove(e *entry) {
	if c.entries[e.uri] != e {
		return
	}
	delete(c.entries, e.uri)
	c.size -= e.weighted
	for _, k := range e.keys {
		if set := c.byKey[k]; set != nil {
			delete(set, e)
			if len(set) == 0 {
				delete(c.byKey, k)
			}
		}
	}
}

// Stats is what the cache reports to operators.
type Stats struct {
	Entries int   `json:"entries"`
	Bytes   int64 `json:"bytes"`
	Max     int64 `json:"max_bytes"`
	Hits    int64 `json:"hits"`
	Misses  int64 `json:"misses"`
	Stores  int64 `json:"stores"`
	Refused int64 `json:"refused"`
	Online  bool  `json:"online"`
}

// Stats returns the cache's counters.
func (c *Cache) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return Stats{Entries: len(c.entries), Bytes: c.size, Max: c.maxBytes, Hits: c.hits.Load(), Misses: c.misses.Load(),
		Stores: c.stores.Load(), Refused: c.refused.Load(), Online: c.online.Load()}
}

// recorder collects, in a request's context, what the page depends on.
type recorder struct {
	keys  []string
	onHit func(*http.Request)
	skip  bool
}

type ctxKey struct{}

// Depend records that the page being rendered shows what keys name. Pages
// that never call it are not cached.
func Depend(ctx context.Context, keys ...string) {
	if r, ok := ctx.Value(ctxKey{}).(*recorder); ok {
		r.keys = append(r.keys, keys...)
	}
}

// OnHit sets what a cached copy of the page does when served (counting a
// topic view), as the handler did when it rendered the page.
func OnHit(ctx context.Context, fn func(*http.Request)) {
	if r, ok := ctx.Value(ctxKey{}).(*recorder); ok {
		r.onHit = fn
	}
}

// Skip keeps the page being rendered out of the cache, whatever it depends on.
func Skip(ctx context.Context) {
	if r, ok := ctx.Value(ctxKey{}).(*recorder); ok {
		r.skip = true
	}
}

// Middleware serves cacheable requests from the cache and stores what next
// renders for them. guest reports whether a request is anonymous (no
// session, no one-time message), the only kind whose pages are shared.
func (c *Cache) Middleware(guest func(*http.Request) bool, next http.Handler) http.Handler {
	if !c.Enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !c.online.Load() || r.Header.Get("HX-Request") != "" || r.Header.Get("Authorization") != "" || !guest(r) {
			next.ServeHTTP(w, r)
			return
		}
		uri := r.URL.RequestURI()
		if !plainQuery(r.URL.RawQuery) {
			// Made-up parameters would each make an entry of their own
			// and push out the pages people read.
			next.ServeHTTP(w, r)
			return
		}
		if c.serve(w, r, uri) {
			return
		}
		c.misses.Add(1)
		since := c.seq.Load()
		rec := &recorder{}
		tw := &teeWriter{ResponseWriter: w}
		next.ServeHTTP(tw, r.WithContext(context.WithValue(r.Context(), ctxKey{}, rec)))
		if tw.status == http.StatusOK && !tw.over && len(rec.keys) > 0 && !rec.skip && w.Header().Get("Set-Cookie") == "" {
			c.store(uri, since, rec, w.Header(), tw.buf.Bytes())
		}
	})
}

// params are the query parameters pages read (paging, order, filters); a
// request with any other is rendered without the cache.
var params = map[string]bool{"page": true, "after": true, "answers": true, "comments": true, "sort": true, "kind": true, "tag": true, "space": true}

// plainQuery reports whether a raw query holds only params, each once.
func plainQuery(raw string) bool {
	if raw == "" {
		return true
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return false
	}
	for k, v := range vals {
		if !params[k] || len(v) != 1 {
			return false
		}
	}
	return true
}

// serve answers from the cache when it holds a fresh copy of uri.
func (c *Cache) serve(w http.ResponseWriter, r *http.Request, uri string) bool {
	c.mu.RLock()
	e := c.entries[uri]
	c.mu.RUnlock()
	if e == nil {
		return false
	}
	now := c.now()
	if now.Sub(e.at) > c.maxAge {
		return false
	}
	e.lastHit.Store(now.UnixNano())
	c.hits.Add(1)
	if e.onHit != nil {
		e.onHit(r)
	}
	h := w.Header()
	h.Set("Content-Type", e.header[0])
	h.Set("Cache-Control", e.header[1])
	h.Set("Vary", e.header[2])
	h.Set("ETag", e.etag)
	if r.Header.Get("If-None-Match") == e.etag {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(e.body)
	return true
}

// store keeps a rendered page unless something it shows changed after the
// render began (since), then evicts the least recently used pages past the
// size bound.
func (c *Cache) store(uri string, since uint64, rec *recorder, h http.Header, body []byte) {
	sum := fnv.New64a()
	sum.Write(body)
	// A copy: the buffer's spare capacity is not kept.
	e := &entry{uri: uri, body: bytes.Clone(body), etag: `"` + strconv.FormatUint(sum.Sum64(), 36) + `"`,
		header: [3]string{h.Get("Content-Type"), h.Get("Cache-Control"), h.Get("Vary")},
		keys:   dedupe(rec.keys), at: c.now(), onHit: rec.onHit}
	e.weighted = int64(len(e.body) + len(uri) + 64*len(e.keys) + 256)
	e.lastHit.Store(e.at.UnixNano())
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fresh(since, e.keys) || !c.online.Load() {
		c.refused.Add(1)
		return
	}
	if old := c.entries[uri]; old != nil {
		c.remove(old)
	}
	c.entries[uri] = e
	c.size += e.weighted
	for _, k := range e.keys {
		set := c.byKey[k]
		if set == nil {
			set = map[*entry]struct{}{}
			c.byKey[k] = set
		}
		set[e] = struct{}{}
	}
	c.stores.Add(1)
	for c.size > c.maxBytes && len(c.entries) > 0 {
		c.remove(c.victim())
	}
}

// fresh reports whether nothing a render begun at since shows has been
// invalidated after it began; mu is held.
func (c *Cache) fresh(since uint64, keys []string) bool {
	if c.floor > since {
		return false
	}
	for _, k := range keys {
		if c.last[k] > since {
			return false
		}
	}
	return true
}

// victim picks the least recently served of a few entries, which is close
// to least recently used without ordering every hit; mu is held.
func (c *Cache) victim() *entry {
	var v *entry
	n := 0
	for _, e := range c.entries { // map order is random enough to sample
		if v == nil || e.lastHit.Load() < v.lastHit.Load() {
			v = e
		}
		if n++; n == 8 {
			break
		}
	}
	return v
}

func dedupe(keys []string) []string {
	out := keys[:0:0]
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// teeWriter passes a response through while keeping a copy of its body,
// up to maxEntry bytes.
type teeWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
	over   bool
}

func (t *teeWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	if !t.over {
		if t.buf.Len()+len(b) > maxEntry {
			t.over = true
			t.buf = bytes.Buffer{}
		} else {
			t.buf.Write(b)
		}
	}
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
