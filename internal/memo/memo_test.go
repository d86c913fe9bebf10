package memo_test

import (
	"errors"
	"testing"
	"time"

	"practica/internal/memo"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func one(int) int64 { return 100 }

// get reads name through c and reports whether load ran.
func get(t *testing.T, c *memo.Cache, name string, val int, keys ...string) (int, bool) {
	t.Helper()
	loaded := false
	v, err := memo.Get(c, name, one, func() (int, error) { loaded = true; return val, nil }, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return v, loaded
}

func TestKeysKindsAndAll(t *testing.T) {
	c := memo.New(1<<20, (&clock{time.Unix(0, 0)}).now)
	get(t, c, "topic", 1, "t1")
	get(t, c, "tags", 2, "lists", "g")
	get(t, c, "settings", 3)
	if v, loaded := get(t, c, "topic", 9, "t1"); loaded || v != 1 {
		t.Fatalf("second read: %d, loaded %v; want the kept 1", v, loaded)
	}
	c.Invalidate([]string{"t2"}, false)
	if _, loaded := get(t, c, "topic", 1, "t1"); loaded {
		t.Error("another topic's key dropped this topic")
	}
	c.Invalidate([]string{"t1"}, false)
	if v, loaded := get(t, c, "topic", 4, "t1"); !loaded || v != 4 {
		t.Errorf("after its key: %d, loaded %v; want a fresh load", v, loaded)
	}
	c.Invalidate([]string{"g7"}, false) // one tag reaches a value that depends on every tag
	if _, loaded := get(t, c, "tags", 2, "lists", "g"); !loaded {
		t.Error("a tag's key did not drop a value that depends on all tags")
	}
	if _, loaded := get(t, c, "settings", 3); loaded {
		t.Error("a keyed write dropped a value with no keys")
	}
	c.Invalidate(nil, true)
	for _, name := range []string{"topic", "tags", "settings"} {
		if _, loaded := get(t, c, name, 5); !loaded {
			t.Errorf("%s survived a write that declared nothing", name)
		}
	}
}

// A load that began before an invalidation is used once but not kept.
func TestLoadRacingAWrite(t *testing.T) {
	c := memo.New(1<<20, (&clock{time.Unix(0, 0)}).now)
	v, err := memo.Get(c, "topic", one, func() (int, error) {
		c.Invalidate([]string{"t1"}, false)
		return 1, nil
	}, "t1")
	if err != nil || v != 1 {
		t.Fatalf("racing load: %d, %v", v, err)
	}
	if _, loaded := get(t, c, "topic", 2, "t1"); !loaded {
		t.Error("a value loaded across an invalidation was kept")
	}
}

func TestErrorsOfflineExpiryAndBound(t *testing.T) {
	clk := &clock{time.Unix(0, 0)}
	c := memo.New(1000, clk.now)
	boom := errors.New("boom")
	if _, err := memo.Get(c, "x", one, func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("error: %v", err)
	}
	if _, loaded := get(t, c, "x", 1); !loaded {
		t.Error("a failed load was kept")
	}
	clk.t = clk.t.Add(memo.MaxAge + time.Second)
	if _, loaded := get(t, c, "x", 1); !loaded {
		t.Error("an expired value was served")
	}
	c.SetOnline(false)
	get(t, c, "y", 1)
	if _, loaded := get(t, c, "y", 1); !loaded {
		t.Error("a value was kept while offline")
	}
	c.SetOnline(true)
	for i := range 50 {
		get(t, c, string(rune('a'+i)), i)
	}
	if s := c.Stats(); s.Bytes > 1000 || s.Entries == 0 {
		t.Errorf("bound of 1000 bytes: %+v", s)
	}
	var nilCache *memo.Cache
	if _, loaded := get(t, nilCache, "z", 1); !loaded {
		t.Error("a nil cache kept something")
	}
}
