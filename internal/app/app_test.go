package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"practica/internal/app"
	"practica/internal/config"
	"practica/internal/testenv"
)

// TestServeAndShutdown starts the real server on a free port, checks the
// health endpoints and that cancelling the context stops it cleanly.
func TestServeAndShutdown(t *testing.T) {
	cfg := config.Config{Addr: "127.0.0.1:0", DatabaseURL: filepath.Join(t.TempDir(), "p.db"), BaseURL: "http://127.0.0.1", LogFormat: "text"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Now)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.ServeListener(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, res.StatusCode)
		}
	}
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/setup" {
		t.Errorf("first visit ended at %s, want /setup", res.Request.URL.Path)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeListener returned %v after cancel, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop within 15 s of cancel")
	}
}

// TestIndexerEmptiesSearchQueue: on SQLite, posts written while the server
// runs are indexed by its jobs without any search asking, and whatever is
// still queued when it stops is indexed before ServeListener returns.
func TestIndexerEmptiesSearchQueue(t *testing.T) {
	env := testenv.NewOn(t, testenv.OpenSQLite(t))
	pending := func() int {
		t.Helper()
		var n int
		if err := env.App.DB.Read.QueryRow(`SELECT COUNT(*) FROM search_pending`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- env.App.ServeListener(ctx, ln) }()

	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Indexed by the jobs")
	for deadline := time.Now().Add(10 * time.Second); pending() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d posts still queued 10 s after a write", pending())
		}
	}
	for range 20 {
		env.Reply(t, env.Bob, tp.ID, "Queued at shutdown.")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ServeListener: %v", err)
	}
	if n := pending(); n != 0 {
		t.Errorf("%d posts still queued after the server stopped, want 0", n)
	}
	if _, posts, _ := env.App.Store.IndexStats(); posts < 21 {
		t.Errorf("the indexer wrote %d posts' rows, want at least 21", posts)
	}
}
