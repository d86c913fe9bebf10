package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"practica/internal/apperr"
	"practica/internal/model"
)

// ClientIP returns the address of the client: the connection's peer, or, when
// that peer is a trusted proxy, the nearest untrusted address in
// X-Forwarded-For. A spoofed header from an untrusted peer is ignored.
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(addr, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return host
		}
		if !isTrusted(a, trusted) {
			return a.String()
		}
	}
	return host
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// Limiter allows Burst events per key every Window (a fixed window per key).
// It is in memory: with several instances each enforces its own share.
type Limiter struct {
	Burst  int
	Window time.Duration
	Now    func() time.Time

	mu      sync.Mutex
	windows map[string]*window
	swept   time.Time
}

type window struct {
	start time.Time
	n     int
}

// ErrTooMany is returned when a limit is hit.
var ErrTooMany = apperr.New(apperr.TooMany, "Too many attempts. Please wait a minute and try again.")

// Allow counts one event for key and reports whether it is within the limit.
func (l *Limiter) Allow(key string) bool {
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.windows == nil {
		l.windows = map[string]*window{}
	}
	if now.Sub(l.swept) > l.Window {
		for k, w := range l.windows {
			if now.Sub(w.start) >= l.Window {
				delete(l.windows, k)
			}
		}
		l.swept = now
	}
	w, ok := l.windows[key]
	if !ok || now.Sub(w.start) >= l.Window {
		w = &window{start: now}
		l.windows[key] = w
	}
	w.n++
	return w.n <= l.Burst
}

// Limits are the rate limits on abuse-prone actions, shared by web and API.
type Limits struct {
	SignIn *Limiter // per client address and per login name
	SignUp *Limiter // per client address
	Reset  *Limiter // per client address
	Post   *Limiter // per member: topics and replies
	Search *Limiter // per member or client address: searches and similar-question lookups
	Upload *Limiter // per member: pictures (each is decoded and re-encoded)
	// Direct messages, per member: Message for everyone; new accounts
	// also NewMessage and NewConversation, so that an account made to
	// spam reaches few people.
	Message, NewMessage, NewConversation *Limiter
}

// NewAccountAge is how long an account counts as new for the limits on
// direct messages.
const NewAccountAge = 72 * time.Hour

// NewLimits returns the default limits.
func NewLimits(now func() time.Time) *Limits {
	return &Limits{
		SignIn: &Limiter{Burst: 10, Window: time.Minute, Now: now},
		SignUp: &Limiter{Burst: 5, Window: 10 * time.Minute, Now: now},
		Reset:  &Limiter{Burst: 5, Window: 10 * time.Minute, Now: now},
		Post:   &Limiter{Burst: 10, Window: time.Minute, Now: now},
		Search: &Limiter{Burst: 60, Window: time.Minute, Now: now},
		Upload: &Limiter{Burst: 10, Window: time.Hour, Now: now},

		Message:         &Limiter{Burst: 30, Window: time.Minute, Now: now},
		NewMessage:      &Limiter{Burst: 20, Window: time.Hour, Now: now},
		NewConversation: &Limiter{Burst: 3, Window: time.Hour, Now: now},
	}
}

// Messaging counts one direct message by v, which starts a conversation
// when start, against the messaging limits. Staff are not limited.
func (l *Limits) Messaging(v model.Viewer, start bool) error {
	switch {
	case v.Guest():
		return apperr.ErrSignIn
	case v.Staff():
		return nil
	}
	key := "user:" + strconv.FormatInt(v.UserID(), 10)
	ok := l.Message.Allow(key)
	if l.Message.Now().Sub(v.User.CreatedAt) < NewAccountAge {
		ok = l.NewMessage.Allow(key) && ok
		if start {
			ok = l.NewConversation.Allow(key) && ok
		}
	}
	if !ok {
		return apperr.New(apperr.TooMany, "You are sending messages faster than this community allows. Please wait a while and try again.")
	}
	return nil
}

// Uploading counts one upload by v against the upload limit, staff
// included: decoding a picture costs the server the same whoever sends it.
func (l *Limits) Uploading(v model.Viewer) error {
	switch {
	case v.Guest():
		return apperr.ErrSignIn
	case !l.Upload.Allow("user:" + strconv.FormatInt(v.UserID(), 10)):
		return ErrTooMany
	}
	return nil
}

// Searching counts one search by v (or, for guests, by client address ip)
// against the search limit, which also bounds how fast the record of failed
// searches can grow.
func (l *Limits) Searching(v model.Viewer, ip string) error {
	key := "ip:" + ip
	if !v.Guest() {
		key = "user:" + strconv.FormatInt(v.UserID(), 10)
	}
	if !l.Search.Allow(key) {
		return ErrTooMany
	}
	return nil
}

// Posting counts one topic or reply by v against the posting limit. Guests
// must sign in first; staff are trusted and not limited (they seed, move and
// answer in bulk).
func (l *Limits) Posting(v model.Viewer) error {
	switch {
	case v.Guest():
		return apperr.ErrSignIn
	case v.Staff():
		return nil
	case !l.Post.Allow("user:" + strconv.FormatInt(v.UserID(), 10)):
		return ErrTooMany
	}
	return nil
}
