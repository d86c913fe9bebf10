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
	"practica/internal/testenv"
)

// TestPageCacheAcrossInstances runs two instances on one PostgreSQL
// database: a write through one reaches the other's cached guest pages
// through LISTEN/NOTIFY, and while the other is not listening it serves
// nothing from its cache.
func TestPageCacheAcrossInstances(t *testing.T) {
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
	env := testenv.NewOn(t, open()) // instance A, and the community
	cfg := config.Config{Addr: "127.0.0.1:0", BaseURL: "http://example.test", DatabaseURL: url, LogFormat: "text", PageCacheMB: 16}
	b := app.Wire(open(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), env.Clock.Now)
	listenCtx, stop := context.WithCancel(ctx)
	done := b.ListenChanges(listenCtx)
	t.Cleanup(func() { stop(); <-done })
	waitFor(t, "B's listener", func() bool { return b.Pages.Stats().Online })

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
