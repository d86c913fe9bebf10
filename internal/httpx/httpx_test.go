package httpx_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"practica/internal/apperr"
	"practica/internal/httpx"
	"practica/internal/model"
)

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"direct client", "198.51.100.1:5000", nil, "198.51.100.1"},
		{"untrusted peer spoofing the header", "198.51.100.1:5000", []string{"203.0.113.9"}, "198.51.100.1"},
		{"trusted proxy", "10.0.0.2:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"trusted proxy, client prepended a fake hop", "10.0.0.2:5000", []string{"1.1.1.1, 203.0.113.9"}, "203.0.113.9"},
		{"two trusted proxies", "10.0.0.2:5000", []string{"203.0.113.9, 10.0.0.3"}, "203.0.113.9"},
		{"header split over two lines", "10.0.0.2:5000", []string{"1.1.1.1", "203.0.113.9"}, "203.0.113.9"},
		{"trusted proxy without the header", "10.0.0.2:5000", nil, "10.0.0.2"},
		{"trusted proxy, garbage header", "10.0.0.2:5000", []string{"not an address"}, "10.0.0.2"},
		{"only trusted hops", "10.0.0.2:5000", []string{"10.0.0.9"}, "10.0.0.2"},
		{"IPv6 trusted proxy", "[fd00::1]:5000", []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv4-mapped trusted proxy", "[::ffff:10.0.0.2]:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"peer without a port", "198.51.100.1", nil, "198.51.100.1"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.peer
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := httpx.ClientIP(r, trusted); got != tt.want {
			t.Errorf("ClientIP(%s: peer %s, X-Forwarded-For %q) = %q, want %q", tt.name, tt.peer, tt.xff, got, tt.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	l := &httpx.Limiter{Burst: 3, Window: time.Minute, Now: func() time.Time { return now }}
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("Allow(a) #%d = false within the burst of 3", i+1)
		}
	}
	if l.Allow("a") {
		t.Errorf("Allow(a) #4 within the window = true, want false")
	}
	if !l.Allow("b") {
		t.Errorf("Allow(b) = false; keys must not share a window")
	}
	now = now.Add(59 * time.Second)
	if l.Allow("a") {
		t.Errorf("Allow(a) after 59 s = true, want false")
	}
	now = now.Add(2 * time.Second)
	if !l.Allow("a") {
		t.Errorf("Allow(a) after the window = false, want true")
	}
	// Many keys are swept, not kept forever.
	for i := range 1000 {
		l.Allow(fmt.Sprint("k", i))
	}
	now = now.Add(2 * time.Minute)
	if !l.Allow("k1") {
		t.Errorf("Allow(k1) long after its window = false")
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{apperr.New(apperr.Invalid, "x"), http.StatusBadRequest},
		{apperr.ErrSignIn, http.StatusUnauthorized},
		{apperr.New(apperr.Forbidden, "x"), http.StatusForbidden},
		{apperr.ErrNotFound, http.StatusNotFound},
		{fmt.Errorf("store: topic 3: %w", apperr.ErrNotFound), http.StatusNotFound},
		{apperr.New(apperr.Conflict, "x"), http.StatusConflict},
		{httpx.ErrTooMany, http.StatusTooManyRequests},
		{fmt.Errorf("db: %w", context.Canceled), 499},
		{fmt.Errorf("some internal failure"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		if got := httpx.Status(tt.err); got != tt.want {
			t.Errorf("Status(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	if msg, _ := httpx.Message(fmt.Errorf("pq: relation users does not exist")); msg == "" || msg == "pq: relation users does not exist" {
		t.Errorf("Message(internal error) = %q; want a generic message that hides the cause", msg)
	}
}

func TestMaxBody(t *testing.T) {
	h := httpx.MaxBody(10, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "read error", http.StatusRequestEntityTooLarge)
		}
	}))
	for _, n := range []int{10, 11} {
		for _, known := range []bool{true, false} {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("a="+strings.Repeat("x", n-2)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if !known {
				r.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			want := http.StatusOK
			if n > 10 {
				want = http.StatusRequestEntityTooLarge
			}
			if rec.Code != want {
				t.Errorf("MaxBody(10) with a %d-byte body (length known %v): status %d, want %d", n, known, rec.Code, want)
			}
		}
	}
}

// TestPostingLimit: members get 10 posts a minute, guests must sign in, and
// staff are not limited.
func TestPostingLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := httpx.NewLimits(func() time.Time { return now })
	member := model.Viewer{User: &model.User{ID: 1, Role: model.RoleMember}}
	mod := model.Viewer{User: &model.User{ID: 2, Role: model.RoleModerator}}
	if err := l.Posting(model.Viewer{}); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("Posting(guest) = %v, want Unauthenticated", err)
	}
	for i := range 30 {
		if err := l.Posting(mod); err != nil {
			t.Fatalf("Posting(moderator) #%d = %v, want nil", i+1, err)
		}
	}
	for i := range 10 {
		if err := l.Posting(member); err != nil {
			t.Fatalf("Posting(member) #%d = %v, want nil", i+1, err)
		}
	}
	if err := l.Posting(member); apperr.KindOf(err) != apperr.TooMany {
		t.Errorf("Posting(member) #11 = %v, want TooMany", err)
	}
	now = now.Add(time.Minute)
	if err := l.Posting(member); err != nil {
		t.Errorf("Posting(member) a minute later = %v, want nil", err)
	}
}
