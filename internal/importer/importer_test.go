package importer_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"practica/internal/content"
	"practica/internal/importer"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/store"
	"practica/internal/testenv"
)

// dump is the shared Stack Exchange sample; tests that need it skip without it.
const dump = "../../../shared/data/quantumcomputing.stackexchange.com"

func needDump(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dump, "Posts.xml")); err != nil {
		t.Skipf("Stack Exchange sample not found at %s (it lives in the shared data folder, not in the repo): %v", dump, err)
	}
}

// xmlRows parses a dump file with encoding/xml directly, independently of the
// importer's reader.
func xmlRows(t *testing.T, name string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dump, name))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rows []struct {
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"row"`
	}
	if err := xml.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &doc); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	out := make([]map[string]string, len(doc.Rows))
	for i, r := range doc.Rows {
		out[i] = map[string]string{}
		for _, a := range r.Attrs {
			out[i][a.Name.Local] = a.Value
		}
	}
	return out
}

func run(t *testing.T, env *testenv.Env) importer.Summary {
	t.Helper()
	sum, err := importer.StackExchange(context.Background(), env.App.Store, markup.New(), env.Clock.Now, importer.Options{Dir: dump, Space: "qc"})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return sum
}

func count(t *testing.T, env *testenv.Env, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := env.App.DB.Read.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestImportStackExchangeSample(t *testing.T) {
	needDump(t)
	env := testenv.Bare(t)
	start := time.Now()
	sum := run(t, env)
	t.Logf("imported in %s on %s: %+v", time.Since(start), testenv.Engine(), sum)

	// Expected values straight from the XML.
	posts := xmlRows(t, "Posts.xml")
	var questions, answers int64
	score := map[string]string{}
	accepted := map[string]string{}
	kindOf := map[string]string{}
	for _, p := range posts {
		kindOf[p["Id"]] = p["PostTypeId"]
		switch p["PostTypeId"] {
		case "1":
			questions++
			score[p["Id"]] = p["Score"]
			if p["AcceptedAnswerId"] != "" {
				accepted[p["Id"]] = p["AcceptedAnswerId"]
			}
		case "2":
			answers++
			score[p["Id"]] = p["Score"]
		}
	}
	comments := int64(len(xmlRows(t, "Comments.xml")))
	tags := int64(len(xmlRows(t, "Tags.xml")))
	if questions != 612 || answers != 1060 || comments != 3413 || tags != 154 {
		t.Fatalf("the sample changed: %d questions, %d answers, %d comments, %d tags", questions, answers, comments, tags)
	}
	space := count(t, env, `SELECT id FROM spaces WHERE slug = 'qc'`)
	if got := count(t, env, `SELECT COUNT(*) FROM topics WHERE kind = 'question' AND space_id = $1`, space); got != questions {
		t.Errorf("questions: %d, want %d", got, questions)
	}
	if got := count(t, env, `SELECT COUNT(*) FROM posts WHERE kind = 'answer'`); got != answers {
		t.Errorf("answers: %d, want %d", got, answers)
	}
	if got := count(t, env, `SELECT COUNT(*) FROM posts WHERE kind = 'comment'`); got != comments {
		t.Errorf("comments: %d, want %d", got, comments)
	}
	if got := count(t, env, `SELECT COUNT(*) FROM tags`); got != tags {
		t.Errorf("tags: %d, want %d", got, tags)
	}

	// Every score and every accepted answer matches the XML.
	rows, err := env.App.DB.Read.QueryContext(context.Background(), `SELECT m.ext_id, p.score, COALESCE(a.ext_id, '') FROM import_map m JOIN posts p ON p.id = m.local_id
		LEFT JOIN topics t ON t.id = p.topic_id AND p.kind = 'opening' LEFT JOIN import_map a ON a.kind = 'post' AND a.local_id = t.accepted_post_id WHERE m.kind = 'post'`)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for rows.Next() {
		var ext, acc string
		var sc int64
		if err := rows.Scan(&ext, &sc, &acc); err != nil {
			t.Fatal(err)
		}
		seen++
		if strconv.FormatInt(sc, 10) != score[ext] {
			t.Errorf("post %s: score %d, XML says %s", ext, sc, score[ext])
		}
		if kindOf[ext] == "1" && acc != accepted[ext] {
			t.Errorf("question %s: accepted answer %q, XML says %q", ext, acc, accepted[ext])
		}
	}
	rows.Close()
	if seen != int(questions+answers) {
		t.Errorf("%d posts mapped, want %d", seen, questions+answers)
	}

	// Every imported body passes the sanitizer's invariants.
	policy := markup.Policy()
	rows, err = env.App.DB.Read.QueryContext(context.Background(), `SELECT id, body_html FROM posts`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			t.Fatal(err)
		}
		lower := strings.ToLower(h)
		if policy.Sanitize(h) != h || strings.Contains(lower, "<script") || strings.Contains(lower, "javascript:") || strings.Contains(lower, " onerror=") {
			t.Errorf("post %d: body is not a fixed point of the sanitizer", id)
		}
	}
	rows.Close()

	// Every search row holds its topic's tag set (SQLite), as IndexPost writes it.
	if testenv.Engine() == "sqlite" {
		if got, want := count(t, env, `SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH $1`, `tagged : "`+store.SearchTagged+`"`), count(t, env, `SELECT COUNT(*) FROM posts`); got != want {
			t.Errorf("%d search rows with a tag set, want %d", got, want)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM posts p JOIN search_fts f ON f.rowid = p.id WHERE f.tagset <> (SELECT COALESCE(GROUP_CONCAT('`+"\uE000g"+`' || tag_id, ' '), '')
			FROM (SELECT tag_id FROM topic_tags WHERE topic_id = p.topic_id ORDER BY tag_id))`); n != 0 {
			t.Errorf("%d search rows hold another tag set than their topic's", n)
		}
	}

	// Authors are placeholders who cannot sign in; Community is the system account.
	if got := count(t, env, `SELECT COUNT(*) FROM users WHERE status <> 'placeholder' OR email IS NOT NULL OR password_hash <> ''`); got != 0 {
		t.Errorf("%d imported accounts could sign in", got)
	}
	if got := count(t, env, `SELECT COUNT(*) FROM users WHERE role = 'system' AND display_name = 'Community'`); got != 1 {
		t.Errorf("the Community account is not the system account (%d)", got)
	}
	env.CheckCounters(t)
	if r, err := env.App.Content.VerifyReputation(context.Background(), false); err != nil || !r.OK() {
		t.Errorf("reputation after import: %v, %d drifts, %d mismatches", err, len(r.Drifts), len(r.Mismatches))
	}

	// Idempotent: a second run adds nothing and changes no count.
	before := snapshot(t, env)
	again := run(t, env)
	for kind, n := range again.New {
		if n != 0 {
			t.Errorf("second run imported %d new %s", n, kind)
		}
	}
	if after := snapshot(t, env); after != before {
		t.Errorf("second run changed the database:\nbefore %s\nafter  %s", before, after)
	}

	// Search finds imported content; the original is linked.
	res, err := env.App.Content.Search(context.Background(), model.Viewer{}, content.SearchInput{Q: "grover"})
	if err != nil || len(res.Hits) == 0 {
		t.Errorf("search for grover in the import: %d hits, %v", len(res.Hits), err)
	}
}

// snapshot counts rows and sums key columns, to tell whether anything changed.
func snapshot(t *testing.T, env *testenv.Env) string {
	t.Helper()
	var parts []string
	for _, q := range []string{`SELECT COUNT(*) FROM users`, `SELECT COUNT(*) FROM topics`, `SELECT COUNT(*) FROM posts`, `SELECT COUNT(*) FROM post_revisions`,
		`SELECT COUNT(*) FROM tags`, `SELECT COUNT(*) FROM user_badges`, `SELECT COUNT(*) FROM topic_links`, `SELECT COUNT(*) FROM reputation_events`,
		`SELECT COALESCE(SUM(reputation), 0) FROM users`, `SELECT COALESCE(SUM(score), 0) FROM posts`, `SELECT COALESCE(SUM(LENGTH(body)), 0) FROM posts`} {
		parts = append(parts, strconv.FormatInt(count(t, env, q), 10))
	}
	return strings.Join(parts, " ")
}

// BenchmarkImportSample imports the shared sample into a fresh community per
// iteration; the target is under 2 s on SQLite.
func BenchmarkImportSample(b *testing.B) {
	if _, err := os.Stat(filepath.Join(dump, "Posts.xml")); err != nil {
		b.Skipf("Stack Exchange sample not found at %s: %v", dump, err)
	}
	for b.Loop() {
		b.StopTimer()
		env := testenv.Bare(b)
		b.StartTimer()
		if _, err := importer.StackExchange(context.Background(), env.App.Store, markup.New(), env.Clock.Now, importer.Options{Dir: dump, Space: "qc"}); err != nil {
			b.Fatal(err)
		}
	}
}
