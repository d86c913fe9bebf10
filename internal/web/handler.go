package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/a-h/templ"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/community"
	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/markup"
	"practica/internal/memo"
	"practica/internal/messages"
	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/realtime"
	"practica/internal/transfer"
	"practica/internal/web/view"
)

// Deps is what the web handler needs.
type Deps struct {
	Auth           *auth.Service
	Community      *community.Service
	Content        *content.Service
	Inbox          *notify.Inbox
	Messages       *messages.Service
	Live           *realtime.Hub
	Data           *transfer.Service
	Markup         *markup.Renderer
	Log            *slog.Logger
	Limits         *httpx.Limits
	TrustedProxies []netip.Prefix
	SecureCookies  bool
	SMTP           bool
	Dev            bool
}

// fragmentBytes bounds the rendered posts and topic rows kept between
// requests: about 2,000 posts of 4 KB, a busy community's hot topics in each
// permission class.
const fragmentBytes = 8 << 20

// Handler serves the web UI.
type Handler struct {
	Deps
	static *Static
	// setupDone caches that an admin exists, so pages stop checking once it is true.
	setupDone atomic.Bool
	// fragments keeps rendered posts and topic rows (see view.WithFragments).
	fragments *memo.Cache
}

// New returns the web handler.
func New(d Deps) *Handler {
	return &Handler{Deps: d, static: NewStatic(d.Dev), fragments: view.NewFragments(fragmentBytes)}
}

// pageFunc is an HTML handler that reports failure by returning an error.
type pageFunc func(w http.ResponseWriter, r *http.Request) error

// page adapts a pageFunc, sending errors through fail.
func (h *Handler) page(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := readForm(r); err != nil {
			h.fail(w, r, err)
			return
		}
		sw := &startedWriter{ResponseWriter: w}
		if err := fn(sw, r); err != nil {
			if sw.started {
				// The answer had begun (usually the client went away mid-page):
				// an error page can no longer be sent, and it is no server fault.
				h.Log.Debug("response cut short", "id", httpx.RequestID(r.Context()), "path", r.URL.Path, "err", err)
				return
			}
			h.fail(w, r, err)
		}
	})
}

// startedWriter notes whether a response has begun, so that an error after
// that point is not answered with a second status line.
type startedWriter struct {
	http.ResponseWriter
	started bool
}

func (s *startedWriter) WriteHeader(code int) {
	s.started = true
	s.ResponseWriter.WriteHeader(code)
}

func (s *startedWriter) Write(b []byte) (int, error) {
	s.started = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *startedWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// readForm parses a posted form before the handler runs, so that a body over
// the size cap answers 413 instead of reaching the handler as an empty form
// (r.PostFormValue drops the error). Other parse errors are left to the
// handler's validation, as before.
func readForm(r *http.Request) error {
	if r.Method != http.MethodPost {
		return nil
	}
	var mb *http.MaxBytesError
	if err := r.ParseForm(); errors.As(err, &mb) {
		return err
	}
	return nil
}

// fail renders the error page for err: the apperr's message, or a generic one
// for internal errors, which are logged once with the request id.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := httpx.Status(err)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		status = http.StatusRequestEntityTooLarge
	}
	if status == http.StatusUnauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if status >= 500 {
		h.Log.Error("request failed", "id", httpx.RequestID(r.Context()), "path", r.URL.Path, "err", err)
	}
	msg, _ := httpx.Message(err)
	if status == http.StatusNotFound {
		msg = "We could not find that page."
	}
	if status == 499 {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	_ = h.render(w, r, status, view.Error(view.ErrorPage{Chrome: h.chrome(r, "Error", ""), Status: status, Message: msg}))
}

// render writes a component as a full HTML response. Pages are personal
// (the chrome names the viewer), so shared caches keep none; a handler may
// have asked for stricter already (errors are no-store).
//
// The page is rendered into a buffer first and sent in one write with its
// length: a 30 KB page otherwise leaves in eight chunked 4 KB writes (a
// system call each, an eighth of a member's topic page on dataset M), and a
// render that fails part-way still gets a whole error page instead of half a
// page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	buf := httpx.Buffer()
	defer httpx.PutBuffer(buf)
	if err := c.Render(view.WithFragments(r.Context(), h.fragments), buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	w.Header().Set("Vary", "Cookie, HX-Request")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// chrome builds the frame every page shares.
func (h *Handler) chrome(r *http.Request, title, nav string) view.Chrome {
	ctx := r.Context()
	v := auth.ViewerFrom(ctx)
	c := view.Chrome{Title: title, Viewer: v, Nav: nav, Assets: h.static.Assets(), Path: url.QueryEscape(r.URL.RequestURI()), CommunityName: "Practica"}
	if settings, err := h.Auth.Settings(ctx); err == nil && settings["community_name"] != "" {
		c.CommunityName = settings["community_name"]
	}
	if f, ok := ctx.Value(flashKey{}).(string); ok {
		c.Flash = f
	}
	if !v.Guest() {
		c.Unread, _ = h.Inbox.Unread(ctx, v) // the bell without a count is better than no page
		c.Conversations, _ = h.Messages.Unread(ctx, v)
		spaces, err := h.Community.Spaces(ctx, v, false)
		if err == nil {
			for _, s := range spaces {
				if s.Role != model.SpaceNone {
					c.Spaces = append(c.Spaces, s)
				}
			}
		}
	}
	return c
}

// lean is chrome for a content page, which needs only the core stylesheet.
func (h *Handler) lean(r *http.Request, title, nav string) view.Chrome {
	c := h.chrome(r, title, nav)
	c.Lean = true
	return c
}

type flashKey struct{}

const flashCookie = "practica_flash"

// flash sets a one-time message shown on the next page.
func (h *Handler) flash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// redirect answers a form post with 303 See Other and an optional flash.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, to, msg string) error {
	if msg != "" {
		h.flash(w, msg)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

const sessionCookie = "practica_session"

func (h *Handler) cookieName() string {
	if h.SecureCookies {
		return "__Host-" + sessionCookie
	}
	return sessionCookie
}

func (h *Handler) setSession(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: secret, Path: "/", HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode,
		MaxAge: int(auth.SessionTTL / time.Second)})
}

func (h *Handler) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: "", Path: "/", HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// sessionSecret returns the session cookie's value, if any.
func (h *Handler) sessionSecret(r *http.Request) string {
	if c, err := r.Cookie(h.cookieName()); err == nil {
		return c.Value
	}
	return ""
}

// Shared reports whether a request's page may be shared with every other
// visitor (the page cache): it carries no session and no one-time message.
func (h *Handler) Shared(r *http.Request) bool {
	_, err := r.Cookie(flashCookie)
	return h.sessionSecret(r) == "" && err != nil
}

// withViewer resolves the session cookie and the flash before the handler runs.
func (h *Handler) withViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		v, _, err := h.Auth.SessionViewer(ctx, h.sessionSecret(r))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if v.Guest() && h.sessionSecret(r) != "" {
			h.clearSession(w) // expired or revoked: forget it
		}
		ctx = auth.WithViewer(ctx, v)
		if !v.Guest() {
			h.Content.Visited(v.UserID())
		}
		if c, err := r.Cookie(flashCookie); err == nil {
			if msg, err := url.QueryUnescape(c.Value); err == nil && len(msg) < 300 {
				ctx = context.WithValue(ctx, flashKey{}, msg)
			}
			http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1})
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requireSetup sends every page to /setup until the first admin exists.
func (h *Handler) requireSetup(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.setupDone.Load() && r.URL.Path != "/setup" && !strings.HasPrefix(r.URL.Path, "/static/") {
			needed, err := h.Auth.SetupNeeded(r.Context())
			if err != nil {
				h.fail(w, r, err)
				return
			}
			if needed {
				http.Redirect(w, r, "/setup", http.StatusSeeOther)
				return
			}
			h.setupDone.Store(true)
		}
		next.ServeHTTP(w, r)
	})
}

// form reads a submitted form into a view.Form with the given fields.
func form(r *http.Request, fields ...string) view.Form {
	f := view.Form{Values: map[string]string{}}
	for _, name := range fields {
		f.Values[name] = r.PostFormValue(name)
	}
	return f
}

// formError fills a form's messages from err. It returns false when err is
// not about the input (and should go to fail instead).
func formError(f *view.Form, err error) bool {
	e, ok := apperr.As(err)
	if !ok || (e.Kind != apperr.Invalid && e.Kind != apperr.Conflict && e.Kind != apperr.Forbidden && e.Kind != apperr.TooMany) {
		return false
	}
	f.Errors = e.Fields
	f.Message = e.Msg
	return true
}

// formStatus is the status of a form re-rendered with errors.
func formStatus(err error) int {
	if s := httpx.Status(err); s != http.StatusInternalServerError {
		return s
	}
	return http.StatusBadRequest
}

// pathID reads a positive integer path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("Not found.")
	}
	return id, nil
}

// safeNext keeps a post-sign-in redirect on this site (no open redirects).
func safeNext(next string) string {
	// Browsers drop tabs and newlines from URLs, so "/\t/evil.example" would
	// become "//evil.example": refuse every control character.
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	return next
}

// limit reports whether an action is within its rate limit for the keys.
func limit(l *httpx.Limiter, keys ...string) error {
	ok := true
	for _, k := range keys {
		if !l.Allow(k) {
			ok = false
		}
	}
	if !ok {
		return httpx.ErrTooMany
	}
	return nil
}
