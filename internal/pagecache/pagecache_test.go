package pagecache

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// page is a handler that renders body, declaring keys, and counts renders.
type page struct {
	keys    []string
	body    string
	renders int
	during  func() // runs while the page renders, after its reads
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.renders++
	Depend(r.Context(), p.keys...)
	if p.during != nil {
		p.during()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(p.body))
}

func everyone(*http.Request) bool { return true }

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestInvalidateByKey(t *testing.T) {
	c := New(1<<20, time.Minute, time.Now)
	a, b := &page{keys: []string{Topic(1)}, body: "one"}, &page{keys: []string{Topic(2)}, body: "two"}
	mux := http.NewServeMux()
	mux.Handle("/a", a)
	mux.Handle("/b", b)
	h := c.Middleware(everyone, mux)
	for range 3 {
		get(h, "/a")
		get(h, "/b")
	}
	if a.renders != 1 || b.renders != 1 {
		t.Fatalf("renders %d, %d; want 1 each", a.renders, b.renders)
	}
	c.Invalidate([]string{Topic(1)}, false)
	get(h, "/a")
	get(h, "/b")
	if a.renders != 2 || b.renders != 1 {
		t.Errorf("after invalidating topic 1: renders %d, %d; want 2, 1", a.renders, b.renders)
	}
	c.Invalidate(nil, true)
	get(h, "/b")
	if b.renders != 2 {
		t.Errorf("after a flush: b rendered %d times, want 2", b.renders)
	}
}

// A page whose data changed while it rendered must not be kept: the next
// visitor would get the old version until something else invalidated it.
func TestRenderRacingAWriteIsNotKept(t *testing.T) {
	c := New(1<<20, time.Minute, time.Now)
	p := &page{keys: []string{Topic(7), Lists}, body: "old"}
	p.during = func() { c.Invalidate([]string{Lists}, false) }
	h := c.Middleware(everyone, p)
	get(h, "/t/7")
	p.during = nil
	get(h, "/t/7")
	if p.renders != 2 {
		t.Errorf("renders %d, want 2: the copy rendered across a write was kept", p.renders)
	}
	get(h, "/t/7")
	if p.renders != 2 {
		t.Errorf("renders %d, want 2: a clean render was not kept", p.renders)
	}
	if s := c.Stats(); s.Refused != 1 {
		t.Errorf("refused %d, want 1", s.Refused)
	}
}

func TestOnlyDeclaredGuestPagesAreKept(t *testing.T) {
	c := New(1<<20, time.Minute, time.Now)
	silent := &page{body: "no keys"}
	h := c.Middleware(func(r *http.Request) bool { return r.Header.Get("Cookie") == "" }, silent)
	get(h, "/x")
	get(h, "/x")
	if silent.renders != 2 {
		t.Errorf("a page that declared nothing was cached")
	}
	p := &page{keys: []string{Lists}, body: "list"}
	h = c.Middleware(func(r *http.Request) bool { return r.Header.Get("Cookie") == "" }, p)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Cookie", "practica_session=x")
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	post := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(""))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), post)
	}
	if p.renders != 4 {
		t.Errorf("renders %d, want 4: members' or posted pages came from the cache", p.renders)
	}
}

func TestBoundedAndExpiring(t *testing.T) {
	clk := &clock{t: time.Unix(1e9, 0)}
	c := New(64<<10, time.Minute, clk.now)
	body := strings.Repeat("x", 10<<10)
	p := &page{keys: []string{Lists}, body: body}
	h := c.Middleware(everyone, p)
	for i := range 50 {
		clk.t = clk.t.Add(time.Millisecond)
		get(h, "/p"+strconv.Itoa(i))
	}
	if s := c.Stats(); s.Bytes > 64<<10 || s.Entries == 0 || s.Entries > 6 {
		t.Errorf("after 50 pages of 10 KB in 64 KB: %d entries, %d bytes", s.Entries, s.Bytes)
	}
	get(h, "/p49")
	n := p.renders
	get(h, "/p49")
	if p.renders != n {
		t.Fatalf("the newest page was evicted")
	}
	clk.t = clk.t.Add(2 * time.Minute)
	get(h, "/p49")
	if p.renders != n+1 {
		t.Errorf("a page older than MaxAge was served")
	}
}

func TestOfflineBypasses(t *testing.T) {
	c := New(1<<20, time.Minute, time.Now)
	p := &page{keys: []string{Lists}, body: "list"}
	h := c.Middleware(everyone, p)
	get(h, "/")
	c.SetOnline(false)
	get(h, "/")
	get(h, "/")
	if p.renders != 3 {
		t.Errorf("renders %d, want 3: served or stored while offline", p.renders)
	}
	c.SetOnline(true)
	get(h, "/")
	get(h, "/")
	if p.renders != 4 {
		t.Errorf("renders %d, want 4 once back online", p.renders)
	}
}

func TestConditionalGet(t *testing.T) {
	c := New(1<<20, time.Minute, time.Now)
	h := c.Middleware(everyone, &page{keys: []string{Lists}, body: "list"})
	get(h, "/")
	rec := get(h, "/")
	etag := rec.Header().Get("ETag")
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("If-None-Match", etag)
	got := httptest.NewRecorder()
	h.ServeHTTP(got, req)
	if etag == "" || got.Code != http.StatusNotModified || got.Body.Len() != 0 {
		t.Errorf("If-None-Match %q: %d with %d bytes, want 304 and no body", etag, got.Code, got.Body.Len())
	}
}

// Only the parameters pages read make entries: anything else is rendered
// every time, so made-up queries cannot fill the cache.
func TestUnknownParametersBypass(t *testing.T) {
	c := New(1<<20, time.Minute, time.Now)
	p := &page{keys: []string{Lists}, body: "list"}
	h := c.Middleware(everyone, p)
	for range 2 {
		get(h, "/?page=2")
	}
	if p.renders != 1 {
		t.Fatalf("renders %d, want 1 for a known parameter", p.renders)
	}
	for _, q := range []string{"/?utm=1", "/?page=2&page=3", "/?page=%zz"} {
		get(h, q)
		get(h, q)
	}
	if p.renders != 7 || c.Stats().Entries != 1 {
		t.Errorf("renders %d, entries %d; want 7 and 1", p.renders, c.Stats().Entries)
	}
}
