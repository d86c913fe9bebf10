package transfer

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"

	"practica/internal/db"
)

// querier is what *sql.DB, *sql.Conn and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Table is one table of application data, as the schema describes it.
type Table struct {
	Name string
	// Columns in the order the schema declares them.
	Columns []string
	// Key is the primary key; empty for a table keyed by SQLite's rowid alone.
	Key []string
	// Parents are the other tables its foreign keys point to.
	Parents []string
	// SelfRefs are columns that point into the same table (a comment's parent
	// post): rows whose SelfRefs are NULL are copied first.
	SelfRefs []string
}

// skipTable reports tables that are not application data: the migration
// bookkeeping, SQLite's own tables, and the full-text index, which each
// engine builds for itself (FTS5 and its queue, search_pending, here;
// search_docs on PostgreSQL).
func skipTable(name string, virtual []string) bool {
	if name == "goose_db_version" || name == "search_pending" || strings.HasPrefix(name, "sqlite_") {
		return true
	}
	for _, v := range virtual {
		if name == v || strings.HasPrefix(name, v+"_") {
			return true
		}
	}
	return false
}

// sqliteTables lists the data tables of a SQLite database, sorted by name.
func sqliteTables(ctx context.Context, q querier) ([]Table, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("transfer: list tables: %w", err)
	}
	var names, virtual []string
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			rows.Close()
			return nil, fmt.Errorf("transfer: list tables: %w", err)
		}
		if strings.HasPrefix(strings.ToUpper(ddl), "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, name)
		}
		names = append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transfer: list tables: %w", err)
	}
	var out []Table
	for _, name := range names {
		if skipTable(name, virtual) {
			continue
		}
		t, err := sqliteTable(ctx, q, name)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func sqliteTable(ctx context.Context, q querier, name string) (Table, error) {
	t := Table{Name: name}
	rows, err := q.QueryContext(ctx, `SELECT name, pk FROM pragma_table_info($1) ORDER BY cid`, name)
	if err != nil {
		return t, fmt.Errorf("transfer: columns of %s: %w", name, err)
	}
	keys := map[int]string{}
	for rows.Next() {
		var col string
		var pk int
		if err := rows.Scan(&col, &pk); err != nil {
			rows.Close()
			return t, fmt.Errorf("transfer: columns of %s: %w", name, err)
		}
		t.Columns = append(t.Columns, col)
		if pk > 0 {
			keys[pk] = col
		}
	}
	rows.Close()
	for i := 1; i <= len(keys); i++ {
		t.Key = append(t.Key, keys[i])
	}
	rows, err = q.QueryContext(ctx, `SELECT "table", "from" FROM pragma_foreign_key_list($1)`, name)
	if err != nil {
		return t, fmt.Errorf("transfer: foreign keys of %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var parent, col string
		if err := rows.Scan(&parent, &col); err != nil {
			return t, fmt.Errorf("transfer: foreign keys of %s: %w", name, err)
		}
		switch {
		case parent == name:
			t.SelfRefs = append(t.SelfRefs, col)
		case !slices.Contains(t.Parents, parent):
			t.Parents = append(t.Parents, parent)
		}
	}
	return t, rows.Err()
}

// postgresColumns lists the columns of every table in the current schema.
func postgresColumns(ctx context.Context, q querier) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("transfer: list postgres columns: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			return nil, fmt.Errorf("transfer: list postgres columns: %w", err)
		}
		out[table] = append(out[table], col)
	}
	return out, rows.Err()
}

// dependencyOrder sorts tables so that every table comes after the tables it
// references (ties broken by name, so the order is stable).
func dependencyOrder(tables []Table) ([]Table, error) {
	byName := map[string]Table{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	var out []Table
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("transfer: foreign keys form a cycle: %s", strings.Join(append(path, name), " → "))
		case 2:
			return nil
		}
		t, ok := byName[name]
		if !ok {
			return nil // a reference to a table that is not copied
		}
		state[name] = 1
		parents := slices.Clone(t.Parents)
		sort.Strings(parents)
		for _, p := range parents {
			if err := visit(p, append(path, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		out = append(out, t)
		return nil
	}
	names := make([]string, 0, len(tables))
	for _, t := range tables {
		names = append(names, t.Name)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ident quotes a name from the schema catalog for use in SQL.
func ident(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func idents(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = ident(n)
	}
	return strings.Join(q, ", ")
}

// tableList returns the data tables of d, sorted by name.
func tableList(ctx context.Context, d *db.DB, q querier) ([]Table, error) {
	if d.Dialect == db.SQLite {
		return sqliteTables(ctx, q)
	}
	cols, err := postgresColumns(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []Table
	for name, c := range cols {
		if name == "goose_db_version" || name == "search_docs" {
			continue
		}
		out = append(out, Table{Name: name, Columns: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
