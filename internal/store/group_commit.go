package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Group commit (SQLite). SQLite has one writer, and with synchronous=FULL
// every commit waits for the disk. Write transactions that queue behind
// the one running are therefore committed together: whoever takes the turn
// runs every waiting transaction's function, each inside a savepoint of one
// SQLite transaction, commits once, and answers each caller. A function
// that fails is rolled back to its savepoint alone; the others commit. A
// caller hears of success only after the commit that holds its writes, so
// an acknowledged write is on disk as before; what changes is that 32
// waiting writes cost one fsync instead of 32.
//
// Statements in a write transaction are not interrupted when a caller's
// context ends (txStmts): SQLite rolls back the whole transaction when a
// write statement is interrupted, which would undo the other callers'
// writes too. A caller that gives up while still waiting is dropped.

// maxGroup bounds how many transactions one commit holds, so the first in
// a group does not wait behind too many others.
const maxGroup = 64

// txRequest is a caller's write transaction waiting for its turn.
type txRequest struct {
	ctx  context.Context
	fn   func(q *Queries) error
	done chan error // buffered; receives the transaction's outcome once
}

// txQueue holds the transactions waiting for the writer, oldest first.
type txQueue struct {
	mu      sync.Mutex
	waiting []*txRequest
	// groups and txs count the commits and the transactions they ran, for
	// /debug/runtime.
	groups, txs atomic.Int64
}

// WriteStats reports the group commits and the write transactions they
// ran since the store opened (SQLite; zero on PostgreSQL).
func (s *Store) WriteStats() (groups, txs int64) {
	if s.queue == nil {
		return 0, 0
	}
	return s.queue.groups.Load(), s.queue.txs.Load()
}

func (x *txQueue) push(r *txRequest) {
	x.mu.Lock()
	x.waiting = append(x.waiting, r)
	x.mu.Unlock()
}

// take removes and returns up to n of the oldest waiting transactions.
func (x *txQueue) take(n int) []*txRequest {
	x.mu.Lock()
	defer x.mu.Unlock()
	n = min(n, len(x.waiting))
	batch := append([]*txRequest(nil), x.waiting[:n]...)
	x.waiting = append(x.waiting[:0], x.waiting[n:]...)
	return batch
}

// remove takes r off the queue; false when a group already holds it.
func (x *txQueue) remove(r *txRequest) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, w := range x.waiting {
		if w == r {
			x.waiting = append(x.waiting[:i], x.waiting[i+1:]...)
			return true
		}
	}
	return false
}

// groupTx queues fn and waits until a group commit has run it, taking the
// turn to run one itself when the writer is free.
func (s *Store) groupTx(ctx context.Context, fn func(q *Queries) error) error {
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.queue.push(r)
	for {
		select {
		case err := <-r.done:
			return outcome(err)
		case s.turn <- struct{}{}:
			s.commitGroup(s.queue.take(maxGroup))
			<-s.turn
		case <-ctx.Done():
			if s.queue.remove(r) {
				return fmt.Errorf("store: begin: %w", ctx.Err())
			}
			return outcome(<-r.done)
		}
	}
}

// commitGroup runs batch's transactions in one SQLite transaction and
// answers each of them.
func (s *Store) commitGroup(batch []*txRequest) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- fmt.Errorf("store: begin: %w", err)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	s.queue.groups.Add(1)
	s.queue.txs.Add(int64(len(live)))
	bg := context.Background()
	tx, err := s.db.Write.BeginTx(bg, nil)
	if err != nil {
		answerAll(live, fmt.Errorf("store: begin: %w", err))
		return
	}
	ts := &txStmts{tx: tx, c: s.write}
	defer ts.prepareMissed(bg)
	merged := &changes{declared: true}
	results := make([]error, len(live))
	run, committed := inSavepoint, 0
	if len(live) == 1 {
		// A transaction alone needs no savepoint: if it fails, the SQLite
		// transaction is rolled back. A savepoint is not free: SQLite first
		// copies every page it changes into a statement journal.
		run = bare
	}
	for i, r := range live {
		ch := &changes{}
		results[i], err = run(tx, r.fn, &Queries{db: ts, dialect: s.db.Dialect, changed: ch})
		if err != nil {
			// The savepoint could not be rolled back or released: SQLite
			// ended the transaction, and with it the group's writes.
			_ = tx.Rollback()
			answerAll(live, fmt.Errorf("store: transaction lost: %w", err))
			return
		}
		if results[i] == nil {
			merged.merge(ch)
			committed++
		}
	}
	if committed == 0 {
		// Nothing to keep; this also undoes a lone transaction's writes.
		_ = tx.Rollback()
	} else {
		if merged.queued {
			// Before the commit, as in InTx (see indexQueue.dirty).
			s.index.dirty.Store(true)
		}
		err = tx.Commit()
		s.afterCommit(merged)
	}
	for i, r := range live {
		if results[i] == nil && err != nil {
			results[i] = fmt.Errorf("store: commit: %w", err)
		}
		r.done <- results[i]
	}
}

// inSavepoint runs fn inside a savepoint of tx, rolled back when fn fails
// or panics; fnErr is fn's outcome, err a failure of the savepoint itself.
func inSavepoint(tx *sql.Tx, fn func(q *Queries) error, q *Queries) (fnErr, err error) {
	bg := context.Background()
	if _, err := tx.ExecContext(bg, `SAVEPOINT request`); err != nil {
		return nil, err
	}
	fnErr = callTx(fn, q)
	if fnErr != nil {
		if _, err := tx.ExecContext(bg, `ROLLBACK TO request`); err != nil {
			return fnErr, err
		}
	}
	_, err = tx.ExecContext(bg, `RELEASE request`)
	return fnErr, err
}

// bare runs fn in tx as it is: a failure leaves its writes in tx, which the
// caller then rolls back.
func bare(_ *sql.Tx, fn func(q *Queries) error, q *Queries) (fnErr, err error) {
	return callTx(fn, q), nil
}

// txPanic carries a panic in a transaction's function back to its caller's
// goroutine, which may not be the one that ran it.
type txPanic struct {
	value any
	stack []byte
}

func (p *txPanic) Error() string {
	return fmt.Sprintf("panic in a write transaction: %v\n\n%s", p.value, p.stack)
}

// callTx runs fn and its late writes, turning a panic into a *txPanic.
func callTx(fn func(q *Queries) error, q *Queries) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &txPanic{value: v, stack: debug.Stack()}
		}
	}()
	return runTx(context.Background(), fn, q)
}

// outcome returns a transaction's error to its caller, panicking again in
// the caller's goroutine if the function panicked.
func outcome(err error) error {
	var p *txPanic
	if errors.As(err, &p) {
		panic(p)
	}
	return err
}

func answerAll(batch []*txRequest, err error) {
	for _, r := range batch {
		r.done <- err
	}
}
