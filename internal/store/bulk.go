package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"practica/internal/db"
	"practica/internal/markup"
)

// Bulk writes are for imports: many rows of one table in a few multi-row
// statements. With the pure-Go SQLite driver, parsing a statement costs more
// than inserting a row, so one statement per row would be most of the time.

// maxBulkParams bounds the values of one multi-row statement, so its
// placeholders stay far under both engines' limits (SQLite 32,766;
// PostgreSQL 65,535). Larger statements measured no faster.
const maxBulkParams = 1000

// bulkTables are the tables and columns InsertRows may write: names are
// never taken from input.
var bulkTables = map[string][]string{
	"users":             {"id", "username", "username_key", "display_name", "bio", "role", "status", "reputation", "created_at", "updated_at"},
	"topics":            {"id", "space_id", "kind", "author_id", "title", "slug", "created_at", "updated_at", "last_post_at", "last_poster_id", "view_count", "closed_at", "import_id"},
	"topic_tags":        {"topic_id", "tag_id"},
	"posts":             {"id", "topic_id", "author_id", "kind", "parent_id", "body", "body_html", "base_score", "score", "created_at", "updated_at", "edited_at", "wiki_at"},
	"post_revisions":    {"post_id", "number", "editor_id", "title", "tags", "body", "created_at"},
	"import_map":        {"import_id", "kind", "ext_id", "local_id"},
	"user_badges":       {"user_id", "badge", "post_id", "awarded_at"},
	"reputation_events": {"user_id", "delta", "reason", "source", "created_at"},
	// For the dataset generator (internal/seed). A name with a suffix after
	// ":" writes the table before it, with other columns.
	"tags":                   {"id", "name", "description", "created_at"},
	"space_members":          {"space_id", "user_id", "role", "created_at"},
	"votes":                  {"post_id", "user_id", "value", "created_at"},
	"topics:seed":            {"id", "space_id", "kind", "author_id", "title", "slug", "created_at", "updated_at", "last_post_at", "last_poster_id", "view_count", "reply_count", "score", "accepted_post_id"},
	"reputation_events:seed": {"user_id", "delta", "reason", "source", "post_id", "actor_id", "created_at"},
}

// InsertRows inserts rows (values in the order of bulkTables[table]) in as
// few statements as the placeholder limits allow.
func (q *Queries) InsertRows(ctx context.Context, table string, rows [][]any) error {
	cols, ok := bulkTables[table]
	if !ok {
		panic("store: InsertRows on unknown table " + table)
	}
	if len(rows) == 0 {
		return nil
	}
	if c, ok := q.copier(); ok {
		return classify("bulk insert "+table, c.copyRows(ctx, copyName(table), cols, rows))
	}
	per := max(1, maxBulkParams/len(cols))
	name, _, _ := strings.Cut(table, ":")
	if p, ok := q.db.(preparer); ok && q.dialect != db.Postgres && len(rows) >= 2*per {
		// Parsing and compiling a statement of a thousand values costs as
		// much as inserting its rows: on SQLite, full chunks go through one
		// statement, prepared once, with every value bound.
		row := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
		stmt, err := p.PrepareContext(ctx, `INSERT INTO `+name+` (`+strings.Join(cols, ", ")+`) VALUES `+row+strings.Repeat(", "+row, per-1))
		if err != nil {
			return classify("bulk insert "+table, err)
		}
		defer stmt.Close()
		args := make([]any, 0, per*len(cols))
		for len(rows) >= per {
			args = args[:0]
			for _, row := range rows[:per] {
				args = append(args, row...)
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return classify("bulk insert "+table, err)
			}
			rows = rows[per:]
		}
	}
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		b := builder{positional: q.dialect != db.Postgres}
		b.add(`INSERT INTO `, name, ` (`, strings.Join(cols, ", "), `) VALUES `)
		for i, row := range chunk {
			if i > 0 {
				b.add(", ")
			}
			b.add("(")
			for j, v := range row {
				if j > 0 {
					b.add(", ")
				}
				b.add(b.literal(v))
			}
			b.add(")")
		}
		exec := q.db.ExecContext
		if o, ok := q.db.(onceExecer); ok {
			exec = o.execOnce
		}
		if _, err := exec(ctx, b.String(), b.args...); err != nil {
			return classify("bulk insert "+table, err)
		}
	}
	return nil
}

// preparer is what InsertRows needs of a transaction to prepare a statement.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// onceExecer runs a statement whose text will not come again without
// caching it (txStmts.execOnce).
type onceExecer interface {
	execOnce(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// literal writes v into the statement when it is a number, a time or null
// (values no input can turn into SQL), and anything else as a placeholder.
// Bulk rows then bind a fraction of the parameters they would, which the
// SQLite driver matches to their positions at a cost that grows with their
// number squared.
func (b *builder) literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case *time.Time:
		if x == nil {
			return "NULL"
		}
		return b.literal(*x)
	case time.Time:
		if b.positional {
			return "'" + x.Format(sqliteTime) + "'"
		}
	}
	return b.arg(v)
}

// sqliteTime is how the SQLite driver writes times (its "sqlite" format), so
// times written as literals read back and compare like bound ones.
const sqliteTime = "2006-01-02 15:04:05.999999999-07:00"

// ReserveIDs returns n new ids for rows of table that a bulk insert will
// write with explicit ids. On SQLite (one writer) they follow the largest id
// ever used; on PostgreSQL they come from the table's identity sequence.
func (q *Queries) ReserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	if _, ok := bulkTables[table]; !ok || n == 0 {
		return nil, nil
	}
	out := make([]int64, 0, n)
	if q.dialect == db.Postgres {
		rows, err := q.db.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
		return collect(rows, err, "reserve ids", func(r scanner) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
	}
	var last int64
	err := q.db.QueryRowContext(ctx, `SELECT MAX(n) FROM (SELECT COALESCE(MAX(id), 0) AS n FROM `+table+`
		UNION ALL SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = $1) s`, table).Scan(&last)
	if err != nil {
		return nil, classify("reserve ids", err)
	}
	for i := range n {
		out = append(out, last+1+int64(i))
	}
	return out, nil
}

// IndexDoc is one post's search row, for WriteIndexes: Text is the plain
// text of BodyHTML when the caller already has it. TagIDs are the ids of
// its topic's tags, for the row's tag set on SQLite (see SearchTagSet).
type IndexDoc struct {
	PostID                      int64
	Title, Tags, BodyHTML, Text string
	TagIDs                      []int64
}

// text is d's body as plain text.
func (d *IndexDoc) text() string {
	if d.Text != "" {
		return d.Text
	}
	return markup.TextOfHTML(d.BodyHTML)
}

// WriteIndexes writes the search rows of new posts (posts not indexed yet)
// in bulk.
func (q *Queries) WriteIndexes(ctx context.Context, docs []IndexDoc) error {
	if len(docs) == 0 {
		return nil
	}
	per := maxBulkParams / 4
	for start := 0; start < len(docs); start += per {
		chunk := docs[start:min(start+per, len(docs))]
		b := builder{positional: q.dialect != db.Postgres}
		if q.dialect == db.Postgres {
			b.add(`INSERT INTO search_docs (post_id, body, doc) VALUES `)
		} else {
			b.add(`INSERT INTO search_fts (rowid, title, tags, body, tagset, tagged) VALUES `)
		}
		for i, d := range chunk {
			if i > 0 {
				b.add(", ")
			}
			body := d.text()
			if q.dialect == db.Postgres {
				bv := b.arg(body)
				b.add(`(`, b.arg(d.PostID), `, `, bv, `, `, pgDocument(b.arg(d.Title), b.arg(d.Tags), bv), `)`)
			} else {
				b.add(`(`, b.literal(d.PostID), `, `, b.arg(d.Title), `, `, b.arg(d.Tags), `, `, b.arg(body), `, `,
					// Tokens made of ids, written as literals like numbers (see
					// literal): a row binds no more values than before tag sets.
					quoteLiteral(SearchTagSet(d.TagIDs)), `, `, quoteLiteral(SearchTagged), `)`)
			}
		}
		if _, err := q.db.ExecContext(ctx, b.String(), b.args...); err != nil {
			return classify("bulk index", err)
		}
	}
	return nil
}
