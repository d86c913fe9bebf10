package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"practica/internal/app"
	"practica/internal/config"
	"practica/internal/testenv"
)

// TestDebugListener: with a loopback address the debug listener serves the
// pprof index, a profile, expvar and the runtime summary; a non-loopback
// address is refused even when configuration checks were skipped.
func TestDebugListener(t *testing.T) {
	env := testenv.New(t)
	ln, err := app.ListenDebug("127.0.0.1:0")
	if err != nil {
		t.Fatalf("ListenDebug(127.0.0.1:0): %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- env.App.ServeDebug(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	for _, c := range []struct{ path, want string }{
		{"/debug/pprof/", "goroutine"},
		{"/debug/pprof/heap?debug=1", "heap profile"},
		{"/debug/pprof/goroutine?debug=1", "goroutine profile"},
		{"/debug/vars", "memstats"},
		{"/debug/runtime", "goroutines"},
	} {
		res, err := http.Get(base + c.path)
		if err != nil {
			t.Fatalf("GET %s: %v", c.path, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), c.want) {
			t.Errorf("GET %s on the debug listener: %d %.200q; want 200 containing %q", c.path, res.StatusCode, body, c.want)
		}
	}
	res, err := http.Get(base + "/debug/runtime")
	if err != nil {
		t.Fatal(err)
	}
	var rs app.RuntimeStats
	err = json.NewDecoder(res.Body).Decode(&rs)
	res.Body.Close()
	if err != nil || rs.Goroutines == 0 || rs.ReadPool.MaxOpenConnections == 0 {
		t.Errorf("/debug/runtime = %+v, %v; want goroutines and the read pool's size", rs, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeDebug returned %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("debug listener did not stop within 5 s of cancel")
	}

	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		if ln, err := app.ListenDebug(addr); err == nil {
			ln.Close()
			t.Errorf("ListenDebug(%q) succeeded; want it refused as not loopback", addr)
		}
	}
}

// TestMainRouterHasNoDebugRoutes: the public router never serves profiles,
// whether or not the debug listener is on.
func TestMainRouterHasNoDebugRoutes(t *testing.T) {
	env := testenv.New(t)
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/profile?seconds=1", "/debug/vars", "/debug/runtime", "/api/debug/pprof/"} {
		for _, as := range []*testenv.User{nil, env.Admin} {
			if rec := env.Get(t, as, path); rec.Code != http.StatusNotFound {
				t.Errorf("GET %s on the main router as %v: %d; want 404", path, as, rec.Code)
			}
		}
	}
}

// TestServeRefusesPublicDebugAddr: ServeListener re-checks the debug
// address, so a Config built without Load cannot expose profiles.
func TestServeRefusesPublicDebugAddr(t *testing.T) {
	cfg := config.Config{Addr: "127.0.0.1:0", DatabaseURL: filepath.Join(t.TempDir(), "p.db"), BaseURL: "http://127.0.0.1", LogFormat: "text", DebugAddr: "0.0.0.0:0"}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Now)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = a.Serve(ctx)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("Serve with debug address 0.0.0.0:0 = %v; want a refusal naming loopback", err)
	}
}
