package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/db"
	"practica/internal/memo"
	"practica/internal/policy"
)

// ErrNotFound is returned (wrapped) when a row does not exist. It is an
// apperr NotFound, so an unhandled one answers 404.
var ErrNotFound = apperr.NotFoundf("Not found.")

// ErrBadText is returned (wrapped) when the engine cannot store a text, such
// as NUL on PostgreSQL. Services refuse such text field by field first; this
// keeps any field they miss a 400, not a 500.
var ErrBadText = apperr.New(apperr.Invalid, "The text holds a character that cannot be stored, such as NUL.")

// ErrConflict is returned (wrapped) when a unique constraint rejects a write.
var ErrConflict = errors.New("store: conflict")

// dbtx is what both *sql.DB and *sql.Tx offer.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store is the entry point to the database.
type Store struct {
	db *db.DB
	// read runs Read's queries: the read pool, through a statement cache on
	// SQLite (see stmtCache).
	read dbtx
	// write caches the write transactions' statements on SQLite (see
	// txStmts); nil on PostgreSQL.
	write *stmtCache
	// turn is held by whoever runs a group of write transactions, queue
	// holds those waiting (see groupTx); nil on PostgreSQL.
	turn  chan struct{}
	queue *txQueue
	// index queues posts for the search index on SQLite (see
	// search_queue.go); nil on PostgreSQL.
	index *indexQueue
	// onChange hears what each committed write changed (see OnChange).
	onChange func(keys []string, all bool)
	// Memo keeps values services derive from the database; every committed
	// write here drops what it may have made wrong (see package memo).
	Memo *memo.Cache
}

// MemoBytes bounds the values a Store keeps in memory.
const MemoBytes = 16 << 20

// New returns a Store over an opened, migrated database.
func New(d *db.DB) *Store {
	s := &Store{db: d, read: d.Read, Memo: memo.New(MemoBytes, time.Now)}
	if d.Dialect == db.SQLite {
		s.read = newStmtCache(d.Read, stmtCacheSize)
		s.write = newStmtCache(d.Write, stmtCacheSize)
		s.turn = make(chan struct{}, 1)
		s.queue = &txQueue{}
		s.index = newIndexQueue(s)
	}
	return s
}

// Queries runs statements on one connection pool or transaction.
type Queries struct {
	db dbtx
	// dialect is read only by search*.go, the one place with engine-specific
	// SQL outside the migrations.
	dialect db.Dialect
	// changed collects, in a write transaction, what it changes that pages
	// show (see Touch); nil on the read pool.
	changed *changes
	// memo is the store's memo on the read pool; nil in a transaction, which
	// must see its own writes.
	memo *memo.Cache
	// index is the search queue on SQLite's read pool, which Search
	// catches up; nil in a transaction and on PostgreSQL.
	index *indexQueue
}

// changes is what one write transaction declared with Touch.
type changes struct {
	keys     []string
	declared bool
	// all: the transaction wrote something every page may show (settings,
	// spaces, memberships, roles, names), whatever else it declared.
	all bool
	// queued: the transaction queued posts for the search index.
	queued bool
	// late: writes to hot rows waiting for the end (see late.go).
	late []lateStmt
}

// merge adds what another transaction of a group changed.
func (c *changes) merge(o *changes) {
	c.all = c.all || o.everything()
	c.keys = append(c.keys, o.keys...)
	c.queued = c.queued || o.queued
}

// everything reports whether the transaction may have changed anything.
func (c *changes) everything() bool { return !c.declared || c.all }

// Touch declares what this write transaction changes that cached pages
// show, as pagecache keys (a topic, a space, a member, the lists). A
// transaction that declares nothing is taken to change everything, so a
// write path nobody annotated empties the page cache rather than leaving it
// stale; Touch() with no keys declares that nothing shown changes.
func (q *Queries) Touch(keys ...string) {
	if q.changed != nil {
		q.changed.declared = true
		q.changed.keys = append(q.changed.keys, keys...)
	}
}

// alsoTouch adds keys to what the transaction changes without declaring
// it: a transaction that declares nothing else still drops everything. The
// writes that call it change what only the memo keeps (a member's session,
// a question's invitations), where a forgotten key would go stale.
func (q *Queries) alsoTouch(keys ...string) {
	if q.changed != nil {
		q.changed.keys = append(q.changed.keys, keys...)
	}
}

// touchAll marks the transaction as changing everything shown. The writes
// that call it (settings, spaces, memberships, roles, names) feed every
// page's frame and every visibility decision, and the memo keeps what they
// feed with no keys, so they must drop everything even in a transaction
// that declares keys for its other writes.
func (q *Queries) touchAll() {
	if q.changed != nil {
		q.changed.all = true
	}
}

// ChangeChannel is the PostgreSQL notification channel that carries each
// committed transaction's changes to every instance (see OnChange).
const ChangeChannel = "practica_changes"

// notifyAll is the payload for "everything may have changed"; PostgreSQL
// caps a payload near 8,000 bytes, so long key lists become it too.
const notifyAll = "*"

// OnChange sets fn to be called after every committed write transaction
// with the keys it declared, or all=true when it declared none. On
// PostgreSQL the same keys are sent to every instance with NOTIFY (sent by
// PostgreSQL only if the transaction commits); ParseChange reads them back.
func (s *Store) OnChange(fn func(keys []string, all bool)) { s.onChange = fn }

// changePayload encodes a transaction's changes for NOTIFY.
func changePayload(c *changes) string {
	p := strings.Join(c.keys, " ")
	if c.everything() || len(p) > 7000 {
		return notifyAll
	}
	return p
}

// ParseChange decodes a NOTIFY payload sent by InTx.
func ParseChange(payload string) (keys []string, all bool) {
	if payload == notifyAll {
		return nil, true
	}
	return strings.Fields(payload), false
}

// Read returns queries on the read pool, for requests that change nothing.
func (s *Store) Read() *Queries {
	return &Queries{db: s.read, dialect: s.db.Dialect, memo: s.Memo, index: s.index}
}

// InTx runs fn in one write transaction, committing when fn returns nil.
//
// On SQLite, transactions wait for the one write connection in a queue of
// their own, first come, first served (database/sql hands a freed
// connection to a random waiter: with 32 writers some waited five times the
// median), and those waiting together are committed together (groupTx).
func (s *Store) InTx(ctx context.Context, fn func(q *Queries) error) error {
	if s.turn != nil {
		return s.groupTx(ctx, fn)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx, err := s.db.Write.BeginTx(context.WithoutCancel(ctx), nil) // see uncancelled
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	ch := &changes{}
	if err := runTx(ctx, fn, &Queries{db: uncancelled{tx}, dialect: s.db.Dialect, changed: ch}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if s.onChange != nil && (ch.everything() || len(ch.keys) > 0) {
		if _, err := tx.ExecContext(keepOn(ctx), `SELECT pg_notify($1, $2)`, ChangeChannel, changePayload(ch)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("store: notify: %w", err)
		}
	}
	err = tx.Commit()
	s.afterCommit(ch)
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// uncancelled runs a PostgreSQL write transaction's statements on contexts
// that cannot be cancelled. For a context that can end, pgx starts a
// goroutine to watch it for every statement, and database/sql another for
// every result set; a write's 20 to 40 statements paid as many goroutine
// starts and thread wake-ups (5 % of Practica's CPU per new topic, beside
// the scheduler's own). A caller that gave up still stops the transaction:
// its next statement is run on the ended context and fails at once.
type uncancelled struct{ *sql.Tx }

func (t uncancelled) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(keepOn(ctx), query, args...)
}

func (t uncancelled) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(keepOn(ctx), query, args...)
}

func (t uncancelled) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(keepOn(ctx), query, args...)
}

// keepOn is ctx without its cancellation, or ctx itself once it has ended.
func keepOn(ctx context.Context) context.Context {
	if ctx.Err() != nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// afterCommit tells the memo, the listeners and the indexer what a commit
// changed. Even a failed commit may have committed (a connection lost after
// the server wrote it), so they hear of it either way.
func (s *Store) afterCommit(ch *changes) {
	if ch.everything() || len(ch.keys) > 0 {
		s.Memo.Invalidate(ch.keys, ch.everything())
		if s.onChange != nil {
			s.onChange(ch.keys, ch.everything())
		}
	}
	if ch.queued {
		select {
		case s.index.wake <- struct{}{}:
		default:
		}
	}
}

// classify turns engine constraint errors into ErrConflict and wraps the rest.
func classify(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	case db.IsUniqueViolation(err):
		return fmt.Errorf("store: %s: %w", what, ErrConflict)
	case db.IsBadText(err):
		return fmt.Errorf("store: %s: %w", what, ErrBadText)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// exec runs a statement and reports ErrNotFound when it touched no row.
func (q *Queries) exec(ctx context.Context, what, query string, args ...any) error {
	res, err := q.db.ExecContext(ctx, query, args...)
	if err != nil {
		return classify(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return classify(what, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return nil
}

// insert runs an INSERT ... RETURNING id.
func (q *Queries) insert(ctx context.Context, what, query string, args ...any) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, query, args...).Scan(&id)
	return id, classify(what, err)
}

// builder assembles a query with numbered placeholders.
type builder struct {
	sb   strings.Builder
	args []any
	// positional writes "?" instead of "$N", for SQLite statements with
	// hundreds of parameters: its driver binds $N by name, at a cost that
	// grows with their number squared. Each arg is then used once, in order.
	positional bool
}

// arg records v and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	if b.positional {
		return "?"
	}
	return "$" + strconv.Itoa(len(b.args))
}

// ids records each id and returns their placeholders, comma-separated, for an
// IN list.
func (b *builder) ids(ids []int64) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = b.arg(id)
	}
	return strings.Join(ph, ", ")
}

func (b *builder) add(parts ...string) {
	for _, p := range parts {
		b.sb.WriteString(p)
	}
}

func (b *builder) String() string { return b.sb.String() }

// visibleContent is the one filter for content lists: the condition under
// which rows of space alias s are readable within the scope.
func (b *builder) visibleContent(sc policy.Scope) string {
	if sc.All {
		return "TRUE"
	}
	if sc.UserID == 0 {
		return "s.visibility = 'public'"
	}
	return "(s.visibility = 'public' OR EXISTS (SELECT 1 FROM space_members vm WHERE vm.space_id = s.id AND vm.user_id = " + b.arg(sc.UserID) + "))"
}

// ReadClass names what visibleContent lets the scope read: "all" for staff,
// "public" for guests and for members of public spaces only, else the ids
// of the other spaces the member belongs to. Scopes of one class read the
// same content, so a result that depends on the scope only through
// visibleContent (a page of search results) can be shared among them. It
// changes only in writes that drop everything (memberships, roles, spaces'
// visibility), so it is kept with no key.
func (q *Queries) ReadClass(ctx context.Context, sc policy.Scope) (string, error) {
	switch {
	case sc.All:
		return "all", nil
	case sc.UserID == 0:
		return "public", nil
	}
	return cached(q, "read-class:"+strconv.FormatInt(sc.UserID, 10), func(c string) int64 { return int64(64 + len(c)) }, func() (string, error) {
		rows, err := q.db.QueryContext(ctx, `SELECT m.space_id FROM space_members m JOIN spaces s ON s.id = m.space_id
			WHERE m.user_id = $1 AND s.visibility <> 'public' ORDER BY m.space_id`, sc.UserID)
		ids, err := collect(rows, err, "read class", func(r scanner) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		if err != nil || len(ids) == 0 {
			return "public", err
		}
		return "spaces:" + idList(ids), nil
	})
}

// listedSpaces is the filter for space lists: public and private spaces are
// listed; secret ones only to their members.
func (b *builder) listedSpaces(sc policy.Scope) string {
	if sc.All {
		return "TRUE"
	}
	if sc.UserID == 0 {
		return "s.visibility <> 'secret'"
	}
	return "(s.visibility <> 'secret' OR EXISTS (SELECT 1 FROM space_members vm WHERE vm.space_id = s.id AND vm.user_id = " + b.arg(sc.UserID) + "))"
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// collect scans every row with scan.
func collect[T any](rows *sql.Rows, err error, what string, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, classify(what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, classify(what, err)
		}
		out = append(out, v)
	}
	return out, classify(what, rows.Err())
}

// recount sets a cached counter column of row id from its COUNT(*) query.
// The row is locked by a statement of its own first: on PostgreSQL (READ
// COMMITTED) the count then runs on a snapshot taken after every concurrent
// writer of that row committed, so parallel writers cannot leave a stale
// count. SQLite has one writer, where the lock costs nothing. Late writes
// run first, so none adjusts the count after it was recounted.
func (q *Queries) recount(ctx context.Context, what, table, column, count string, id int64) error {
	_, err := q.recountValue(ctx, what, table, column, count, id)
	return err
}

// recountValue is recount, returning the new count.
func (q *Queries) recountValue(ctx context.Context, what, table, column, count string, id int64) (int64, error) {
	if err := q.runLate(ctx); err != nil {
		return 0, err
	}
	if _, err := q.db.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = `+column+` WHERE id = $1`, id); err != nil {
		return 0, classify(what, err)
	}
	var n int64
	err := q.db.QueryRowContext(ctx, `UPDATE `+table+` SET `+column+` = (`+count+`) WHERE id = $1 RETURNING `+column, id).Scan(&n)
	return n, classify(what, err)
}
