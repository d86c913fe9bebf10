package db_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"practica/internal/db"
)

// TestSearchTagSetBackfill: on SQLite, the migration that adds tag sets to
// the search index rebuilds the index from its stored text, gives every
// post's row its topic's tag tokens and the marker that says it has them,
// keeps what the words matched, and migrates down again to the three
// columns. The tokens are those store.SearchTagSet writes (store's tests
// search through them).
func TestSearchTagSetBackfill(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "tagset.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, d.Write, db.MigrationsFS(db.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	version := tagSetVersion(t)
	if _, err := p.UpTo(ctx, version-1); err != nil {
		t.Fatalf("migrate to %d: %v", version-1, err)
	}
	now := time.Now().UTC()
	for _, stmt := range []string{
		`INSERT INTO users (id, username, username_key, created_at, updated_at) VALUES (1, 'ann', 'ann', $1, $1)`,
		`INSERT INTO spaces (id, slug, slug_key, name, visibility, created_at, updated_at) VALUES (1, 'lab', 'lab', 'Lab', 'public', $1, $1)`,
		`INSERT INTO topics (id, space_id, kind, author_id, title, slug, created_at, updated_at, last_post_at) VALUES (1, 1, 'question', 1, 'Cryogenic wiring', 'w', $1, $1, $1)`,
		`INSERT INTO topics (id, space_id, kind, author_id, title, slug, created_at, updated_at, last_post_at) VALUES (2, 1, 'question', 1, 'Untagged', 'u', $1, $1, $1)`,
		`INSERT INTO tags (id, name, created_at) VALUES (7, 'hardware', $1)`,
		`INSERT INTO tags (id, name, created_at) VALUES (12, 'wiring', $1)`,
		`INSERT INTO topic_tags (topic_id, tag_id) VALUES (1, 7)`,
		`INSERT INTO topic_tags (topic_id, tag_id) VALUES (1, 12)`,
		`INSERT INTO posts (id, topic_id, author_id, kind, body, body_html, created_at, updated_at) VALUES (1, 1, 1, 'opening', 'Which attenuators?', '', $1, $1)`,
		`INSERT INTO posts (id, topic_id, author_id, kind, body, body_html, created_at, updated_at) VALUES (2, 1, 1, 'answer', 'Thermalize everything.', '', $1, $1)`,
		`INSERT INTO posts (id, topic_id, author_id, kind, body, body_html, created_at, updated_at) VALUES (3, 2, 1, 'opening', 'Thermalize nothing.', '', $1, $1)`,
		`INSERT INTO search_fts (rowid, title, tags, body) VALUES (1, 'Cryogenic wiring', 'hardware wiring', 'Which attenuators?'), (2, '', '', 'Thermalize everything.'), (3, 'Untagged', '', 'Thermalize nothing.')`,
	} {
		var args []any
		if strings.Contains(stmt, "$1") {
			args = append(args, now)
		}
		if _, err := d.Write.ExecContext(ctx, stmt, args...); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatalf("migrate to %d: %v", version, err)
	}
	match := func(q string) []int64 {
		t.Helper()
		rows, err := d.Read.QueryContext(ctx, `SELECT rowid FROM search_fts WHERE search_fts MATCH $1 ORDER BY rowid`, q)
		if err != nil {
			t.Fatalf("match %q: %v", q, err)
		}
		defer rows.Close()
		var got []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			got = append(got, id)
		}
		return got
	}
	for q, want := range map[string][]int64{
		`"thermalize"`:                   {2, 3},
		`"cryogenic"`:                    {1},
		`"hardware"`:                     {1},
		`tagged : "` + "\uE000all" + `"`: {1, 2, 3},
		`tagset : "` + "\uE000g7" + `"`:  {1, 2},
		`"thermalize" AND tagset : "` + "\uE000g12" + `"`:                                   {2},
		`tagset : "` + "\uE000g1" + `"`:                                                     nil,
		`{title tags body} : "` + "\uE000g7" + `"`:                                          nil,
		`"thermalize" AND tagset : "` + "\uE000g7" + `" AND tagset : "` + "\uE000g12" + `"`: {2},
	} {
		if got := match(q); !slices.Equal(got, want) {
			t.Errorf("after the migration, %s matches %v, want %v", q, got, want)
		}
	}
	if _, err := p.DownTo(ctx, version-1); err != nil {
		t.Fatalf("migrate down to %d: %v", version-1, err)
	}
	if got := match(`"thermalize"`); !slices.Equal(got, []int64{2, 3}) {
		t.Errorf("after migrating down, thermalize matches %v, want [2 3]", got)
	}
}

// tagSetVersion is the version of the migration that adds tag sets.
func tagSetVersion(t *testing.T) int64 {
	t.Helper()
	matches, err := fs.Glob(db.MigrationsFS(db.SQLite), "*_search_tagset.sql")
	if err != nil || len(matches) != 1 {
		t.Fatalf("find the tag-set migration: %v %v", matches, err)
	}
	v, err := strconv.ParseInt(strings.SplitN(matches[0], "_", 2)[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
