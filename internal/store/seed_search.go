package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	"modernc.org/sqlite/vtab"

	"practica/internal/db"
)

// SearchBuilder builds the search index of a bulk load on a connection of
// its own, from documents the load has committed (Add): the index costs
// mostly the tokenizing of every body, which then runs on another core
// while the writer inserts the rows.
//
// On SQLite the index is built in a scratch database beside the main one,
// and Finish copies its tables into the database, whose own search_fts must
// be empty and untouched until then. Every document goes through one
// INSERT ... SELECT, which reads them from a virtual table fed by Add
// (searchFeed): FTS5 writes a new segment at the end of every statement, so
// a statement per batch left dozens of segments for an 'optimize' to merge,
// rewriting the whole index once more; one statement keeps the index in
// memory (up to searchHashSize) and writes it once, as a single segment.
//
// On PostgreSQL each batch is copied into search_docs in a transaction of
// its own (SeedIndexes in InBulkTx), so that to_tsvector runs in a second
// server process beside the writer's.
type SearchBuilder struct {
	main, path string
	scratch    *sql.DB // nil on PostgreSQL
	feed       *searchFeed
	// stopped is closed when the consumer of feed has ended, with its error
	// in err.
	stopped chan struct{}
	err     error
	closed  bool // feed.docs is closed
	// busy is the time the index took to build, waits for documents aside
	// (on PostgreSQL, their average over the workers).
	busy time.Duration
}

// searchShadows are the tables in which FTS5 keeps the search_fts index.
var searchShadows = []string{"search_fts_data", "search_fts_idx", "search_fts_content", "search_fts_docsize"}

// searchHashSize bounds the memory the scratch index holds before it writes
// a segment: dataset M's whole index fits, so it is written once; a larger
// load writes several segments, which Optimize merges.
const searchHashSize = 256 << 20

// NewSearchBuilder starts indexing what Add sends, until Optimize or Close,
// or until ctx is canceled.
func (s *Store) NewSearchBuilder(ctx context.Context) (*SearchBuilder, error) {
	b := &SearchBuilder{stopped: make(chan struct{}), feed: newSearchFeed(ctx)}
	if s.db.Dialect == db.Postgres {
		go b.run(func() error { return b.copyAll(s) })
		return b, nil
	}
	if err := b.openScratch(ctx, s); err != nil {
		b.feed.stop()
		b.feed.unregister()
		return nil, err
	}
	go b.run(func() error {
		_, err := b.scratch.ExecContext(b.feed.ctx, `INSERT INTO search_fts (rowid, title, tags, body, tagset, tagged) SELECT rowid, title, tags, body, tagset, tagged FROM temp.seed_feed`)
		return err
	})
	return b, nil
}

// openScratch creates the scratch database of a SQLite index: the same
// search_fts as the migrations made, merging no segments on its own, and the
// virtual table that reads the feed.
func (b *SearchBuilder) openScratch(ctx context.Context, s *Store) error {
	var def string
	if err := s.db.Write.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'search_fts'`).Scan(&def); err != nil {
		return classify("search builder", err)
	}
	b.main, b.path = s.db.Path, s.db.Path+".seed-search"
	b.remove()
	// The scratch database is thrown away: nothing in it needs a journal,
	// a sync or another connection. It waits for locks like the store's own
	// connections do: Finish writes the database through it, which another
	// connection (a background job's) may be reading at that moment.
	scratch, err := sql.Open(seedDriver(), "file:"+b.path+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-131072)&_pragma=busy_timeout(10000)&_time_format=sqlite")
	if err != nil {
		return classify("search builder", err)
	}
	scratch.SetMaxOpenConns(1)
	scratch.SetMaxIdleConns(1)
	scratch.SetConnMaxLifetime(0)
	b.scratch = scratch
	for _, stmt := range []string{def, `INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', ` + strconv.Itoa(searchHashSize) + `)`,
		`INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 0)`, `INSERT INTO search_fts (search_fts, rank) VALUES ('crisismerge', 1000)`,
		`CREATE VIRTUAL TABLE temp.seed_feed USING ` + seedFeedModule + `(` + b.feed.key + `)`} {
		if _, err := scratch.ExecContext(ctx, stmt); err != nil {
			_ = scratch.Close()
			b.scratch = nil
			b.remove()
			return classify("search builder", err)
		}
	}
	return nil
}

// run runs the feed's consumer and records its time and error.
func (b *SearchBuilder) run(consume func() error) {
	defer close(b.stopped)
	began := time.Now()
	err := consume()
	// A SQLite statement stopped by the feed reports only that it stopped.
	if ferr := b.feed.failure(); ferr != nil && (err == nil || b.scratch != nil) {
		err = ferr
	}
	b.err = classify("search builder", err)
	b.busy += time.Since(began) - time.Duration(b.feed.waited.Load())/time.Duration(b.consumers())
}

// consumers is how many goroutines read the feed at once.
func (b *SearchBuilder) consumers() int {
	if b.scratch == nil {
		return pgSearchWorkers
	}
	return 1
}

// pgSearchWorkers is how many connections index batches on PostgreSQL:
// to_tsvector costs the server more than writing the load's own rows, so
// with one connection the writer waited for the index.
const pgSearchWorkers = 2

// copyAll indexes the feed's batches on PostgreSQL, pgSearchWorkers at a
// time, until the feed ends or a batch fails, which stops the others.
func (b *SearchBuilder) copyAll(s *Store) error {
	var wg sync.WaitGroup
	var once sync.Once
	var failed error
	for range pgSearchWorkers {
		wg.Go(func() {
			for {
				docs, err := b.feed.next()
				if docs == nil || err != nil {
					return
				}
				if err := s.InBulkTx(b.feed.ctx, func(q *Queries) error { return q.SeedIndexes(b.feed.ctx, docs) }); err != nil {
					once.Do(func() { failed = err; b.feed.stop() })
					return
				}
			}
		})
	}
	wg.Wait()
	return failed
}

// Add indexes docs, whose ids must be larger than those already added and
// whose posts are committed.
func (b *SearchBuilder) Add(ctx context.Context, docs []IndexDoc) error {
	if len(docs) == 0 {
		return nil
	}
	select {
	case b.feed.docs <- docs:
		return nil
	case <-b.stopped:
		if b.err == nil {
			return errors.New("search builder: added to after Optimize")
		}
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Optimize waits for the documents added to be indexed and, on SQLite,
// merges the scratch index into one segment, as FTS5's 'optimize' does
// (nothing to do when it is one already), for searches that read one
// segment rather than several, and raises that segment to the level where
// merges of later posts leave it alone (raiseSegments).
func (b *SearchBuilder) Optimize(ctx context.Context) error {
	b.endFeed()
	select {
	case <-b.stopped:
	case <-ctx.Done():
		return ctx.Err()
	}
	if b.err != nil || b.scratch == nil {
		return b.err
	}
	began := time.Now()
	_, err := b.scratch.ExecContext(ctx, `INSERT INTO search_fts (search_fts) VALUES ('optimize')`)
	if err == nil {
		err = b.raiseSegments(ctx)
	}
	b.busy += time.Since(began)
	return classify("search builder", err)
}

// Busy is how long the index took to build, waits for documents aside; it
// is only read after Optimize.
func (b *SearchBuilder) Busy() time.Duration { return b.busy }

// endFeed tells the INSERT that no more documents come.
func (b *SearchBuilder) endFeed() {
	if !b.closed {
		b.closed = true
		close(b.feed.docs)
	}
}

// Finish copies a SQLite scratch index into the database: the copy moves the
// tables' records as they are, much faster than indexing again. The copy is
// written by the scratch connection, with the database attached, so that
// the database's own connections see a change by another connection and
// read the index afresh. The scratch database is then removed.
func (b *SearchBuilder) Finish(ctx context.Context) error {
	defer b.Close()
	if b.scratch == nil {
		return nil // PostgreSQL: written in place
	}
	// Unsynced, like the rest of the load (BulkLoad).
	stmts := []string{`ATTACH DATABASE ` + quoteLiteral(b.main) + ` AS dest`, `PRAGMA dest.synchronous = OFF`, `BEGIN IMMEDIATE`}
	for _, t := range searchShadows {
		stmts = append(stmts, `DELETE FROM dest.`+t, `INSERT INTO dest.`+t+` SELECT * FROM main.`+t)
	}
	stmts = append(stmts, `COMMIT`, `DETACH DATABASE dest`)
	// One connection, so that ATTACH and BEGIN hold for what follows.
	conn, err := b.scratch.Conn(ctx)
	if err != nil {
		return classify("search builder", err)
	}
	defer conn.Close()
	for _, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
			return classify("copy search index", err)
		}
	}
	return nil
}

// Close stops indexing if it still runs and drops the scratch database.
func (b *SearchBuilder) Close() {
	if b == nil || b.feed == nil {
		return
	}
	b.feed.stop()
	<-b.stopped
	b.feed.unregister()
	b.feed = nil
	if b.scratch != nil {
		_ = b.scratch.Close()
		b.scratch = nil
		b.remove()
	}
}

func (b *SearchBuilder) remove() {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		_ = os.Remove(b.path + suffix)
	}
}

// seedFeedModule is the virtual table through which a SearchBuilder's
// INSERT reads the documents Add sends it.
const seedFeedModule = "practica_seed_feed"

// seedDriver registers, once, a SQLite driver of its own for scratch
// indexes, so that the feed module reaches their connections only.
var seedDriver = sync.OnceValue(func() string {
	const name = "sqlite-practica-seed"
	d := &sqlite.Driver{}
	if err := d.RegisterModule(seedFeedModule, feedModule{}); err != nil {
		panic("store: " + err.Error())
	}
	sql.Register(name, d)
	return name
})

// searchFeed carries documents from Add to the virtual table's cursor.
type searchFeed struct {
	key  string
	docs chan []IndexDoc
	ctx  context.Context
	stop context.CancelFunc
	// err is what stopped the cursor early (the context's error).
	err atomic.Pointer[error]
	// waited is how long the cursor waited for documents, in nanoseconds.
	waited atomic.Int64
}

var (
	feeds   sync.Map // key → *searchFeed
	feedSeq atomic.Int64
)

func newSearchFeed(ctx context.Context) *searchFeed {
	f := &searchFeed{key: strconv.FormatInt(feedSeq.Add(1), 10), docs: make(chan []IndexDoc, 2)}
	f.ctx, f.stop = context.WithCancel(ctx)
	feeds.Store(f.key, f)
	return f
}

func (f *searchFeed) unregister() { feeds.Delete(f.key) }

// next waits for the next batch of documents: nil when the feed has ended,
// an error when its context has.
func (f *searchFeed) next() ([]IndexDoc, error) {
	began := time.Now()
	defer func() { f.waited.Add(int64(time.Since(began))) }()
	select {
	case docs := <-f.docs:
		return docs, nil
	case <-f.ctx.Done():
		err := f.ctx.Err()
		f.err.Store(&err)
		return nil, err
	}
}

func (f *searchFeed) failure() error {
	if p := f.err.Load(); p != nil {
		return *p
	}
	return nil
}

// feedModule makes the tables of seedFeedModule: one column per column of
// search_fts, the post's id as rowid, and the documents of the feed whose key is
// the table's argument.
type feedModule struct{}

func (feedModule) Create(ctx vtab.Context, args []string) (vtab.Table, error) {
	return feedModule{}.Connect(ctx, args)
}

func (feedModule) Connect(ctx vtab.Context, args []string) (vtab.Table, error) {
	if len(args) != 4 {
		return nil, errors.New("seed feed: want one argument, the feed's key")
	}
	f, ok := feeds.Load(args[3])
	if !ok {
		return nil, errors.New("seed feed: no feed " + args[3])
	}
	if err := ctx.Declare(`CREATE TABLE x (title TEXT, tags TEXT, body TEXT, tagset TEXT, tagged TEXT)`); err != nil {
		return nil, err
	}
	return &feedTable{feed: f.(*searchFeed)}, nil
}

type feedTable struct{ feed *searchFeed }

func (t *feedTable) BestIndex(info *vtab.IndexInfo) error { return nil }
func (t *feedTable) Open() (vtab.Cursor, error)           { return &feedCursor{feed: t.feed}, nil }
func (t *feedTable) Disconnect() error                    { return nil }
func (t *feedTable) Destroy() error                       { return nil }

// feedCursor reads the feed's documents in the order they were sent,
// waiting for the next batch until the feed ends or its context does.
type feedCursor struct {
	feed *searchFeed
	docs []IndexDoc
	i    int
	eof  bool
	// body and tagSet are the current document's text and tag set,
	// computed once.
	body, tagSet string
}

func (c *feedCursor) Filter(int, string, []vtab.Value) error { return c.advance() }

func (c *feedCursor) Next() error {
	c.i++
	return c.advance()
}

// advance moves to the next document, receiving batches as needed.
func (c *feedCursor) advance() error {
	for c.i >= len(c.docs) {
		docs, err := c.feed.next()
		if err != nil {
			return err
		}
		if docs == nil {
			c.eof = true
			return nil
		}
		c.docs, c.i = docs, 0
	}
	d := &c.docs[c.i]
	c.body, c.tagSet = d.text(), SearchTagSet(d.TagIDs)
	return nil
}

func (c *feedCursor) Eof() bool { return c.eof }

func (c *feedCursor) Column(col int) (vtab.Value, error) {
	switch col {
	case 0:
		return c.docs[c.i].Title, nil
	case 1:
		return c.docs[c.i].Tags, nil
	case 2:
		return c.body, nil
	case 3:
		return c.tagSet, nil
	default:
		return SearchTagged, nil
	}
}

func (c *feedCursor) Rowid() (int64, error) { return c.docs[c.i].PostID, nil }
func (c *feedCursor) Close() error          { return nil }
