package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"practica/internal/db"
)

// openCache returns a statement cache of size limit over the read pool of a
// fresh SQLite database.
func openCache(t *testing.T, limit int) *stmtCache {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := newStmtCache(d.Read, limit)
	t.Cleanup(func() {
		c.Close()
		d.Close()
	})
	return c
}

func (c *stmtCache) len() int {
	n := 0
	c.stmts.Range(func(_, _ any) bool { n++; return true })
	return n
}

// queryInt runs query through the cache and returns its single int.
func queryInt(t *testing.T, c *stmtCache, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestStmtCacheBound(t *testing.T) {
	c := openCache(t, 4)
	for i := range 10 {
		q := fmt.Sprintf("SELECT %d + $1", i)
		if got := queryInt(t, c, q, 1); got != i+1 {
			t.Fatalf("%s = %d, want %d", q, got, i+1)
		}
		if c.len() > 4 || c.n != c.len() {
			t.Fatalf("after %d texts: %d entries, n=%d; want at most 4", i+1, c.len(), c.n)
		}
	}
	// A hit adds nothing.
	n := c.len()
	queryInt(t, c, "SELECT 9 + $1", 1)
	if c.len() != n {
		t.Fatalf("a hit changed the entries from %d to %d", n, c.len())
	}
}

// TestStmtCacheClosedStmt: a statement closed by a reset after a caller
// loaded it must not fail that caller's query.
func TestStmtCacheClosedStmt(t *testing.T) {
	ctx := context.Background()
	c := openCache(t, 4)
	const q = "SELECT $1 + 1"
	st := c.stmt(ctx, q)
	if st == nil {
		t.Fatal("no statement")
	}
	st.Close() // still in the map: the next load returns a closed statement
	if _, err := st.QueryContext(ctx, 1); !isStmtClosed(err) {
		t.Fatalf("closed statement gave %v; isStmtClosed no longer matches database/sql", err)
	}
	if got := queryInt(t, c, q, 1); got != 2 {
		t.Fatalf("QueryRowContext = %d, want 2", got)
	}
	rows, err := c.QueryContext(ctx, q, 2)
	if err != nil {
		t.Fatalf("QueryContext: %v", err)
	}
	defer rows.Close()
	var got int
	if !rows.Next() {
		t.Fatalf("no row: %v", rows.Err())
	}
	if err := rows.Scan(&got); err != nil || got != 3 {
		t.Fatalf("QueryContext = %d, %v; want 3", got, err)
	}
}

// TestStmtCacheResetKeepsOpenRows: rows opened before a reset read to the end.
func TestStmtCacheResetKeepsOpenRows(t *testing.T) {
	ctx := context.Background()
	c := openCache(t, 2)
	rows, err := c.QueryContext(ctx, "SELECT value FROM json_each('[1,2,3]')")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for i := range 5 { // fills the cache twice over, closing the statement above
		queryInt(t, c, fmt.Sprintf("SELECT %d", i))
	}
	sum := 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	if err := rows.Err(); err != nil || sum != 6 {
		t.Fatalf("sum = %d, %v; want 6", sum, err)
	}
}

// TestStmtCacheConcurrent runs more distinct texts than the cache holds from
// several goroutines, so resets race with hits (run with -race).
func TestStmtCacheConcurrent(t *testing.T) {
	c := openCache(t, 8)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				k := (g*7 + i) % 20
				var n int
				err := c.QueryRowContext(context.Background(), fmt.Sprintf("SELECT %d + $1", k), 1).Scan(&n)
				if err == nil && n != k+1 {
					err = fmt.Errorf("SELECT %d + 1 = %d", k, n)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if c.len() > 8 {
		t.Fatalf("%d entries, want at most 8", c.len())
	}
}

// TestTxStmts: a write transaction's statements are prepared once the
// transaction that first ran them has ended, run prepared inside later
// transactions (rolled back with them), and survive a closed statement.
func TestTxStmts(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	s := New(d)
	const insert = "INSERT INTO tx_stmts (v) VALUES ($1)"
	run := func(v int, fail bool) error {
		return s.InTx(ctx, func(q *Queries) error {
			if _, err := q.db.ExecContext(ctx, insert, v); err != nil {
				return err
			}
			if fail {
				return fmt.Errorf("roll back %d", v)
			}
			return nil
		})
	}
	if err := s.InTx(ctx, func(q *Queries) error {
		_, err := q.db.ExecContext(ctx, "CREATE TABLE tx_stmts (v INTEGER NOT NULL)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := run(1, false); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.write.stmts.Load(insert); !ok {
		t.Fatal("the insert was not prepared after its first transaction")
	}
	if err := run(2, true); err == nil {
		t.Fatal("the failing transaction committed")
	}
	if err := run(3, false); err != nil {
		t.Fatal(err)
	}
	v, _ := s.write.stmts.Load(insert)
	v.(*sql.Stmt).Close() // as a reset would, between a load and its use
	if err := run(4, false); err != nil {
		t.Fatalf("a closed cached statement failed the transaction: %v", err)
	}
	var got []int
	rows, err := d.Read.QueryContext(ctx, "SELECT v FROM tx_stmts ORDER BY v")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if fmt.Sprint(got) != "[1 3 4]" {
		t.Fatalf("rows = %v, want [1 3 4] (2 was rolled back)", got)
	}
}
