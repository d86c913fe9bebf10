package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCacheSize bounds the statements a stmtCache keeps. The store's read
// queries have well under a hundred distinct texts, but IN lists of varying
// length make new texts, so the cache must not grow with them. Each entry is
// prepared on every read connection that runs it; see stmtcache_test.go for
// what one costs.
const stmtCacheSize = 256

// stmtCache runs queries on the SQLite read pool through prepared statements
// kept by SQL text. The SQLite driver parses and plans a query on every call
// unless it runs through a *sql.Stmt, and parsing took about half the time of
// a topic page. A *sql.Stmt made on a *sql.DB is prepared lazily on each pooled
// connection it runs on and kept there, so each text is parsed once per
// connection. PostgreSQL needs none of this: pgx caches statements per
// connection by text itself.
//
// When full, the cache closes every statement and starts over: simpler than an
// LRU, and a working set that fits never sees it. Closing a statement whose
// Rows are still open is safe (database/sql finalizes it once they close), but
// a caller that loaded it just before the close gets "sql: statement is
// closed"; such a call is run once more without the cache.
type stmtCache struct {
	db    *sql.DB
	limit int
	stmts sync.Map // string -> *sql.Stmt; lock-free loads on the hit path

	mu sync.Mutex // serializes stores and resets, and guards n
	n  int
}

func newStmtCache(db *sql.DB, limit int) *stmtCache {
	return &stmtCache{db: db, limit: limit}
}

// stmt returns the cached statement for query, preparing it on a miss. It
// returns nil when preparing fails; the caller then runs the query directly,
// so the error it reports is the one an uncached call would.
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	if v, ok := c.stmts.Load(query); ok {
		return v.(*sql.Stmt)
	}
	// Prepared outside the lock: preparing waits for a free connection, and
	// the goroutines holding them may be waiting for this lock.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	if v, ok := c.stmts.Load(query); ok { // another goroutine won the race
		c.mu.Unlock()
		st.Close()
		return v.(*sql.Stmt)
	}
	var old []*sql.Stmt
	if c.n >= c.limit {
		old = c.takeAllLocked()
	}
	c.stmts.Store(query, st)
	c.n++
	c.mu.Unlock()
	closeAll(old)
	return st
}

// takeAllLocked forgets every statement and returns them; c.mu must be held.
// They are closed after the lock is released, because Stmt.Close waits for
// calls running on the statement, and those may wait for a connection.
func (c *stmtCache) takeAllLocked() []*sql.Stmt {
	old := make([]*sql.Stmt, 0, c.n)
	c.stmts.Range(func(k, v any) bool {
		old = append(old, v.(*sql.Stmt))
		c.stmts.Delete(k)
		return true
	})
	c.n = 0
	return old
}

func closeAll(stmts []*sql.Stmt) {
	for _, st := range stmts {
		st.Close()
	}
}

// Close closes every cached statement. Later calls still work and refill the
// cache. Closing the *sql.DB finalizes the statements too, so this is for
// tests and for callers that keep the pool open.
func (c *stmtCache) Close() error {
	c.mu.Lock()
	old := c.takeAllLocked()
	c.mu.Unlock()
	closeAll(old)
	return nil
}

// errStmtClosed is the text database/sql gives a closed *sql.Stmt; it exports
// no error value for it.
const errStmtClosed = "sql: statement is closed"

func isStmtClosed(err error) bool { return err != nil && err.Error() == errStmtClosed }

// ExecContext is not cached: the read pool is query_only, so nothing of note
// runs here.
func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.db.ExecContext(ctx, query, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		if !isStmtClosed(err) {
			return rows, err
		}
	}
	return c.db.QueryContext(ctx, query, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		row := st.QueryRowContext(ctx, args...)
		if !isStmtClosed(row.Err()) {
			return row
		}
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// txStmts runs a write transaction's statements through the statement cache
// of the write pool (SQLite only, like the read side). A statement can be
// prepared on that pool only while its one connection is free, so a text
// first seen inside a transaction runs unprepared, and commitGroup prepares
// it once the transaction has ended. Tx.StmtContext reuses what the
// connection has prepared; a statement closed by a reset in between is
// prepared again on the transaction's connection, so the race costs a
// parse, never an error. Statements run to their end whatever the caller's
// context (see group_commit.go).
type txStmts struct {
	tx     *sql.Tx
	c      *stmtCache
	missed []string
}

func (t *txStmts) stmt(ctx context.Context, query string) *sql.Stmt {
	if v, ok := t.c.stmts.Load(query); ok {
		return t.tx.StmtContext(ctx, v.(*sql.Stmt))
	}
	t.missed = append(t.missed, query)
	return nil
}

func (t *txStmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = context.WithoutCancel(ctx) // see group_commit.go
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *txStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = context.WithoutCancel(ctx) // see group_commit.go
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *txStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = context.WithoutCancel(ctx) // see group_commit.go
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// PrepareContext prepares a statement on the transaction alone, for a caller
// that runs it many times and closes it (InsertRows): it is not cached.
func (t *txStmts) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(context.WithoutCancel(ctx), query)
}

// execOnce runs a statement whose text will not come again (a bulk insert
// with its values written in) without remembering it: preparing such texts
// after the transaction filled the cache, which then dropped every
// statement the store's writes use.
func (t *txStmts) execOnce(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(context.WithoutCancel(ctx), query, args...)
}

// prepareMissed prepares the texts a finished transaction ran unprepared.
func (t *txStmts) prepareMissed(ctx context.Context) {
	for _, q := range t.missed {
		t.c.stmt(ctx, q)
	}
	t.missed = nil
}
