package db_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"practica/internal/db"
)

// TestSearchBackfill: a database with posts from before the search migration
// has them indexed once it migrates (store.IndexPost keeps them current
// afterwards), on both engines.
func TestSearchBackfill(t *testing.T) {
	ctx := context.Background()
	lite, err := db.Open(ctx, filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	engines := []*db.DB{lite}
	if pg := os.Getenv("PRACTICA_TEST_POSTGRES"); pg != "" {
		engines = append(engines, openPostgresSchema(t, pg))
	}
	for _, d := range engines {
		dialect := goose.DialectSQLite3
		if d.Dialect == db.Postgres {
			dialect = goose.DialectPostgres
		}
		p, err := goose.NewProvider(dialect, d.Write, db.MigrationsFS(d.Dialect))
		if err != nil {
			t.Fatal(err)
		}
		before := searchVersion(t, d.Dialect) - 1
		if _, err := p.UpTo(ctx, before); err != nil {
			t.Fatalf("migrate %s to %d: %v", d.Dialect, before, err)
		}
		now := time.Now().UTC()
		for _, stmt := range []string{
			`INSERT INTO users (id, username, username_key, created_at, updated_at) VALUES (1, 'ann', 'ann', $1, $1)`,
			`INSERT INTO spaces (id, slug, slug_key, name, visibility, created_at, updated_at) VALUES (1, 'lab', 'lab', 'Lab', 'public', $1, $1)`,
			`INSERT INTO topics (id, space_id, kind, author_id, title, slug, created_at, updated_at, last_post_at) VALUES (1, 1, 'question', 1, 'Cryogenic wiring', 'w', $1, $1, $1)`,
			`INSERT INTO tags (id, name, created_at) VALUES (1, 'hardware', $1)`,
			`INSERT INTO topic_tags (topic_id, tag_id) VALUES (1, 1)`,
			`INSERT INTO posts (id, topic_id, author_id, kind, body, body_html, created_at, updated_at) VALUES (1, 1, 1, 'opening', 'Which **attenuators**?', '', $1, $1)`,
			`INSERT INTO posts (id, topic_id, author_id, kind, body, body_html, created_at, updated_at) VALUES (2, 1, 1, 'answer', 'Thermalize everything.', '', $1, $1)`,
		} {
			var args []any
			if strings.Contains(stmt, "$1") {
				args = append(args, now)
			}
			if _, err := d.Write.ExecContext(ctx, stmt, args...); err != nil {
				t.Fatalf("%s: %s: %v", d.Dialect, stmt, err)
			}
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatalf("migrate %s: %v", d.Dialect, err)
		}
		match := `SELECT rowid FROM search_fts WHERE search_fts MATCH $1 ORDER BY rowid`
		if d.Dialect == db.Postgres {
			match = `SELECT post_id FROM search_docs WHERE doc @@ plainto_tsquery('english', $1) ORDER BY post_id`
		}
		for word, want := range map[string][]int64{"cryogenic": {1}, "hardware": {1}, "attenuators": {1}, "thermalize": {2}} {
			rows, err := d.Read.QueryContext(ctx, match, word)
			if err != nil {
				t.Fatalf("%s: search %q: %v", d.Dialect, word, err)
			}
			var got []int64
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				got = append(got, id)
			}
			rows.Close()
			if len(got) != len(want) || got[0] != want[0] {
				t.Errorf("%s: %q after backfill finds posts %v, want %v", d.Dialect, word, got, want)
			}
		}
	}
}

// searchVersion is the version of the migration that adds the search index.
func searchVersion(t *testing.T, d db.Dialect) int64 {
	t.Helper()
	matches, err := fs.Glob(db.MigrationsFS(d), "*_search.sql")
	if err != nil || len(matches) != 1 {
		t.Fatalf("find the search migration for %s: %v %v", d, matches, err)
	}
	v, err := strconv.ParseInt(strings.SplitN(matches[0], "_", 2)[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
