package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"practica/internal/content"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/store"
	"practica/internal/testenv"
	"practica/internal/transfer"
)

// tiny is a size small enough for tests, with every feature of the big ones.
var tiny = Size{Name: "tiny", Topics: 200, Posts: 600, Users: 30, Tags: 15, Votes: 500, Comments: 60, HotPosts: 130}

func seedInto(t *testing.T, env *testenv.Env, seed uint64) Summary {
	t.Helper()
	sum, err := Run(context.Background(), env.App.Store, Options{Size: tiny, Seed: seed, AdminPassword: testenv.Password})
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	return sum
}

func count(t *testing.T, env *testenv.Env, query string) int {
	t.Helper()
	var n int
	if err := env.App.DB.Read.QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	env := testenv.Bare(t)
	sum := seedInto(t, env, 7)

	for _, c := range []struct {
		what  string
		query string
		want  int
	}{
		{"topics", `SELECT COUNT(*) FROM topics`, tiny.Topics},
		{"replies and answers", `SELECT COUNT(*) FROM posts WHERE kind IN ('reply', 'answer')`, tiny.Posts},
		{"opening posts", `SELECT COUNT(*) FROM posts WHERE kind = 'opening'`, tiny.Topics},
		{"comments", `SELECT COUNT(*) FROM posts WHERE kind = 'comment'`, tiny.Comments},
		{"members (and the admin)", `SELECT COUNT(*) FROM users`, tiny.Users + 1},
		{"tags", `SELECT COUNT(*) FROM tags`, tiny.Tags},
		{"votes", `SELECT COUNT(*) FROM votes`, tiny.Votes},
		{"hot topic's replies", fmt.Sprintf(`SELECT COUNT(*) FROM posts WHERE topic_id = %d AND kind = 'reply'`, sum.HotTopicID), tiny.HotPosts},
		{"private spaces", `SELECT COUNT(*) FROM spaces WHERE visibility = 'private'`, 2},
		{"search rows", `SELECT COUNT(*) FROM posts`, tiny.Topics + tiny.Posts + tiny.Comments},
		{"revisions", `SELECT COUNT(*) FROM post_revisions`, tiny.Topics + tiny.Posts + tiny.Comments},
		{"bodies shorter than 200 characters", `SELECT COUNT(*) FROM posts WHERE kind <> 'comment' AND id NOT IN (SELECT p.id FROM posts p JOIN topics t ON t.id = p.topic_id AND p.kind = 'opening' WHERE t.title LIKE 'Welcome thread%') AND (LENGTH(body) < 200 OR LENGTH(body) > 3000)`, 0},
	} {
		if got := count(t, env, c.query); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	if n := count(t, env, `SELECT COUNT(*) FROM topics WHERE accepted_post_id IS NOT NULL`); n == 0 {
		t.Error("no question has an accepted answer")
	}
	if n := count(t, env, `SELECT COUNT(*) FROM posts WHERE body LIKE '%`+"```"+`%'`); n == 0 {
		t.Error("no body holds a code block")
	}
	if n := count(t, env, `SELECT COUNT(*) FROM topics WHERE kind = 'question'`); n == 0 || n == tiny.Topics {
		t.Errorf("%d questions among %d topics: want a mix of questions and discussions", n, tiny.Topics)
	}

	env.CheckCounters(t)
	rep, err := env.App.Content.VerifyReputation(ctx, false)
	if err != nil || !rep.OK() {
		t.Fatalf("reputation verify: %+v, %v", rep, err)
	}
	if n := count(t, env, `SELECT COUNT(*) FROM users WHERE reputation <> 0`); n == 0 {
		t.Error("nobody earned reputation")
	}

	// Search finds English and Japanese words (the hot topic holds both).
	for _, q := range []string{"introduce", "自己紹介"} {
		res, err := env.App.Content.Search(ctx, model.Viewer{}, content.SearchInput{Q: q})
		if err != nil || len(res.Hits) == 0 {
			t.Errorf("search %q: %d hits, %v", q, len(res.Hits), err)
		}
	}

	// The pages of the community answer, through the real router.
	question := count(t, env, `SELECT MIN(t.id) FROM topics t JOIN spaces s ON s.id = t.space_id WHERE s.visibility = 'public' AND t.kind = 'question' AND t.reply_count > 1`)
	for _, path := range []string{"/", fmt.Sprintf("/t/%d", question), sum.HotTopicPath, "/spaces", "/tags", "/questions", "/s/general"} {
		if rec := env.Get(t, nil, path); rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d", path, rec.Code)
		}
	}
	// The hot topic's last page, reached by its last reply's link.
	last := count(t, env, fmt.Sprintf(`SELECT MAX(id) FROM posts WHERE topic_id = %d`, sum.HotTopicID))
	rec := env.Get(t, nil, fmt.Sprintf("/p/%d", last))
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther && rec.Code != http.StatusFound || !strings.Contains(loc, "after=") {
		t.Fatalf("GET /p/%d: %d to %q, want a redirect to a later page", last, rec.Code, loc)
	}
	if rec := env.Get(t, nil, loc); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), fmt.Sprintf(`id="p%d"`, last)) && !strings.Contains(rec.Body.String(), fmt.Sprintf("p%d", last)) {
		t.Errorf("GET %s: %d, or the last reply is missing", loc, rec.Code)
	}

	// A second run refuses the database, which holds a community now.
	if _, err := Run(ctx, env.App.Store, Options{Size: tiny, Seed: 7}); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("seeding a seeded database: %v, want ErrNotEmpty", err)
	}
}

// digest hashes the content tables, the admin's (salted) password aside.
func digest(t *testing.T, env *testenv.Env) map[string]transfer.Digest {
	t.Helper()
	ctx := context.Background()
	if _, err := env.App.DB.Write.ExecContext(ctx, `UPDATE users SET password_hash = '' WHERE username = 'admin'`); err != nil {
		t.Fatal(err)
	}
	all, err := transfer.Digests(ctx, env.App.DB)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]transfer.Digest{}
	for _, table := range []string{"users", "spaces", "space_members", "tags", "topics", "topic_tags", "posts", "post_revisions", "votes", "reputation_events", "settings"} {
		d, ok := all[table]
		if !ok {
			t.Fatalf("no digest of %s", table)
		}
		out[table] = d
	}
	return out
}

func TestSeedIsDeterministic(t *testing.T) {
	a, b, c := testenv.Bare(t), testenv.Bare(t), testenv.Bare(t)
	seedInto(t, a, 42)
	seedInto(t, b, 42)
	seedInto(t, c, 43)
	da, db, dc := digest(t, a), digest(t, b), digest(t, c)
	for table, d := range da {
		if d != db[table] {
			t.Errorf("%s differs between two runs of the same seed", table)
		}
	}
	if da["posts"] == dc["posts"] || da["topics"] == dc["topics"] {
		t.Error("two seeds gave the same topics or posts")
	}
}

// TestFragmentsRenderAlone holds the fragment pool to what makes bodies
// cheap: a body's HTML is its fragments' HTML, and its index text theirs.
func TestFragmentsRenderAlone(t *testing.T) {
	p := sharedPool()
	md := markup.New()
	r := rand.New(rand.NewPCG(1, 2))
	all := append(append(append([]fragment{}, p.prose...), p.code...), p.cjk...)
	for i, f := range all {
		for range 3 {
			g := all[r.IntN(len(all))]
			if f.list && g.list {
				continue
			}
			if got := md.Render(f.src + "\n\n" + g.src); got != f.html+g.html {
				t.Fatalf("fragments %d and next render differently together:\n%q\n%q\ngot  %q\nwant %q", i, f.src, g.src, got, f.html+g.html)
			}
		}
	}
	for i := range 300 {
		b := p.compose(r, 200+int(r.ExpFloat64()*600))
		if got := md.Render(b.src); got != b.html {
			t.Fatalf("body %d renders differently whole:\n%q\ngot  %q\nwant %q", i, b.src, got, b.html)
		}
		if got := markup.TextOfHTML(b.html); got != b.text {
			t.Fatalf("body %d: text differs:\ngot  %q\nwant %q", i, got, b.text)
		}
		if n := len([]rune(b.src)); n < 200 || n > 3000 {
			t.Fatalf("body %d has %d characters", i, n)
		}
	}
}

func BenchmarkSeedS(b *testing.B) {
	sharedPool()
	for b.Loop() {
		b.StopTimer()
		env := testenv.Bare(b)
		b.StartTimer()
		if _, err := Run(context.Background(), env.App.Store, Options{Size: SizeS, Seed: 1, AdminPassword: testenv.Password}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSeedLeavesASoundDatabase checks on SQLite what the bulk load's
// shortcuts could break: foreign keys (not checked while loading), the
// search index (built in a scratch database and copied in), the file
// (written without a journal) and the settings of normal work.
func TestSeedLeavesASoundDatabase(t *testing.T) {
	if testenv.Engine() != "sqlite" {
		t.Skip("SQLite's bulk load")
	}
	ctx := context.Background()
	d := testenv.OpenSQLite(t)
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, store.New(d), Options{Size: tiny, Seed: 3, AdminPassword: testenv.Password}); err != nil {
		t.Fatal(err)
	}
	text := func(query string) string {
		t.Helper()
		var s string
		if err := d.Write.QueryRowContext(ctx, query).Scan(&s); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return s
	}
	for query, want := range map[string]string{
		`PRAGMA integrity_check`: "ok",
		`PRAGMA journal_mode`:    "wal",
		`PRAGMA foreign_keys`:    "1",
		`PRAGMA synchronous`:     "2",
		`PRAGMA cache_size`:      "-2000",
		`PRAGMA mmap_size`:       "0",
		`SELECT (SELECT COUNT(*) FROM search_fts) = (SELECT COUNT(*) FROM posts)`: "1",
	} {
		if got := text(query); got != want {
			t.Errorf("%s: %q, want %q", query, got, want)
		}
	}
	rows, err := d.Write.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Error("foreign_key_check found rows that refer to none")
	}
	rows.Close()
	if _, err := d.Write.ExecContext(ctx, `INSERT INTO search_fts (search_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("search index: %v", err)
	}
	// Every search row holds its topic's tag set, as IndexPost writes it.
	for query, want := range map[string]string{
		`SELECT COUNT(*) = (SELECT COUNT(*) FROM posts) FROM search_fts WHERE search_fts MATCH 'tagged : "` + store.SearchTagged + `"'`: "1",
		`SELECT COUNT(*) FROM posts p JOIN search_fts f ON f.rowid = p.id WHERE f.tagset <> (SELECT COALESCE(GROUP_CONCAT('` + "\uE000g" + `' || tag_id, ' '), '')
			FROM (SELECT tag_id FROM topic_tags WHERE topic_id = p.topic_id ORDER BY tag_id))`: "0",
		// One segment: the index was written once, not merged from many.
		`SELECT COUNT(*) FROM search_fts_data WHERE id > 10 AND (id >> 37) > 1`: "0",
	} {
		if got := text(query); got != want {
			t.Errorf("%s: %q, want %q", query, got, want)
		}
	}
	if left, _ := filepath.Glob(d.Path + ".*"); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}

	// The seeded segment (id 1) sits where merging later batches leaves it
	// alone: ten batches of edited posts are indexed and merged, and it
	// keeps every page.
	seeded := `SELECT COUNT(*) FROM search_fts_data WHERE id > 10 AND (id >> 37) = 1`
	pages := text(seeded)
	var st *store.Store
	for i := range 10 {
		if _, err := d.Write.ExecContext(ctx, `INSERT INTO search_pending (post_id) SELECT id FROM posts ORDER BY id LIMIT 5 OFFSET ?`, i*5); err != nil {
			t.Fatal(err)
		}
		st = store.New(d) // a store opened over queued posts indexes them
		if n, err := st.IndexQueued(ctx); err != nil || n != 5 {
			t.Fatalf("batch %d: indexed %d, %v", i, n, err)
		}
	}
	if steps, err := st.MergeIndex(ctx, 64); err != nil || steps == 0 {
		t.Fatalf("merge: %d steps, %v", steps, err)
	}
	if got := text(seeded); got != pages {
		t.Errorf("the seeded segment has %s pages after later merges, had %s", got, pages)
	}
	if got := text(`SELECT COUNT(DISTINCT id >> 37) FROM search_fts_data WHERE id > 10 AND (id >> 37) > 1`); got == "10" {
		t.Error("the ten later segments were not merged")
	}
	if _, err := d.Write.ExecContext(ctx, `INSERT INTO search_fts (search_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("search index after merges: %v", err)
	}
}

// TestSeedKeepsTheSchema: the indexes (and on PostgreSQL the foreign keys)
// a load drops to write faster are all there again afterwards, as the
// migrations made them.
func TestSeedKeepsTheSchema(t *testing.T) {
	ctx := context.Background()
	env := testenv.Bare(t)
	schema := func() string {
		t.Helper()
		query := `SELECT COALESCE(GROUP_CONCAT(name || ' ' || COALESCE(sql, ''), ';'), '') FROM (SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name)`
		if testenv.Engine() == "postgres" {
			query = `SELECT (SELECT COALESCE(string_agg(indexdef, ';' ORDER BY indexname), '') FROM pg_indexes WHERE schemaname = current_schema()) || '|' ||
				(SELECT COALESCE(string_agg(conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid), ';' ORDER BY conrelid::regclass::text, conname), '')
				FROM pg_constraint WHERE connamespace = current_schema()::regnamespace)`
		}
		var s string
		if err := env.App.DB.Write.QueryRowContext(ctx, query).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := schema()
	seedInto(t, env, 5)
	if after := schema(); after != before {
		t.Errorf("the schema changed:\nbefore %s\nafter  %s", before, after)
	}
}
