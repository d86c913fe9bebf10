package db_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"practica/internal/db"
)

// TestBackgroundCheckpoint: commits leave the WAL alone (no automatic
// checkpoint), and the background checkpointer copies it into the database
// file within a few ticks.
func TestBackgroundCheckpoint(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "ck.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var auto int
	if err := d.Write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("wal_autocheckpoint = %d (%v), want 0: commits would checkpoint", auto, err)
	}
	if _, err := d.Write.ExecContext(ctx, `CREATE TABLE ck (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	before := d.Checkpointed()
	for range 50 {
		if _, err := d.Write.ExecContext(ctx, `INSERT INTO ck (v) VALUES ($1)`, strings.Repeat("x", 8000)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * db.CheckpointEvery)
	for d.Checkpointed() == before {
		if time.Now().After(deadline) {
			t.Fatalf("nothing checkpointed within %v", 5*db.CheckpointEvery)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var n int
	if err := d.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM ck`).Scan(&n); err != nil || n != 50 {
		t.Fatalf("rows after the checkpoint: %d (%v), want 50", n, err)
	}
}
