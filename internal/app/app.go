// Package app wires Practica together: configuration to database, store,
// services, web and API handlers, and the HTTP server. It holds no rules.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"practica/internal/api"
	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/community"
	"practica/internal/config"
	"practica/internal/content"
	"practica/internal/db"
	"practica/internal/httpx"
	"practica/internal/markup"
	"practica/internal/media"
	"practica/internal/messages"
	"practica/internal/notify"
	"practica/internal/pagecache"
	"practica/internal/realtime"
	"practica/internal/store"
	"practica/internal/transfer"
	"practica/internal/web"
)

// MaxBody caps request bodies: posts are at most 50,000 characters, so 1 MiB
// leaves room for form encoding without inviting abuse.
const MaxBody = 1 << 20

// uploads are the addresses that take a file larger than MaxBody: an avatar
// (media checks the picture itself), with room for the form around it.
var uploads = map[string]int64{
	"/settings/avatar":  media.MaxAvatarBytes + 64<<10,
	"/api/v1/me/avatar": media.MaxAvatarBytes + 64<<10,
}

// App is a wired Practica instance.
type App struct {
	Config    config.Config
	DB        *db.DB
	Store     *store.Store
	Auth      *auth.Service
	Community *community.Service
	Content   *content.Service
	Inbox     *notify.Inbox
	Messages  *messages.Service
	// Live carries signals to open pages (server-sent events).
	Live    *realtime.Hub
	Log     *slog.Logger
	Now     func() time.Time
	Handler http.Handler
	// Pages keeps rendered pages for guests (nil when turned off).
	Pages  *pagecache.Cache
	sender *notify.Sender
	// badgeRuns counts finished runs of the badge job, for /debug/runtime:
	// bench/perf.sh waits for the first before it measures.
	badgeRuns atomic.Int64
}

// Now returns the current time as Practica stores it: UTC, microseconds.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// New opens and migrates the database and builds every service and handler.
// now is the clock (tests pass a fake one).
func New(ctx context.Context, cfg config.Config, log *slog.Logger, now func() time.Time) (*App, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return Wire(d, cfg, log, now), nil
}

// Wire builds the services and handlers over an opened, migrated database.
func Wire(d *db.DB, cfg config.Config, log *slog.Logger, now func() time.Time) *App {
	st := store.New(d)
	md := markup.New()
	a := &App{Config: cfg, DB: d, Store: st, Log: log, Now: now,
		Auth:      auth.NewService(st, now, cfg.BaseURL, log),
		Community: community.NewService(st, now),
		Content:   content.NewService(st, md, now)}
	a.Content.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	a.Messages = messages.New(st, md, now)
	a.Inbox = &notify.Inbox{Store: st, Sees: a.Content.Sees, SeesConversation: a.Messages.SeesConversation, Now: now, BaseURL: a.Content.BaseURL}
	a.Live = realtime.New()
	limits := httpx.NewLimits(now)
	secure := strings.HasPrefix(cfg.BaseURL, "https://")
	w := web.New(web.Deps{Auth: a.Auth, Community: a.Community, Content: a.Content, Inbox: a.Inbox, Messages: a.Messages, Live: a.Live, Data: transfer.NewService(d, st), Markup: md, Log: log, Limits: limits,
		TrustedProxies: cfg.TrustedProxies, SecureCookies: secure, SMTP: cfg.SMTPURL != "", Dev: cfg.Dev})
	apiH := api.New(api.Deps{Auth: a.Auth, Community: a.Community, Content: a.Content, Inbox: a.Inbox, Messages: a.Messages, Log: log, Limits: limits, TrustedProxies: cfg.TrustedProxies})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("/api/", apiH.Routes())
	if cfg.PageCacheMB > 0 {
		a.Pages = pagecache.New(int64(cfg.PageCacheMB)<<20, pagecache.DefaultMaxAge, now)
	}
	st.OnChange(a.changed)
	mux.Handle("/", a.Pages.Middleware(w.Shared, w.Routes()))
	cop := http.NewCrossOriginProtection()
	// One-click unsubscribe (RFC 8058) is posted by mail providers; the
	// link's token is the proof, and the action only stops emails.
	cop.AddInsecureBypassPattern("POST /unsubscribe/{token}")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := apperr.New(apperr.Forbidden, "Cross-origin requests are refused. Use this site's own pages, or an API token from a non-browser client.")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			httpx.WriteError(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(err.Msg + "\n"))
	}))
	a.Handler = httpx.Recover(log, httpx.Log(log, httpx.Secure(secure, httpx.MaxBodies(MaxBody, uploads, cop.Handler(mux)))))
	a.sender = &notify.Sender{Store: st, SMTPURL: cfg.SMTPURL, Log: log, Now: now}
	return a
}

// Job periods: buffered views and visits are written often; badges, which
// scan the whole community, less so. Posts queued for the search index
// (SQLite) gather for IndexDelay after the first, then are indexed together:
// at 1,000 new posts a second that is 50 per transaction.
const (
	FlushEvery  = 10 * time.Second
	BadgesEvery = 5 * time.Minute
	DigestEvery = 10 * time.Minute
	IndexDelay  = 50 * time.Millisecond
)

// runJobs writes buffered activity, indexes queued posts, emails
// notifications and digests and awards badges until ctx ends, then writes
// what is still buffered or queued.
func (a *App) runJobs(ctx context.Context) {
	indexed := make(chan struct{})
	go func() { a.runIndexer(ctx); close(indexed) }()
	defer func() { <-indexed }()
	flush := time.NewTicker(FlushEvery)
	badges := time.NewTicker(BadgesEvery)
	digests := time.NewTicker(DigestEvery)
	defer flush.Stop()
	defer badges.Stop()
	defer digests.Stop()
	a.awardBadges(ctx)
	for {
		select {
		case <-ctx.Done():
			if err := a.Content.FlushActivity(context.Background()); err != nil {
				a.Log.Error("flush activity at shutdown", "err", err)
			}
			return
		case <-flush.C:
			if err := a.Content.FlushActivity(ctx); err != nil {
				a.Log.Error("flush activity", "err", err)
			}
			if _, err := a.Inbox.Mail(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("mail notifications", "err", err)
			}
		case <-badges.C:
			a.awardBadges(ctx)
		case <-digests.C:
			if _, err := a.Content.SendDigests(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("send digests", "err", err)
			}
		}
	}
}

// mergeSteps bounds the index merge steps taken after each batch, so that
// posts queued meanwhile wait for at most that many.
const mergeSteps = 64

// runIndexer writes the search rows of queued posts (see store.IndexQueued)
// IndexDelay after a write queues some, then merges the index's segments,
// until ctx ends; then it indexes those still queued. It also empties what
// a crash left queued, at start.
func (a *App) runIndexer(ctx context.Context) {
	wake := a.Store.IndexWake() // nil on PostgreSQL: never fires
	for {
		if _, err := a.Store.IndexQueued(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("index queued posts", "err", err)
		}
		merged, err := a.Store.MergeIndex(ctx, mergeSteps)
		if err != nil && ctx.Err() == nil {
			a.Log.Error("merge search index", "err", err)
		}
		if merged < mergeSteps || ctx.Err() != nil { // else more to merge, after indexing what came meanwhile
			select {
			case <-ctx.Done():
				if _, err := a.Store.IndexQueued(context.Background()); err != nil {
					a.Log.Error("index queued posts at shutdown", "err", err)
				}
				return
			case <-wake:
			}
			select {
			case <-ctx.Done():
			case <-time.After(IndexDelay):
			}
		}
	}
}

// changed passes what a committed write changed, here or (through
// ListenChanges) in another instance, to the page cache and to the open
// streams of members whose notifications changed. (The store drops its own
// memo for writes made here.)
func (a *App) changed(keys []string, all bool) {
	a.Pages.Invalidate(keys, all)
	// Only the members named: a write that changes "everything" (a
	// setting, a membership) changes nobody's notifications, and waking
	// every stream for it would let anyone make every open page recount.
	a.Live.Notify(pagecache.Inboxes(keys), false)
}

// ListenChanges keeps the page cache and the store's memo in step with
// writes made by other instances on the same PostgreSQL database, until ctx
// ends; the returned channel closes when it has stopped. Both are bypassed
// until the listener is up and whenever it is down. On SQLite there is
// nothing to hear.
func (a *App) ListenChanges(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if a.DB.Dialect != db.Postgres {
		close(done)
		return done
	}
	a.Pages.SetOnline(false)
	a.Store.Memo.SetOnline(false)
	go func() {
		defer close(done)
		a.DB.Listen(ctx, store.ChangeChannel, func(up bool) {
			if !up && ctx.Err() == nil {
				a.Log.Warn("change listener down: the page cache is bypassed until it is back")
			}
			a.Pages.SetOnline(up)
			a.Store.Memo.SetOnline(up)
		}, func(payload string) {
			keys, all := store.ParseChange(payload)
			a.Store.Memo.Invalidate(keys, all)
			a.changed(keys, all)
		})
	}()
	return done
}

func (a *App) awardBadges(ctx context.Context) {
	defer a.badgeRuns.Add(1)
	n, err := a.Content.AwardBadges(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		a.Log.Error("award badges", "err", err)
	case n > 0:
		a.Log.Info("badges awarded", "count", n)
	}
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ping(ctx); err != nil {
		a.Log.Error("readiness check failed", "err", err)
		http.Error(w, "database unreachable\n", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// Serve listens on the configured address until ctx ends, then shuts down
// gracefully, letting requests in flight finish (up to 10 s).
func (a *App) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.Config.Addr, err)
	}
	return a.ServeListener(ctx, ln)
}

// ServeListener serves on ln until ctx ends, and the debug listener beside
// it when one is configured.
func (a *App) ServeListener(ctx context.Context, ln net.Listener) error {
	debugCtx, stopDebug := context.WithCancel(ctx)
	waitDebug, err := a.startDebug(debugCtx)
	if err != nil {
		stopDebug()
		ln.Close()
		return err
	}
	defer func() { stopDebug(); waitDebug() }()
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	senderCtx, stopSender := context.WithCancel(ctx)
	defer stopSender()
	go a.sender.Run(senderCtx, 5*time.Second)
	listening := a.ListenChanges(senderCtx)
	jobsDone := make(chan struct{})
	go func() { a.runJobs(senderCtx); close(jobsDone) }()
	defer func() { stopSender(); <-jobsDone; <-listening }()
	// Opening and migrating the database leaves garbage the runtime would
	// otherwise keep mapped for minutes; an idle server should not hold it.
	debug.FreeOSMemory()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("serving", "addr", "http://"+ln.Addr().String(), "database", config.Redacted(a.Config.DatabaseURL))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	a.Live.Close()
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
