package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"practica/internal/app"
	"practica/internal/config"
	"practica/internal/db"
	"practica/internal/model"
	"practica/internal/testenv"
)

// TestPageCacheAcrossInstances runs two instances on one PostgreSQL
// database: a write through one reaches the other's cached guest pages
// through LISTEN/NOTIFY, and while the other is not listening it serves
// nothing from its cache.
func TestPageCacheAcrossInstances(t *testing.T) {
	env, b, stop, done := twoInstances(t)

	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Read through the other instance")
	get := func() (string, bool) {
		before := b.Pages.Stats().Hits
		rec := httptest.NewRecorder()
		b.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tp.Path(), nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s on B: %d", tp.Path(), rec.Code)
		}
		return rec.Body.String(), b.Pages.Stats().Hits > before
	}
	// The topic's own notification may still be on its way; until it has
	// arrived, B refuses to keep pages rendered before it.
	waitFor(t, "B to serve the page from its cache", func() bool { _, hit := get(); return hit })
	env.Reply(t, env.Alice, tp.ID, "Written through instance A, shown by instance B.")
	waitFor(t, "B to show A's reply", func() bool {
		body, _ := get()
		return strings.Contains(body, "shown by instance B")
	})

	stop()
	<-done
	if b.Pages.Stats().Online {
		t.Fatal("B's cache still online with its listener stopped")
	}
	get()
	if _, hit := get(); hit {
		t.Error("B served from its cache while it could not hear other instances")
	}
}

// twoInstances runs the community (env, instance A) and a second instance B
// on one PostgreSQL database, B listening for A's changes until stop.
func twoInstances(t *testing.T) (env *testenv.Env, b *app.App, stop func(), done <-chan struct{}) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	open := func() *db.DB {
		d, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	env = testenv.NewOn(t, open())
	cfg := config.Config{Addr: "127.0.0.1:0", BaseURL: "http://example.test", DatabaseURL: url, LogFormat: "text", PageCacheMB: 16}
	b = app.Wire(open(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), env.Clock.Now)
	listenCtx, stop := context.WithCancel(ctx)
	done = b.ListenChanges(listenCtx)
	t.Cleanup(func() { stop(); <-done })
	waitFor(t, "B's listener", func() bool { return b.Pages.Stats().Online })
	return env, b, stop, done
}

// waitFor polls cond for up to 10 s: notifications arrive asynchronously.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("gave up waiting for %s", what)
}

// TestNotificationSignalsAcrossInstances: a notification written through one
// instance reaches the member's open streams on another, through
// LISTEN/NOTIFY.
func TestNotificationSignalsAcrossInstances(t *testing.T) {
	env, b, _, _ := twoInstances(t)
	ctx := context.Background()

	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Heard on the other instance")
	signals, cancel, ok := b.Live.Subscribe(env.Alice.ID)
	if !ok {
		t.Fatal("B refused a stream")
	}
	defer cancel()
	env.Reply(t, env.Bob, tp.ID, "Written through A; alice's page on B hears of it.")
	select {
	case <-signals:
	case <-time.After(10 * time.Second):
		t.Fatal("alice's stream on B heard nothing of bob's reply through A")
	}
	if n, err := b.Inbox.Unread(ctx, env.Alice.Viewer()); err != nil || n != 1 {
		t.Errorf("B's unread count for alice: %d, %v; want 1", n, err)
	}
}
