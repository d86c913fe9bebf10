package transfer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"practica/internal/app"
	"practica/internal/auth"
	"practica/internal/config"
	"practica/internal/content"
	"practica/internal/db"
	"practica/internal/messages"
	"practica/internal/model"
	"practica/internal/testenv"
	"practica/internal/transfer"
)

var ctx = context.Background()

// community fills env with a little of everything: a discussion, a question
// with answers, comments, votes (hence reputation events), a followed tag,
// a member's picture and expertise, direct messages (one to one and a
// group), a block and a report.
func community(t *testing.T, env *testenv.Env) (discussion, question model.Topic, answers []model.Post) {
	t.Helper()
	discussion = env.CreateTopic(t, env.Alice, env.PublicSpace, "Decoders for the surface code")
	question, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Which decoder is fastest?", Body: "Union-find or MWPM?", Tags: "decoders"})
	if err != nil {
		t.Fatalf("create question: %v", err)
	}
	for _, u := range []*testenv.User{env.Bob, env.Mod} {
		answers = append(answers, env.Reply(t, u, question.ID, "Answer by "+u.Username))
	}
	if _, err := env.App.Content.Vote(ctx, env.Alice.Viewer(), answers[0].ID, 1); err != nil {
		t.Fatalf("vote: %v", err)
	}
	people(t, env)
	return discussion, question, answers
}

// writers posts replies and votes from several members until stop is
// called, and counts what they wrote.
type writers struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	written atomic.Int64
	mu      sync.Mutex
	errs    []error
}

func startWriters(t *testing.T, env *testenv.Env, topicID, questionID int64, answers []model.Post) *writers {
	t.Helper()
	wctx, cancel := context.WithCancel(ctx)
	w := &writers{cancel: cancel}
	people := []*testenv.User{env.Alice, env.Bob, env.Mod, env.Carol(t)}
	for i, u := range people {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for n := 0; wctx.Err() == nil; n++ {
				var err error
				switch n % 3 {
				case 0:
					_, err = env.App.Content.Reply(ctx, u.Viewer(), topicID, fmt.Sprintf("Reply %d from %s", n, u.Username))
				case 1:
					_, err = env.App.Content.Reply(ctx, u.Viewer(), questionID, fmt.Sprintf("Answer %d from %s", n, u.Username))
				default:
					a := answers[(n/3+i)%len(answers)]
					if a.AuthorID != u.ID {
						_, err = env.App.Content.Vote(ctx, u.Viewer(), a.ID, []int{1, 0}[(n/3)%2])
					}
				}
				if err != nil {
					w.mu.Lock()
					w.errs = append(w.errs, fmt.Errorf("%s, write %d: %w", u.Username, n, err))
					w.mu.Unlock()
					return
				}
				w.written.Add(1)
			}
		}()
	}
	return w
}

// waitFor blocks until the writers have written n more things.
func (w *writers) waitFor(t *testing.T, n int64) {
	t.Helper()
	target := w.written.Load() + n
	deadline := time.Now().Add(30 * time.Second)
	for w.written.Load() < target {
		if time.Now().After(deadline) {
			t.Fatalf("writers stalled at %d writes, waiting for %d", w.written.Load(), target)
		}
		time.Sleep(time.Millisecond)
	}
}

func (w *writers) stop(t *testing.T) {
	t.Helper()
	w.cancel()
	w.wg.Wait()
	for _, err := range w.errs {
		t.Errorf("writer: %v", err)
	}
}

func count(t *testing.T, d *db.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := d.Read.QueryRowContext(ctx, query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// restoredEnv restores file into a new location and wires Practica over it.
func restoredEnv(t *testing.T, file string) *testenv.Env {
	t.Helper()
	target := filepath.Join(t.TempDir(), "restored", "practica.db")
	info, err := transfer.Restore(ctx, file, target)
	if err != nil {
		t.Fatalf("Restore(%s): %v", file, err)
	}
	if info.Users == 0 || info.Posts == 0 {
		t.Errorf("Restore reported %d users and %d posts; want some of each", info.Users, info.Posts)
	}
	d, err := db.Open(ctx, target)
	if err != nil {
		t.Fatalf("open the restored database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	clock := &testenv.Clock{}
	cfg := config.Config{Addr: "127.0.0.1:0", BaseURL: "http://example.test", DatabaseURL: target, LogFormat: "text"}
	return &testenv.Env{App: app.Wire(d, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Now), Clock: clock}
}

// checkSound runs SQLite's own checks and Practica's invariants on a database.
func checkSound(t *testing.T, env *testenv.Env) {
	t.Helper()
	rows, err := env.App.DB.Read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	var results []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		results = append(results, s)
	}
	rows.Close()
	if strings.Join(results, ",") != "ok" {
		t.Errorf("PRAGMA integrity_check on the restored database = %v, want [ok]", results)
	}
	rows, err = env.App.DB.Read.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatalf("foreign_key_check: %v", err)
	}
	violations := 0
	for rows.Next() {
		violations++
	}
	rows.Close()
	if violations > 0 {
		t.Errorf("PRAGMA foreign_key_check on the restored database found %d violations, want none", violations)
	}
	// Consistency: no post without its topic, opening post or first
	// revision; no revision counter ahead of the revisions; every cached
	// counter equal to what it counts.
	for _, c := range []struct{ what, query string }{
		{"posts without a topic", `SELECT COUNT(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM topics t WHERE t.id = p.topic_id)`},
		{"posts without revisions", `SELECT COUNT(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_revisions r WHERE r.post_id = p.id)`},
		{"posts whose revision number has no revision", `SELECT COUNT(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_revisions r WHERE r.post_id = p.id AND r.number = p.revision)`},
		{"topics without an opening post", `SELECT COUNT(*) FROM topics t WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.topic_id = t.id AND p.kind = 'opening')`},
		{"posts missing from the search index", `SELECT COUNT(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM search_fts f WHERE f.rowid = p.id) AND NOT EXISTS (SELECT 1 FROM search_pending q WHERE q.post_id = p.id)`},
	} {
		if n := count(t, env.App.DB, c.query); n != 0 {
			t.Errorf("restored database: %d %s", n, c.what)
		}
	}
	env.CheckCounters(t)
}

// TestBackupUnderWrites takes a backup while four members keep replying,
// answering and voting, restores it elsewhere, and checks the copy is one
// consistent moment: sound by SQLite's checks and Practica's invariants, and
// holding every post written before the backup began and none written after
// it ended.
func TestBackupUnderWrites(t *testing.T) {
	t.Parallel()
	env := testenv.NewOn(t, testenv.OpenSQLite(t))
	discussion, question, answers := community(t, env)
	w := startWriters(t, env, discussion.ID, question.ID, answers)
	w.waitFor(t, 60)
	before := count(t, env.App.DB, `SELECT MAX(id) FROM posts`)
	file := filepath.Join(t.TempDir(), "backup.db")
	info, err := transfer.Backup(ctx, env.App.DB, file, env.Clock.Now)
	if err != nil {
		w.stop(t)
		t.Fatalf("Backup during writes: %v", err)
	}
	after := count(t, env.App.DB, `SELECT MAX(id) FROM posts`)
	w.waitFor(t, 60) // the writers carried on
	w.stop(t)
	if st, err := os.Stat(file); err != nil || st.Size() != info.Bytes || info.Bytes == 0 {
		t.Errorf("backup file: %v, size %v; Backup reported %d bytes", err, st, info.Bytes)
	}
	restored := restoredEnv(t, file)
	checkSound(t, restored)
	got := count(t, restored.App.DB, `SELECT MAX(id) FROM posts`)
	if got < before || got > after {
		t.Errorf("the backup's newest post is %d; want one between %d (written before the backup) and %d (after it)", got, before, after)
	}
	if n := count(t, restored.App.DB, `SELECT COUNT(*) FROM posts`); n != count(t, restored.App.DB, `SELECT COUNT(*) FROM post_revisions WHERE number = 1`) {
		t.Errorf("restored: %d posts but a different number of first revisions", n)
	}
	if total := count(t, env.App.DB, `SELECT MAX(id) FROM posts`); total <= after {
		t.Errorf("the writers wrote nothing after the backup (newest post %d), so the test proves less than it says", total)
	}
	// The restored community works: its pages serve the content.
	rec := restored.Get(t, nil, question.Path())
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Answer by bob") {
		t.Errorf("GET %s on the restored database: %d; want 200 with the answers", question.Path(), rec.Code)
	}
}

// TestBackupRoundTrip: with writers stopped, the restored database holds
// exactly the rows of the source, table by table (counts and content hashes).
func TestBackupRoundTrip(t *testing.T) {
	t.Parallel()
	env := testenv.NewOn(t, testenv.OpenSQLite(t))
	discussion, question, answers := community(t, env)
	w := startWriters(t, env, discussion.ID, question.ID, answers)
	w.waitFor(t, 40)
	w.stop(t)
	want, err := transfer.Digests(ctx, env.App.DB)
	if err != nil {
		t.Fatalf("Digests(source): %v", err)
	}
	file := filepath.Join(t.TempDir(), "backup.db")
	if _, err := transfer.Backup(ctx, env.App.DB, file, env.Clock.Now); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	restored := restoredEnv(t, file)
	checkSound(t, restored)
	got, err := transfer.Digests(ctx, restored.App.DB)
	if err != nil {
		t.Fatalf("Digests(restored): %v", err)
	}
	for _, table := range []string{"users", "topics", "posts", "post_revisions", "votes", "reputation_events", "tags", "topic_tags", "spaces", "space_members", "settings", "sessions", "api_tokens"} {
		if want[table].Rows == 0 && table != "votes" {
			t.Errorf("source table %s is empty; the round trip proves little for it", table)
		}
	}
	if len(got) != len(want) {
		t.Errorf("restored database has %d tables, source %d", len(got), len(want))
	}
	for table, w := range want {
		if got[table] != w {
			t.Errorf("table %s: restored %d rows, hash %s; source %d rows, hash %s", table, got[table].Rows, got[table].Short(), w.Rows, w.Short())
		}
	}
	// The source recorded the backup for the admin page.
	st, err := transfer.NewService(env.App.DB, env.App.Store).Status(ctx, env.Admin.Viewer())
	if err != nil || st.LastBackup == nil || st.LastBackup.Bytes == 0 || st.Engine != "sqlite" || st.Bytes == 0 {
		t.Errorf("Status after a backup = %+v, %v; want the engine, a size and the last backup", st, err)
	}
}

// TestBackupRefuses: a backup never overwrites a file; restore never
// overwrites a database that holds a community and accepts only sound
// Practica databases.
func TestBackupRefuses(t *testing.T) {
	t.Parallel()
	env := testenv.NewOn(t, testenv.OpenSQLite(t))
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.db")
	os.WriteFile(existing, []byte("precious"), 0o600)
	if _, err := transfer.Backup(ctx, env.App.DB, existing, env.Clock.Now); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("Backup onto an existing file = %v; want a refusal", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "precious" {
		t.Errorf("Backup changed an existing file")
	}
	if _, err := transfer.Backup(ctx, env.App.DB, filepath.Join(dir, "no", "such", "dir.db"), env.Clock.Now); err == nil {
		t.Errorf("Backup into a missing folder succeeded")
	}
	file := filepath.Join(dir, "good.db")
	if _, err := transfer.Backup(ctx, env.App.DB, file, env.Clock.Now); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	live := env.App.DB.Path
	if _, err := transfer.Restore(ctx, file, live); err == nil || !strings.Contains(err.Error(), "stop the server") {
		t.Errorf("Restore over the live database = %v; want a refusal", err)
	}
	if _, err := transfer.Restore(ctx, live, filepath.Join(dir, "b.db")); err == nil || !strings.Contains(err.Error(), "live database") {
		t.Errorf("Restore from a live database file = %v; want a refusal", err)
	}
	if _, err := transfer.Restore(ctx, existing, filepath.Join(dir, "a.db")); err == nil || !strings.Contains(err.Error(), "not a SQLite database") {
		t.Errorf("Restore of a file that is no database = %v; want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused restore left a database behind: %v", err)
	}
	if _, err := transfer.Restore(ctx, existing, filepath.Join(dir, "existing-copy.db")); err == nil {
		t.Errorf("Restore of garbage succeeded")
	}
	// A SQLite database that is not Practica's.
	other := filepath.Join(dir, "other.db")
	od, err := db.Open(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	od.Write.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`)
	od.Close()
	if _, err := transfer.Restore(ctx, other, filepath.Join(dir, "b.db")); err == nil || !strings.Contains(err.Error(), "not a Practica database") {
		t.Errorf("Restore of a foreign SQLite database = %v; want a refusal", err)
	}
	if _, err := transfer.Restore(ctx, file, other); err == nil || !strings.Contains(err.Error(), "not a Practica database") {
		t.Errorf("Restore over a foreign SQLite database = %v; want a refusal", err)
	}
	// An empty install (migrated, setup never ran) may be replaced.
	empty := testenv.OpenSQLite(t)
	if _, err := empty.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	empty.Close()
	if _, err := transfer.Restore(ctx, file, empty.Path); err != nil {
		t.Errorf("Restore over a fresh install without accounts: %v", err)
	}
}

// TestBackupOnPostgres: on PostgreSQL the command explains pg_dump instead.
func TestBackupOnPostgres(t *testing.T) {
	t.Parallel()
	url := testenv.PostgresURL(t)
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := transfer.Backup(ctx, d, filepath.Join(t.TempDir(), "x.db"), time.Now); !errors.Is(err, transfer.ErrPostgresBackup) {
		t.Errorf("Backup on PostgreSQL = %v; want ErrPostgresBackup", err)
	}
	help := transfer.PostgresBackupHelp("postgres://u:secret@db.example/prod?sslmode=disable&search_path=s1", "/backups/p.dump")
	for _, want := range []string{"pg_dump --format=custom --schema=s1 --file=/backups/p.dump 'postgres://u@db.example/prod?sslmode=disable'",
		"createdb --maintenance-db='postgres://u@db.example/prod?sslmode=disable' practica_restored",
		"pg_restore --no-owner --exit-on-error --dbname='postgres://u@db.example/practica_restored?sslmode=disable' /backups/p.dump"} {
		if !strings.Contains(help, want) {
			t.Errorf("PostgresBackupHelp lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "secret") {
		t.Errorf("PostgresBackupHelp prints the password:\n%s", help)
	}
}

// people adds what members keep of themselves and between them.
func people(t *testing.T, env *testenv.Env) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 40))
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Auth.SetAvatar(ctx, env.Bob.Viewer(), pic.Bytes()); err != nil {
		t.Fatalf("avatar: %v", err)
	}
	if err := env.App.Auth.UpdateProfile(ctx, env.Bob.Viewer(), auth.ProfileInput{Expertise: "decoders", Location: "Delft"}); err != nil {
		t.Fatalf("profile: %v", err)
	}
	if _, err := env.App.Messages.Start(ctx, env.Alice.Viewer(), messages.StartInput{To: "bob", Body: "A word in private."}); err != nil {
		t.Fatalf("message: %v", err)
	}
	c, err := env.App.Messages.Start(ctx, env.Mod.Viewer(), messages.StartInput{To: "alice bob", Title: "Moderators and leaders", Body: "A group."})
	if err != nil {
		t.Fatalf("group: %v", err)
	}
	view, err := env.App.Messages.Conversation(ctx, env.Bob.Viewer(), c.ID, 0)
	if err != nil {
		t.Fatalf("read the group: %v", err)
	}
	if _, err := env.App.Messages.Report(ctx, env.Bob.Viewer(), c.ID, view.Messages[0].ID, "Testing reports."); err != nil {
		t.Fatalf("report: %v", err)
	}
	if err := env.App.Messages.Block(ctx, env.Bob.Viewer(), "mod", true); err != nil {
		t.Fatalf("block: %v", err)
	}
}
