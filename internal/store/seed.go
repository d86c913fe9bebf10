package store

import (
	"context"
	"strings"

	"practica/internal/db"
	"practica/internal/markup"
)

// The dataset generator (internal/seed) writes a whole community into an
// empty database with InsertRows (topics with their counts and scores, the
// reputation ledger with the votes), then sets the few counts that span
// everything with the set-based statements below.

// HasContent reports whether the database holds any account, space or
// topic: the generator only writes into an empty one.
func (q *Queries) HasContent(ctx context.Context) (bool, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) a) + (SELECT COUNT(*) FROM (SELECT 1 FROM spaces LIMIT 1) b)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM topics LIMIT 1) c)`).Scan(&n)
	return n > 0, classify("has content", err)
}

// SyncIDs moves the identity sequences of tables past the largest id written
// with explicit ids, so that rows the application inserts later get new ids.
// SQLite's AUTOINCREMENT follows explicit ids by itself.
func (q *Queries) SyncIDs(ctx context.Context, tables ...string) error {
	if q.dialect != db.Postgres {
		return nil
	}
	for _, t := range tables {
		if _, ok := bulkTables[t]; !ok {
			panic("store: SyncIDs on unknown table " + t)
		}
		if _, err := q.db.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM `+t+`), false)`, t); err != nil {
			return classify("sync ids", err)
		}
	}
	return nil
}

// SeedRecount sets the cached counts the generator leaves to the database,
// from what they count: users' reputation (the sum of their ledger) and
// spaces' topic and member counts.
func (q *Queries) SeedRecount(ctx context.Context) error {
	for _, stmt := range []string{
		`UPDATE users SET reputation = COALESCE((SELECT SUM(r.delta) FROM reputation_events r WHERE r.user_id = users.id), 0)`,
		`UPDATE spaces SET topic_count = (SELECT COUNT(*) FROM topics t WHERE t.space_id = spaces.id AND t.deleted_at IS NULL),
			member_count = (SELECT COUNT(*) FROM space_members m WHERE m.space_id = spaces.id)`,
	} {
		if _, err := q.db.ExecContext(ctx, stmt); err != nil {
			return classify("seed recount", err)
		}
	}
	return q.RecountAllTags(ctx)
}

// Analyze refreshes the query planner's statistics after a bulk load.
func (q *Queries) Analyze(ctx context.Context) error {
	_, err := q.db.ExecContext(ctx, `ANALYZE`)
	return classify("analyze", err)
}

// BulkLoad readies SQLite's write connection for loading a whole community
// in large transactions (on), and restores the settings of normal work
// (off): a page cache large enough that a transaction's pages are not spilt
// to the WAL before its commit, statement journals in memory, commits not
// synced (a crash during a load leaves an incomplete community to remove
// anyway), and a full-text index that merges its segments in larger steps
// (the segments left at the end are merged by later writes, as usual).
// PostgreSQL needs nothing.
func (s *Store) BulkLoad(ctx context.Context, on bool) error {
	if s.db.Dialect == db.Postgres {
		return nil
	}
	stmts := []string{`PRAGMA cache_size = -262144`, `PRAGMA temp_store = MEMORY`, `PRAGMA synchronous = OFF`, `PRAGMA wal_autocheckpoint = 0`,
		`INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 67108864)`,
		`INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 16)`}
	if !on {
		stmts = []string{`INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 1048576)`,
			`INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 4)`,
			`PRAGMA wal_checkpoint(TRUNCATE)`, `PRAGMA wal_autocheckpoint = 1000`,
			`PRAGMA synchronous = FULL`, `PRAGMA temp_store = DEFAULT`, `PRAGMA cache_size = -2000`}
	}
	for _, stmt := range stmts {
		if _, err := s.db.Write.ExecContext(ctx, stmt); err != nil {
			return classify("bulk load settings", err)
		}
	}
	return nil
}

// IndexSet is a set of dropped secondary indexes, to create again.
type IndexSet struct{ defs []string }

// DropIndexes drops the secondary indexes of tables (neither primary keys
// nor unique ones, which keep checking what is written) and returns them:
// loading a table and then building its indexes by sorting is several times
// faster than updating them row by row. The definitions come from the
// engine's catalog, so they stay those of the migrations.
func (q *Queries) DropIndexes(ctx context.Context, tables ...string) (IndexSet, error) {
	var set IndexSet
	var b builder
	var query string
	if q.dialect == db.Postgres {
		query = `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			WHERE t.relnamespace = current_schema()::regnamespace AND NOT x.indisunique AND NOT x.indisprimary AND t.relname IN (`
	} else {
		query = `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (`
	}
	for i, t := range tables {
		if i > 0 {
			query += ", "
		}
		query += b.arg(t)
	}
	rows, err := q.db.QueryContext(ctx, query+`) ORDER BY 1`, b.args...)
	pairs, err := collect(rows, err, "list indexes", func(r scanner) ([2]string, error) {
		var p [2]string
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		return set, err
	}
	for _, p := range pairs {
		if _, err := q.db.ExecContext(ctx, `DROP INDEX `+quoteIdent(p[0])); err != nil {
			return set, classify("drop index", err)
		}
		set.defs = append(set.defs, p[1])
	}
	return set, nil
}

// CreateIndexes builds the indexes DropIndexes dropped.
func (q *Queries) CreateIndexes(ctx context.Context, set IndexSet) error {
	for _, def := range set.defs {
		if _, err := q.db.ExecContext(ctx, def); err != nil {
			return classify("create index", err)
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// SeedIndexes writes the search rows of new posts like WriteIndexes, but on
// SQLite through a staging table and one statement per call: the FTS5 index
// writes a segment at the end of every statement, and merging thousands of
// small segments would cost more than indexing.
func (q *Queries) SeedIndexes(ctx context.Context, docs []IndexDoc) error {
	if q.dialect == db.Postgres {
		return q.WriteIndexes(ctx, docs)
	}
	if _, err := q.db.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS seed_docs (id INTEGER PRIMARY KEY, title TEXT, tags TEXT, body TEXT)`); err != nil {
		return classify("stage index", err)
	}
	rows := make([][]any, len(docs))
	for i, d := range docs {
		body := d.Text
		if body == "" {
			body = markup.TextOfHTML(d.BodyHTML)
		}
		rows[i] = []any{d.PostID, d.Title, d.Tags, body}
	}
	if err := q.InsertRows(ctx, "seed_docs", rows); err != nil {
		return err
	}
	for _, stmt := range []string{`INSERT INTO search_fts (rowid, title, tags, body) SELECT id, title, tags, body FROM temp.seed_docs ORDER BY id`, `DELETE FROM temp.seed_docs`} {
		if _, err := q.db.ExecContext(ctx, stmt); err != nil {
			return classify("bulk index", err)
		}
	}
	return nil
}
