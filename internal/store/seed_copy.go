package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"practica/internal/db"
)

// InBulkTx runs fn in a write transaction for a bulk load into a database
// nothing reads yet (the dataset generator's): on PostgreSQL, InsertRows
// and SeedIndexes in it send their rows with COPY, which PostgreSQL reads
// several times faster than multi-row INSERTs it must parse and plan, and
// which takes any number of rows. What fn writes is not announced to the
// memo or to other instances, as InTx does: there are none yet. On SQLite it
// is InTx.
func (s *Store) InBulkTx(ctx context.Context, fn func(q *Queries) error) error {
	if s.db.Dialect != db.Postgres {
		return s.InTx(ctx, fn)
	}
	conn, err := s.db.Write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: bulk connection: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := runTx(ctx, fn, &Queries{db: copyTx{tx, conn}, dialect: s.db.Dialect, changed: &changes{}}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// copyTx is a transaction with the connection it runs on, whose pgx
// connection COPY goes through.
type copyTx struct {
	*sql.Tx
	conn *sql.Conn
}

// copyRows sends rows to table's columns with COPY, in the transaction.
func (c copyTx) copyRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	return c.conn.Raw(func(driverConn any) error {
		pc, ok := driverConn.(interface{ Conn() *pgx.Conn })
		if !ok {
			return errors.New("store: COPY needs the pgx driver")
		}
		_, err := pc.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	})
}

// copier returns the transaction's COPY path when it has one (InBulkTx on
// PostgreSQL).
func (q *Queries) copier() (copyTx, bool) {
	c, ok := q.db.(copyTx)
	return c, ok && q.dialect == db.Postgres
}

// seedDocsDDL is the staging table of copyIndexes, one per connection,
// emptied after each use.
const seedDocsDDL = `CREATE TEMP TABLE IF NOT EXISTS seed_docs (post_id BIGINT, title TEXT, tags TEXT, body TEXT)`

// copyIndexes writes search rows as WriteIndexes does on PostgreSQL, with
// the documents sent by COPY to a staging table and their tsvectors
// computed by one statement (pgDocument, as every writer).
func (q *Queries) copyIndexes(ctx context.Context, c copyTx, docs []IndexDoc) error {
	if len(docs) == 0 {
		return nil
	}
	if _, err := c.ExecContext(ctx, seedDocsDDL); err != nil {
		return classify("stage index", err)
	}
	rows := make([][]any, len(docs))
	for i := range docs {
		rows[i] = []any{docs[i].PostID, docs[i].Title, docs[i].Tags, docs[i].text()}
	}
	if err := c.copyRows(ctx, "seed_docs", []string{"post_id", "title", "tags", "body"}, rows); err != nil {
		return classify("stage index", err)
	}
	_, err := c.ExecContext(ctx, `INSERT INTO search_docs (post_id, body, doc) SELECT post_id, body, `+pgDocument("title", "tags", "body")+`
		FROM seed_docs ORDER BY post_id`)
	if err != nil {
		return classify("bulk index", err)
	}
	_, err = c.ExecContext(ctx, `TRUNCATE seed_docs`)
	return classify("bulk index", err)
}

// copyName is the table a bulkTables name writes ("topics:seed" writes
// topics).
func copyName(table string) string {
	name, _, _ := strings.Cut(table, ":")
	return name
}
