package store

import (
	"context"
	"sync"
	"sync/atomic"
)

// On SQLite a write transaction does not write its posts' search rows: it
// queues the posts (search_pending) and they are indexed after commit, many
// per transaction. FTS5 writes a new segment for every transaction that
// changes the index and merges segments as they pile up; one per post was
// half the CPU of a new topic on dataset M and made the commit that hit a
// merge stall for up to 1.7 s. Indexed in batches, the same posts cost one
// segment.
//
// Search never misses a committed post: a search with text first indexes
// whatever is queued (catchUp), so a member finds their post the moment it
// is saved, and tests need no waiting. The background indexer (the app's
// jobs call IndexQueued when IndexWake fires) keeps the queue short so that
// searches seldom have to. On PostgreSQL writers index in their own
// transactions (GIN takes concurrent writers and has no segments to merge),
// and Store.index is nil.

// indexBatch bounds the posts indexed in one transaction: the writer is
// held meanwhile, about 0.1 ms per post.
const indexBatch = 200

// indexQueue tracks the queue on SQLite.
type indexQueue struct {
	s *Store
	// dirty: a transaction may have queued posts not indexed yet. Set
	// before that transaction commits (a search that starts after its
	// commit then always catches up) and cleared, holding the writer, by
	// the transaction that reads the queue.
	dirty atomic.Bool
	// mu lets one caller at a time empty the queue; the others find it
	// empty when they get their turn.
	mu   sync.Mutex
	wake chan struct{}
	// batches and posts count what was indexed, merges the merge steps
	// that did work, for /debug/runtime.
	batches, posts, merges atomic.Int64
}

func newIndexQueue(s *Store) *indexQueue {
	q := &indexQueue{s: s, wake: make(chan struct{}, 1)}
	// A crash may have left posts queued; the first search or indexer run
	// looks.
	q.dirty.Store(true)
	return q
}

// queue records that postID's search row must be written again.
func (q *Queries) queue(ctx context.Context, postID int64) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO search_pending (post_id) VALUES ($1) ON CONFLICT DO NOTHING`, postID)
	if q.changed != nil {
		q.changed.queued = true
	}
	return classify("queue post for search", err)
}

// IndexWake fires after a transaction queued posts for the search index;
// nil on PostgreSQL (a nil channel never fires).
func (s *Store) IndexWake() <-chan struct{} {
	if s.index == nil {
		return nil
	}
	return s.index.wake
}

// IndexStats reports the batches and posts indexed and the merge steps
// taken since the store opened.
func (s *Store) IndexStats() (batches, posts, merges int64) {
	if s.index == nil {
		return 0, 0, 0
	}
	return s.index.batches.Load(), s.index.posts.Load(), s.index.merges.Load()
}

// IndexQueued writes the search rows of every queued post, indexBatch per
// transaction, and reports how many it wrote.
func (s *Store) IndexQueued(ctx context.Context) (int, error) {
	x := s.index
	if x == nil || !x.dirty.Load() {
		return 0, nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	total := 0
	for x.dirty.Load() {
		n := 0
		err := s.InTx(ctx, func(q *Queries) error {
			// Search results depend on the lists, which the writes that
			// queued these posts declared; a search made since then
			// caught up first (see catchUp).
			q.Touch()
			x.dirty.Store(false)
			var err error
			n, err = q.indexPending(ctx, indexBatch)
			if n == indexBatch {
				x.dirty.Store(true)
			}
			return err
		})
		if err != nil {
			x.dirty.Store(true)
			return total, err
		}
		if n > 0 {
			x.batches.Add(1)
			x.posts.Add(int64(n))
		}
		total += n
	}
	return total, nil
}

// catchUp indexes what is queued before a search reads the index; nil-safe
// (PostgreSQL, transactions).
func (x *indexQueue) catchUp(ctx context.Context) error {
	if x == nil || !x.dirty.Load() {
		return nil
	}
	_, err := x.s.IndexQueued(ctx)
	return err
}

// indexPending writes the search rows of up to limit queued posts, lowest
// ids first, and takes them off the queue.
func (q *Queries) indexPending(ctx context.Context, limit int) (int, error) {
	var last int64
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(post_id), 0), COUNT(*) FROM (SELECT post_id FROM search_pending ORDER BY post_id LIMIT $1)`, limit).Scan(&last, &n)
	if err != nil || n == 0 {
		return 0, classify("read search queue", err)
	}
	const queued = `(SELECT post_id FROM search_pending WHERE post_id <= $1)`
	if _, err := q.db.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid IN `+queued, last); err != nil {
		return 0, classify("unindex queued posts", err)
	}
	docs, err := q.indexDocs(ctx, `p.id IN `+queued+` ORDER BY p.id`, last)
	if err != nil {
		return 0, err
	}
	if err := q.WriteIndexes(ctx, docs); err != nil {
		return 0, err
	}
	if _, err := q.db.ExecContext(ctx, `DELETE FROM search_pending WHERE post_id <= $1`, last); err != nil {
		return 0, classify("empty search queue", err)
	}
	return n, nil
}

// mergeStep bounds the pages one merge step writes (FTS5's 'merge' command):
// a few milliseconds of the writer.
const mergeStep = 128

// MergeIndex merges the search index's segments on SQLite, one bounded
// step per transaction (other writers take turns between steps), until
// there is nothing left to merge, maxSteps were taken or ctx ends; it
// reports the steps that did work. Commits never merge (migration 00009), so
// without it segments pile up, one per indexed batch, and searches read
// more of them.
func (s *Store) MergeIndex(ctx context.Context, maxSteps int) (int, error) {
	if s.index == nil {
		return 0, nil
	}
	for n := 0; n < maxSteps; n++ {
		if ctx.Err() != nil {
			return n, nil
		}
		worked := false
		err := s.InTx(ctx, func(q *Queries) error {
			q.Touch() // the same rows, in fewer segments
			var before, after int64
			if err := q.db.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
				return classify("merge search index", err)
			}
			if _, err := q.db.ExecContext(ctx, `INSERT INTO search_fts (search_fts, rank) VALUES ('merge', $1)`, mergeStep); err != nil {
				return classify("merge search index", err)
			}
			err := q.db.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after)
			// FTS5 documents a change of 2 or more as work done.
			worked = after-before >= 2
			return classify("merge search index", err)
		})
		if err != nil || !worked {
			return n, err
		}
		s.index.merges.Add(1)
	}
	return maxSteps, nil
}
