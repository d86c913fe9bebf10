package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"practica/internal/app"
	"practica/internal/config"
	"practica/internal/model"
	"practica/internal/testenv"
)

// goneWriter is a client that hangs up once the status line is out: every
// body write fails, as on a broken pipe.
type goneWriter struct {
	header  http.Header
	headers int
}

func (g *goneWriter) Header() http.Header       { return g.header }
func (g *goneWriter) WriteHeader(int)           { g.headers++ }
func (g *goneWriter) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// TestClientGoneMidPage: a page whose client went away is neither logged as a
// server error nor answered with a second status line.
func TestClientGoneMidPage(t *testing.T) {
	d := testenv.OpenDB(t)
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	logs := &testenv.LogBuffer{}
	clock := &testenv.Clock{}
	cfg := config.Config{Addr: "127.0.0.1:0", BaseURL: "http://example.test", DatabaseURL: "test", LogFormat: "text"}
	env := &testenv.Env{App: app.Wire(d, cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})), clock.Now), Clock: clock}
	env.Admin = env.NewUser(t, "admin", model.RoleAdmin)
	for _, path := range []string{"/", "/questions", "/tags"} {
		g := &goneWriter{header: http.Header{}}
		env.App.Handler.ServeHTTP(g, httptest.NewRequest(http.MethodGet, path, nil))
		if g.headers != 1 {
			t.Errorf("GET %s to a gone client: %d status lines, want 1", path, g.headers)
		}
	}
	if s := logs.String(); strings.Contains(s, "level=ERROR") || strings.Contains(s, "superfluous") {
		t.Errorf("a gone client was logged as a failure:\n%s", s)
	}
}
