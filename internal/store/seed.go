package store

import (
	"context"
	"strings"

	"practica/internal/db"
	"practica/internal/model"
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
	if err := q.RecountActive(ctx); err != nil {
		return err
	}
	return q.RecountAllTags(ctx)
}

// RevisionTags are the tags an opening post's first revision records.
type RevisionTags struct {
	PostID int64
	Tags   string
}

// SeedRevisions writes the first revision of the posts first..last, just
// written, from their rows: their bodies are copied inside the engine rather
// than sent and parsed a second time. An opening post's revision also
// records its topic's title, and the tags in tags.
func (q *Queries) SeedRevisions(ctx context.Context, first, last int64, tags []RevisionTags) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO post_revisions (post_id, number, editor_id, title, tags, body, created_at)
		SELECT p.id, 1, p.author_id, CASE WHEN p.kind = $1 THEN t.title ELSE '' END, '', p.body, p.created_at
		FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.id BETWEEN $2 AND $3 ORDER BY p.id`, model.PostOpening, first, last)
	if err != nil {
		return classify("seed revisions", err)
	}
	for start := 0; start < len(tags); start += maxBulkParams {
		b := builder{positional: q.dialect != db.Postgres}
		b.add(`UPDATE post_revisions SET tags = v.column2 FROM (VALUES `)
		for i, r := range tags[start:min(start+maxBulkParams, len(tags))] {
			if i > 0 {
				b.add(", ")
			}
			b.add("(", b.literal(r.PostID), ", ", b.arg(r.Tags), ")")
		}
		b.add(`) AS v WHERE post_revisions.post_id = v.column1 AND post_revisions.number = 1`)
		if _, err := q.db.ExecContext(ctx, b.String(), b.args...); err != nil {
			return classify("seed revision tags", err)
		}
	}
	return nil
}

// RefreshStatistics gives PostgreSQL's planner statistics after a bulk
// write; without them it takes each table for a row or two and sorts whole
// tables where an index would do. On SQLite it does nothing: the queries are
// written for its planner without statistics, which ANALYZE would change.
func (q *Queries) RefreshStatistics(ctx context.Context) error {
	if q.dialect != db.Postgres {
		return nil
	}
	return q.Analyze(ctx)
}

// Analyze refreshes the query planner's statistics after a bulk load.
// On SQLite it samples each index (analysis_limit) rather than reading all
// of it, as PRAGMA optimize does. On PostgreSQL it names this schema's
// tables: a bare ANALYZE covers every schema of the database, and would
// wait on (and deadlock with) another community's migrations there.
func (q *Queries) Analyze(ctx context.Context) error {
	stmt := `ANALYZE`
	if q.dialect != db.Postgres {
		if _, err := q.db.ExecContext(ctx, `PRAGMA analysis_limit = 1000`); err != nil {
			return classify("analyze", err)
		}
		defer q.db.ExecContext(ctx, `PRAGMA analysis_limit = 0`)
	} else {
		var tables string
		err := q.db.QueryRowContext(ctx, `SELECT COALESCE(string_agg(quote_ident(schemaname) || '.' || quote_ident(tablename), ', '), '') FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables)
		if err != nil || tables == "" {
			return classify("analyze: list tables", err)
		}
		stmt += " " + tables
	}
	_, err := q.db.ExecContext(ctx, stmt)
	return classify("analyze", err)
}

// BulkLoad readies SQLite's write connection for loading a whole community
// into a new database (on), and restores the settings of normal work (off).
// While loading: no rollback journal and no WAL, so that each page is
// written once, into the database file, rather than to the WAL and then
// again by a checkpoint; commits not synced; foreign keys not checked (the
// generator writes only rows that refer to rows it wrote, which its tests
// check with foreign_key_check); a page cache large enough that a
// transaction's pages are not spilt before its commit, and statement
// journals in memory. A crash during a load leaves an incomplete community
// to remove anyway. Leaving WAL needs the writer to be the only connection;
// when a reader holds the file open, the load keeps WAL, only slower. The
// database ends in WAL mode again. PostgreSQL needs nothing.
func (s *Store) BulkLoad(ctx context.Context, on bool) error {
	if s.db.Dialect == db.Postgres {
		return nil
	}
	if on {
		// An error here (a reader is connected) leaves WAL on, which works.
		_, _ = s.db.Write.ExecContext(ctx, `PRAGMA journal_mode = OFF`)
	}
	stmts := []string{`PRAGMA foreign_keys = OFF`, `PRAGMA cache_size = -262144`, `PRAGMA mmap_size = 4294967296`, `PRAGMA temp_store = MEMORY`, `PRAGMA synchronous = OFF`, `PRAGMA wal_autocheckpoint = 0`,
		`INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 67108864)`,
		`INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 16)`}
	if !on {
		stmts = []string{`INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 1048576)`,
			// as migration 00009 sets them
			`INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 0)`, `INSERT INTO search_fts (search_fts, rank) VALUES ('crisismerge', 2000)`,
			`INSERT INTO search_fts (search_fts, rank) VALUES ('usermerge', 8)`,
			`PRAGMA wal_checkpoint(TRUNCATE)`, `PRAGMA wal_autocheckpoint = 0`, // db's checkpointer copies the WAL
			`PRAGMA synchronous = FULL`, `PRAGMA temp_store = DEFAULT`, `PRAGMA cache_size = -2000`, `PRAGMA mmap_size = 0`, `PRAGMA foreign_keys = ON`, `PRAGMA journal_mode = WAL`}
	}
	for _, stmt := range stmts {
		if _, err := s.db.Write.ExecContext(ctx, stmt); err != nil {
			return classify("bulk load settings", err)
		}
	}
	return nil
}

// IndexSet is a set of dropped secondary indexes (and foreign keys), to
// create again.
type IndexSet struct{ defs []string }

// DropIndexes drops the secondary indexes of tables (neither primary keys
// nor unique ones, which keep checking what is written) and returns them:
// loading a table and then building its indexes by sorting is several times
// faster than updating them row by row. On PostgreSQL it drops the tables'
// foreign keys too, which it checks row by row with a trigger, and which
// adding again checks with one join (SQLite's load does not check them,
// see BulkLoad). The definitions come from the engine's catalog, so they
// stay those of the migrations.
func (q *Queries) DropIndexes(ctx context.Context, tables ...string) (IndexSet, error) {
	set, err := q.dropIndexes(ctx, tables)
	if err != nil || q.dialect != db.Postgres {
		return set, err
	}
	fks, err := q.dropForeignKeys(ctx, tables)
	set.defs = append(set.defs, fks...)
	return set, err
}

// dropForeignKeys drops the foreign keys of tables on PostgreSQL and
// returns the statements that add them again.
func (q *Queries) dropForeignKeys(ctx context.Context, tables []string) ([]string, error) {
	var b builder
	query := `SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
		WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace AND t.relname IN (`
	for i, t := range tables {
		if i > 0 {
			query += ", "
		}
		query += b.arg(t)
	}
	rows, err := q.db.QueryContext(ctx, query+`) ORDER BY 1, 2`, b.args...)
	fks, err := collect(rows, err, "list foreign keys", func(r scanner) ([3]string, error) {
		var f [3]string
		return f, r.Scan(&f[0], &f[1], &f[2])
	})
	if err != nil {
		return nil, err
	}
	var adds []string
	for _, f := range fks {
		table, name := quoteIdent(f[0]), quoteIdent(f[1])
		if _, err := q.db.ExecContext(ctx, `ALTER TABLE `+table+` DROP CONSTRAINT `+name); err != nil {
			return adds, classify("drop foreign key", err)
		}
		adds = append(adds, `ALTER TABLE `+table+` ADD CONSTRAINT `+name+` `+f[2])
	}
	return adds, nil
}

func (q *Queries) dropIndexes(ctx context.Context, tables []string) (IndexSet, error) {
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
		if keptIndexes[p[0]] {
			continue
		}
		if _, err := q.db.ExecContext(ctx, `DROP INDEX `+quoteIdent(p[0])); err != nil {
			return set, classify("drop index", err)
		}
		set.defs = append(set.defs, p[1])
	}
	return set, nil
}

// keptIndexes are left in place by DropIndexes: a bulk load writes posts
// topic by topic, in id order, so these indexes grow at their end, as
// cheaply as the table, while building each afterwards would read all of
// posts again.
var keptIndexes = map[string]bool{"posts_topic": true, "posts_topic_score": true, "posts_parent": true}

// CreateIndexes builds the indexes (and adds the foreign keys)
// DropIndexes dropped.
func (q *Queries) CreateIndexes(ctx context.Context, set IndexSet) error {
	for _, def := range set.defs {
		if _, err := q.db.ExecContext(ctx, def); err != nil {
			return classify("create index", err)
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// SeedIndexes writes the search rows of new posts on PostgreSQL, with the
// load's rows (by COPY in InBulkTx); on SQLite a SearchBuilder indexes them
// beside the database.
func (q *Queries) SeedIndexes(ctx context.Context, docs []IndexDoc) error {
	if c, ok := q.copier(); ok {
		return q.copyIndexes(ctx, c, docs)
	}
	return q.WriteIndexes(ctx, docs)
}

func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
