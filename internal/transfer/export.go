package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"practica/internal/db"
	"practica/internal/store"
)

// ExportOptions tunes Export.
type ExportOptions struct {
	// Sessions copies browser sessions too, so members stay signed in.
	Sessions bool
	// Progress, when set, receives a line per table as it is copied.
	Progress io.Writer
}

// TableResult compares one table in the source and the target.
type TableResult struct {
	Name           string
	Source, Target Digest
	// Skipped tables were not copied (sessions without --sessions).
	Skipped bool
}

// Match reports whether the target holds exactly the source's rows.
func (r TableResult) Match() bool { return r.Skipped || r.Source == r.Target }

// ExportReport is what Export copied and how it verified.
type ExportReport struct {
	Tables []TableResult
	// Indexed is the number of posts in the rebuilt search index.
	Indexed int
}

// Mismatches lists the tables whose target differs from the source.
func (r ExportReport) Mismatches() []string {
	var out []string
	for _, t := range r.Tables {
		if !t.Match() {
			out = append(out, t.Name)
		}
	}
	return out
}

// Rows is the number of rows copied.
func (r ExportReport) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		if !t.Skipped {
			n += t.Target.Rows
		}
	}
	return n
}

// ErrMismatch is returned when the verification finds a difference.
var ErrMismatch = errors.New("transfer: the copy differs from the source")

// Export copies a whole SQLite community into an empty PostgreSQL database:
// it migrates the target, copies every table in foreign-key order keeping
// ids (in one transaction: on failure the target stays empty), moves each
// identity sequence past the highest id ever handed out, rebuilds the search
// index with PostgreSQL's own engine, and then compares row counts and
// content hashes of every table. The source is read in one read transaction,
// so the copy and its verification see one snapshot even if the source is
// still being written; writes after it are not moved.
func Export(ctx context.Context, src, dst *db.DB, opt ExportOptions) (ExportReport, error) {
	var rep ExportReport
	if src.Dialect != db.SQLite || dst.Dialect != db.Postgres {
		return rep, errors.New("export moves a SQLite database into PostgreSQL: --database must be a SQLite file and --to a postgres:// URL")
	}
	if err := checkEmpty(ctx, dst); err != nil {
		return rep, err
	}
	if _, err := dst.Migrate(ctx); err != nil {
		return rep, err
	}
	snap, err := src.Read.BeginTx(ctx, snapshot)
	if err != nil {
		return rep, fmt.Errorf("transfer: begin source snapshot: %w", err)
	}
	defer snap.Rollback()
	if err := sameVersion(ctx, snap, dst.Read); err != nil {
		return rep, err
	}
	all, err := sqliteTables(ctx, snap)
	if err != nil {
		return rep, err
	}
	ordered, err := dependencyOrder(all)
	if err != nil {
		return rep, err
	}
	if err := sameColumns(ctx, dst, ordered); err != nil {
		return rep, err
	}
	var copied []Table
	for _, t := range ordered {
		if t.Name == "sessions" && !opt.Sessions {
			rep.Tables = append(rep.Tables, TableResult{Name: t.Name, Skipped: true})
			continue
		}
		copied = append(copied, t)
	}
	if err := copyAll(ctx, snap, dst, copied, opt.Progress); err != nil {
		return rep, err
	}
	err = store.New(dst).InTx(ctx, func(q *store.Queries) error {
		var err error
		if rep.Indexed, err = q.ReindexAll(ctx); err != nil {
			return err
		}
		// A member's topic list took 19 ms on S without statistics, 0.4 with.
		return q.RefreshStatistics(ctx)
	})
	if err != nil {
		return rep, fmt.Errorf("transfer: rebuild the search index: %w (the rows were copied; empty the target database before trying again)", err)
	}
	for _, t := range copied {
		r := TableResult{Name: t.Name}
		if r.Source, err = digestTable(ctx, snap, t); err != nil {
			return rep, err
		}
		if r.Target, err = digestTable(ctx, dst.Read, t); err != nil {
			return rep, err
		}
		rep.Tables = append(rep.Tables, r)
	}
	slices.SortFunc(rep.Tables, func(a, b TableResult) int { return strings.Compare(a.Name, b.Name) })
	if m := rep.Mismatches(); len(m) > 0 {
		return rep, fmt.Errorf("%w: %s (keep serving from SQLite; empty the target database before trying again)", ErrMismatch, strings.Join(m, ", "))
	}
	return rep, nil
}

// checkEmpty refuses a target with any row in any table of its schema.
func checkEmpty(ctx context.Context, dst *db.DB) error {
	cols, err := postgresColumns(ctx, dst.Read)
	if err != nil {
		return err
	}
	for table := range cols {
		if table == "goose_db_version" {
			continue
		}
		var has bool
		if err := dst.Read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+ident(table)+`)`).Scan(&has); err != nil {
			return fmt.Errorf("transfer: check target table %s: %w", table, err)
		}
		if has {
			return fmt.Errorf("the target database is not empty (table %s has rows); export only writes into an empty database", table)
		}
	}
	return nil
}

// sameVersion wants both databases at the same migration version.
func sameVersion(ctx context.Context, src, dst querier) error {
	const q = `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`
	var sv, dv int64
	if err := src.QueryRowContext(ctx, q).Scan(&sv); err != nil {
		return fmt.Errorf("transfer: source schema version: %w", err)
	}
	if err := dst.QueryRowContext(ctx, q).Scan(&dv); err != nil {
		return fmt.Errorf("transfer: target schema version: %w", err)
	}
	if sv != dv {
		return fmt.Errorf("the source is at schema version %d and the target at %d; migrate both with this binary first", sv, dv)
	}
	return nil
}

// sameColumns wants every source table in the target with the same columns.
func sameColumns(ctx context.Context, dst *db.DB, tables []Table) error {
	cols, err := postgresColumns(ctx, dst.Read)
	if err != nil {
		return err
	}
	var problems []string
	for _, t := range tables {
		got, want := slices.Sorted(slices.Values(cols[t.Name])), slices.Sorted(slices.Values(t.Columns))
		if !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("%s has columns %v in SQLite but %v in PostgreSQL", t.Name, want, got))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the schemas differ: %s", strings.Join(problems, "; "))
	}
	return nil
}

// copyAll copies the tables in order inside one target transaction and sets
// the identity sequences before committing.
func copyAll(ctx context.Context, src querier, dst *db.DB, tables []Table, progress io.Writer) error {
	tx, err := dst.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("transfer: begin target: %w", err)
	}
	defer tx.Rollback()
	for _, t := range tables {
		n, err := copyTable(ctx, src, tx, t)
		if err != nil {
			return err
		}
		if progress != nil {
			fmt.Fprintf(progress, "copied %-20s %9d rows\n", t.Name, n)
		}
	}
	if err := resetSequences(ctx, src, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("transfer: commit target: %w", err)
	}
	return nil
}

// maxParams stays under PostgreSQL's 65,535 bind parameters per statement.
const maxParams = 60000

// copyTable copies one table with multi-row INSERTs, keeping every column
// (ids included). Rows come in key order, and rows that point into their own
// table (comments under posts) after those that do not, so a parent is
// always inserted before what refers to it.
func copyTable(ctx context.Context, src, dst querier, t Table) (int64, error) {
	var order []string
	for _, c := range t.SelfRefs {
		order = append(order, ident(c)+" IS NOT NULL")
	}
	if len(t.Key) > 0 {
		order = append(order, idents(t.Key))
	} else {
		order = append(order, "rowid")
	}
	rows, err := src.QueryContext(ctx, `SELECT `+idents(t.Columns)+` FROM `+ident(t.Name)+` ORDER BY `+strings.Join(order, ", "))
	if err != nil {
		return 0, fmt.Errorf("transfer: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	perBatch := max(1, min(500, maxParams/len(t.Columns)))
	head := `INSERT INTO ` + ident(t.Name) + ` (` + idents(t.Columns) + `) VALUES `
	var args []any
	var n int64
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString(head)
		for i := range len(args) / len(t.Columns) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range t.Columns {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("$" + strconv.Itoa(i*len(t.Columns)+j+1))
			}
			b.WriteByte(')')
		}
		if _, err := dst.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("transfer: write %s: %w", t.Name, err)
		}
		args = args[:0]
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(t.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, fmt.Errorf("transfer: read %s: %w", t.Name, err)
		}
		args = append(args, vals...)
		n++
		if n%int64(perBatch) == 0 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("transfer: read %s: %w", t.Name, err)
	}
	return n, flush()
}

// resetSequences moves every identity sequence of the target past the highest
// id the source ever handed out: the larger of the table's highest id and
// SQLite's AUTOINCREMENT counter, so ids of deleted rows are not reused.
func resetSequences(ctx context.Context, src, dst querier) error {
	used := map[string]int64{}
	var hasSeq int
	if err := src.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'`).Scan(&hasSeq); err != nil {
		return fmt.Errorf("transfer: read sqlite_sequence: %w", err)
	}
	if hasSeq > 0 {
		rows, err := src.QueryContext(ctx, `SELECT name, seq FROM sqlite_sequence`)
		if err != nil {
			return fmt.Errorf("transfer: read sqlite_sequence: %w", err)
		}
		for rows.Next() {
			var name string
			var seq int64
			if err := rows.Scan(&name, &seq); err != nil {
				rows.Close()
				return fmt.Errorf("transfer: read sqlite_sequence: %w", err)
			}
			used[name] = seq
		}
		rows.Close()
	}
	rows, err := dst.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name`)
	if err != nil {
		return fmt.Errorf("transfer: list identity columns: %w", err)
	}
	var identity [][2]string
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			rows.Close()
			return fmt.Errorf("transfer: list identity columns: %w", err)
		}
		identity = append(identity, [2]string{table, col})
	}
	rows.Close()
	for _, tc := range identity {
		var top int64
		if err := dst.QueryRowContext(ctx, `SELECT COALESCE(MAX(`+ident(tc[1])+`), 0) FROM `+ident(tc[0])).Scan(&top); err != nil {
			return fmt.Errorf("transfer: highest id of %s: %w", tc[0], err)
		}
		next := max(top, used[tc[0]]) + 1
		if _, err := dst.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), $3, false)`, ident(tc[0]), tc[1], next); err != nil {
			return fmt.Errorf("transfer: reset the id sequence of %s: %w", tc[0], err)
		}
	}
	return nil
}
