package db_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"practica/internal/db"
)

// TestMigrationFoldersMatch: both dialects hold the same migration versions.
func TestMigrationFoldersMatch(t *testing.T) {
	names := func(d db.Dialect) []string {
		var out []string
		entries, err := fs.ReadDir(db.MigrationsFS(d), ".")
		if err != nil {
			t.Fatalf("read %s migrations: %v", d, err)
		}
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	if s, p := names(db.SQLite), names(db.Postgres); !reflect.DeepEqual(s, p) {
		t.Fatalf("migration files differ:\nsqlite:   %v\npostgres: %v", s, p)
	}
}

// TestMigrationParity migrates both engines and compares tables and columns.
// It needs PostgreSQL; without PRACTICA_TEST_POSTGRES it checks SQLite alone.
func TestMigrationParity(t *testing.T) {
	ctx := context.Background()
	lite, err := db.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if _, err := lite.Migrate(ctx); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	// The full-text index is the one table that differs by design: an FTS5
	// virtual table (and its shadow tables, and the queue of posts to index,
	// search_pending) on SQLite, a tsvector table on PostgreSQL. The store's search tests check both behave alike.
	liteCols := columns(t, lite, `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version' AND m.name NOT LIKE 'search_fts%' AND m.name <> 'search_pending'`)
	if len(liteCols) < 10 {
		t.Fatalf("sqlite schema has only %d tables", len(liteCols))
	}
	pgURL := os.Getenv("PRACTICA_TEST_POSTGRES")
	if pgURL == "" {
		t.Skip("PRACTICA_TEST_POSTGRES not set: compared nothing against PostgreSQL")
	}
	pg := openPostgresSchema(t, pgURL)
	if _, err := pg.Migrate(ctx); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	pgCols := columns(t, pg, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version' AND table_name <> 'search_docs'`)
	if !reflect.DeepEqual(liteCols, pgCols) {
		t.Errorf("schemas differ:\nsqlite:   %v\npostgres: %v", liteCols, pgCols)
	}
	// Migrating again is a no-op on both.
	for _, d := range []*db.DB{lite, pg} {
		if n, err := d.Migrate(ctx); err != nil || n != 0 {
			t.Errorf("second migrate on %s: %d applied, err %v; want 0, nil", d.Dialect, n, err)
		}
	}
}

func columns(t *testing.T, d *db.DB, query string) map[string]string {
	t.Helper()
	rows, err := d.Read.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("list columns on %s: %v", d.Dialect, err)
	}
	defer rows.Close()
	cols := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		cols[table] = append(cols[table], col)
	}
	out := map[string]string{}
	for table, cs := range cols {
		sort.Strings(cs)
		out[table] = strings.Join(cs, ",")
	}
	return out
}
