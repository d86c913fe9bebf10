package transfer_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"practica/internal/app"
	"practica/internal/config"
	"practica/internal/db"
	"practica/internal/model"
	"practica/internal/testenv"
	"practica/internal/transfer"
)

// TestExportToPostgres moves a SQLite community into a fresh PostgreSQL
// schema and checks the copy table by table, the id sequences, the search
// index, the sessions, and that the same app then serves it.
func TestExportToPostgres(t *testing.T) {
	t.Parallel()
	pgURL := testenv.PostgresURL(t)
	env := testenv.NewOn(t, testenv.OpenSQLite(t))
	discussion, question, answers := community(t, env)
	w := startWriters(t, env, discussion.ID, question.ID, answers)
	w.waitFor(t, 30)
	w.stop(t)
	if _, err := env.App.Content.Comment(ctx, env.Alice.Viewer(), answers[0].ID, "A comment on the first answer, long enough."); err != nil {
		t.Fatalf("comment: %v", err)
	}
	if _, err := env.App.Content.SetDeleted(ctx, env.Mod.Viewer(), answers[1].ID, true); err != nil {
		t.Fatalf("delete an answer: %v", err)
	}
	secret := env.CreateTopic(t, env.Alice, env.SecretSpace, "Board notes on decoders")
	// A signed-out session leaves a hole at the top of the sessions ids,
	// which SQLite's AUTOINCREMENT never reuses; neither may PostgreSQL.
	gone := env.NewUser(t, "gone", model.RoleMember)
	if err := env.App.Auth.SignOut(ctx, gone.Session); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	want, err := transfer.Digests(ctx, env.App.DB)
	if err != nil {
		t.Fatalf("Digests(source): %v", err)
	}

	dst, err := db.Open(ctx, pgURL)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { dst.Close() })
	rep, err := transfer.Export(ctx, env.App.DB, dst, transfer.ExportOptions{Sessions: true})
	if err != nil {
		t.Fatalf("Export: %v (report %+v)", err, rep)
	}
	posts := count(t, env.App.DB, `SELECT COUNT(*) FROM posts`)
	if int64(rep.Indexed) != posts || count(t, dst, `SELECT COUNT(*) FROM search_docs`) != posts {
		t.Errorf("search index: Export indexed %d posts, search_docs holds %d; the source has %d", rep.Indexed, count(t, dst, `SELECT COUNT(*) FROM search_docs`), posts)
	}
	// Verified independently of the report: every table, counts and hashes.
	got, err := transfer.Digests(ctx, dst)
	if err != nil {
		t.Fatalf("Digests(postgres): %v", err)
	}
	if len(got) != len(want) {
		t.Errorf("postgres has %d data tables, sqlite %d", len(got), len(want))
	}
	for table, w := range want {
		if got[table] != w {
			t.Errorf("table %s: postgres %d rows, hash %s; sqlite %d rows, hash %s", table, got[table].Rows, got[table].Short(), w.Rows, w.Short())
		}
		if w.Rows == 0 && (table == "users" || table == "posts" || table == "votes" || table == "sessions") {
			t.Errorf("source table %s is empty; the export proves little for it", table)
		}
	}

	// The same binary serves the copy: pages, search, sessions, new ids.
	cfg := config.Config{Addr: "127.0.0.1:0", BaseURL: "http://example.test", DatabaseURL: pgURL, LogFormat: "text"}
	pg := &testenv.Env{App: app.Wire(dst, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), env.Clock.Now), Clock: env.Clock}
	pg.Admin, pg.Alice, pg.Bob = env.Admin, env.Alice, env.Bob
	for _, c := range []struct {
		as     *testenv.User
		path   string
		status int
		want   string
	}{
		{nil, question.Path(), http.StatusOK, "Answer by bob"},
		{nil, discussion.Path(), http.StatusOK, "Reply 0 from"},
		{env.Alice, secret.Path(), http.StatusOK, "Board notes on decoders"},
		{env.Bob, secret.Path(), http.StatusNotFound, ""},
		{nil, "/search?q=decoder", http.StatusOK, "Which decoder is fastest?"},
		{env.Alice, "/settings", http.StatusOK, "alice@example.org"},
	} {
		rec := pg.Get(t, c.as, c.path)
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("GET %s on PostgreSQL as %v: %d; want %d with %q", c.path, c.as, rec.Code, c.status, c.want)
		}
	}
	reply := pg.Reply(t, env.Bob, discussion.ID, "First reply written on PostgreSQL")
	if maxID := count(t, env.App.DB, `SELECT MAX(id) FROM posts`); reply.ID <= maxID {
		t.Errorf("a new post on PostgreSQL got id %d; want one above the copied %d", reply.ID, maxID)
	}
	var topSession int64
	env.App.DB.Read.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'sessions'`).Scan(&topSession)
	fresh := pg.NewUser(t, "fresh", model.RoleMember)
	if id := count(t, dst, `SELECT MAX(id) FROM sessions`); id <= topSession {
		t.Errorf("a new session (for %s) on PostgreSQL got id %d; want one above %d, the highest SQLite ever handed out", fresh.Username, id, topSession)
	}

	// The target is no longer empty: a second export is refused.
	if _, err := transfer.Export(ctx, env.App.DB, dst, transfer.ExportOptions{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a second Export into the same database = %v; want a refusal", err)
	}
}

// TestExportWithoutSessions: by default sessions stay behind, and members
// sign in again on the new database.
func TestExportWithoutSessions(t *testing.T) {
	t.Parallel()
	pgURL := testenv.PostgresURL(t)
	env := testenv.NewOn(t, testenv.OpenSQLite(t))
	community(t, env)
	dst, err := db.Open(ctx, pgURL)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { dst.Close() })
	rep, err := transfer.Export(ctx, env.App.DB, dst, transfer.ExportOptions{})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	skipped := false
	for _, r := range rep.Tables {
		if r.Name == "sessions" {
			skipped = r.Skipped
		}
		if r.Name == "search_fts" || strings.HasPrefix(r.Name, "search_fts_") {
			t.Errorf("Export copied the SQLite full-text table %s", r.Name)
		}
	}
	if !skipped || count(t, dst, `SELECT COUNT(*) FROM sessions`) != 0 {
		t.Errorf("sessions were copied without ExportOptions.Sessions")
	}
	if count(t, dst, `SELECT COUNT(*) FROM api_tokens`) == 0 {
		t.Errorf("API tokens were not copied")
	}
}
