package store

import (
	"context"
	"path/filepath"
	"testing"

	"practica/internal/db"
)

// TestFTSVarint decodes SQLite's variable-length integers as FTS5 writes
// them, one to nine bytes.
func TestFTSVarint(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want uint64
		size int
	}{
		{[]byte{0x00}, 0, 1},
		{[]byte{0x7f, 0xff}, 127, 1},
		{[]byte{0x81, 0x00}, 128, 2},
		{[]byte{0xa3, 0xbf, 0x08}, 0x23<<14 | 0x3f<<7 | 8, 3},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 1<<64 - 1, 9},
		{[]byte{0x81}, 0, 0},
		{nil, 0, 0},
	} {
		if got, size := ftsVarint(c.in); got != c.want || size != c.size {
			t.Errorf("ftsVarint(% x) = %d, %d; want %d, %d", c.in, got, size, c.want, c.size)
		}
	}
}

// TestTagSetComplete: the index reports complete tag sets while every row
// was written with one, and incomplete once a row is written without its
// tagged marker (as a bulk writer that fills title, tags and body only),
// until that row is written again.
func TestTagSetComplete(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	q := &Queries{db: d.Write, dialect: d.Dialect}
	want := func(step string, complete bool) {
		t.Helper()
		got, err := q.tagSetComplete(ctx)
		if err != nil || got != complete {
			t.Fatalf("%s: tagSetComplete = %v, %v; want %v", step, got, err, complete)
		}
	}
	want("empty index", true)
	for id := int64(1); id <= 300; id++ {
		if err := q.WriteIndexes(ctx, []IndexDoc{{PostID: id, BodyHTML: "<p>words</p>", TagIDs: []int64{id % 7, 3}}}); err != nil {
			t.Fatal(err)
		}
	}
	want("every row written by the store", true)
	if _, err := d.Write.ExecContext(ctx, `INSERT INTO search_fts (rowid, title, tags, body) VALUES (301, '', '', 'bulk')`); err != nil {
		t.Fatal(err)
	}
	want("a row from a bulk writer", false)
	if _, err := d.Write.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid = 301`); err != nil {
		t.Fatal(err)
	}
	if err := q.WriteIndexes(ctx, []IndexDoc{{PostID: 301, BodyHTML: "<p>bulk</p>"}}); err != nil {
		t.Fatal(err)
	}
	want("the row written again", true)
	if _, err := d.Write.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid = 5`); err != nil {
		t.Fatal(err)
	}
	want("a row deleted", true)
}
