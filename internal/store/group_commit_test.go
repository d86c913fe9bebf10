package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"practica/internal/db"
)

// openGroupStore returns a Store over a fresh SQLite database with a table
// of its own for the tests to write.
func openGroupStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Write.ExecContext(ctx, `CREATE TABLE written (n INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	return New(d)
}

// write inserts n into the tests' table.
func write(q *Queries, n int) error {
	_, err := q.db.ExecContext(context.Background(), `INSERT INTO written (n) VALUES ($1)`, n)
	return err
}

func (s *Store) waiting() int {
	s.queue.mu.Lock()
	defer s.queue.mu.Unlock()
	return len(s.queue.waiting)
}

// TestGroupCommit holds the writer with one transaction until 31 others
// wait, then checks that they were committed together, that the ones that
// failed or panicked left nothing and the others everything, and that each
// caller heard its own outcome.
func TestGroupCommit(t *testing.T) {
	s := openGroupStore(t)
	ctx := context.Background()
	release := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.InTx(ctx, func(q *Queries) error {
			<-release
			q.Touch()
			return write(q, 0)
		})
	}()
	for s.turnFree() {
		time.Sleep(time.Millisecond)
	}

	failed := errors.New("refused")
	var wg sync.WaitGroup
	outcomes := make([]any, 32)
	for i := 1; i < 32; i++ {
		wg.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					outcomes[i] = v
				}
			}()
			outcomes[i] = s.InTx(ctx, func(q *Queries) error {
				q.Touch()
				if err := write(q, i); err != nil {
					return err
				}
				switch i % 8 {
				case 3:
					return failed
				case 5:
					panic(fmt.Sprintf("transaction %d", i))
				case 7:
					return write(q, 0) // a unique violation, after a write of its own
				}
				return nil
			})
		})
	}
	for s.waiting() < 31 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}

	var stored []int
	rows, err := s.db.Read.QueryContext(ctx, `SELECT n FROM written ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, n)
	}
	rows.Close()
	want := []int{0}
	for i := 1; i < 32; i++ {
		got := outcomes[i]
		switch i % 8 {
		case 3:
			if got != failed {
				t.Errorf("transaction %d: %v, want its own error", i, got)
			}
		case 5:
			p, ok := got.(*txPanic)
			if !ok || p.value != fmt.Sprintf("transaction %d", i) {
				t.Errorf("transaction %d: %v, want its own panic", i, got)
			}
		case 7:
			if err, _ := got.(error); !errors.Is(err, ErrConflict) && (err == nil || !db.IsUniqueViolation(err)) {
				t.Errorf("transaction %d: %v, want a conflict", i, got)
			}
		default:
			if got != nil {
				t.Errorf("transaction %d: %v", i, got)
			}
			want = append(want, i)
		}
	}
	if fmt.Sprint(stored) != fmt.Sprint(want) {
		t.Errorf("stored %v, want %v", stored, want)
	}
	if groups, txs := s.WriteStats(); groups > 3 || txs != 32 {
		t.Errorf("%d transactions in %d commits: the 31 waiting were not grouped", txs, groups)
	}
}

func (s *Store) turnFree() bool {
	select {
	case s.turn <- struct{}{}:
		<-s.turn
		return true
	default:
		return false
	}
}

// TestGroupCommitCallerGivesUp: a caller whose context ends while it
// waits gets the context's error, and its function never runs.
func TestGroupCommitCallerGivesUp(t *testing.T) {
	s := openGroupStore(t)
	release := make(chan struct{})
	go func() {
		_ = s.InTx(context.Background(), func(q *Queries) error { <-release; return nil })
	}()
	for s.turnFree() {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	done := make(chan error)
	go func() { done <- s.InTx(ctx, func(q *Queries) error { ran = true; return nil }) }()
	for s.waiting() < 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	err := <-done
	close(release)
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("InTx after cancel: %v (ran %v), want context.Canceled without running", err, ran)
	}
	if n := s.waiting(); n != 0 {
		t.Errorf("%d transactions still wait", n)
	}
}

// TestLoneTransaction: a transaction that runs alone (no savepoint) and
// fails or panics after a write of its own leaves nothing, and the next one
// commits.
func TestLoneTransaction(t *testing.T) {
	s := openGroupStore(t)
	ctx := context.Background()
	failed := errors.New("refused")
	if err := s.InTx(ctx, func(q *Queries) error {
		if err := write(q, 1); err != nil {
			return err
		}
		return failed
	}); err != failed {
		t.Fatalf("failing transaction: %v, want its own error", err)
	}
	func() {
		defer func() {
			if p, ok := recover().(*txPanic); !ok || p.value != "lone" {
				t.Errorf("panicking transaction: %v, want its panic", p)
			}
		}()
		_ = s.InTx(ctx, func(q *Queries) error {
			if err := write(q, 2); err != nil {
				return err
			}
			panic("lone")
		})
	}()
	if err := s.InTx(ctx, func(q *Queries) error { return write(q, 3) }); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := s.db.Read.QueryRowContext(ctx, `SELECT group_concat(n) FROM written`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != "3" {
		t.Errorf("stored %q, want only the transaction that succeeded", stored)
	}
	if groups, txs := s.WriteStats(); groups != 3 || txs != 3 {
		t.Errorf("%d transactions in %d commits, want each alone", txs, groups)
	}
}
