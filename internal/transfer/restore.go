package transfer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"practica/internal/db"
)

// RestoreInfo describes a finished restore.
type RestoreInfo struct {
	Target string
	// Version is the backup's schema version; Migrated how many migrations
	// then brought it to this binary's schema.
	Version  int64
	Migrated int
	Users    int64
	Topics   int64
	Posts    int64
}

// requiredTables must exist in anything restore accepts as a Practica backup.
var requiredTables = []string{"goose_db_version", "settings", "users", "spaces", "topics", "posts", "post_revisions"}

// Restore installs the SQLite backup file as the database at target, then
// migrates it to this binary's schema. It never overwrites a database that
// holds a community: target must be missing, empty, or a database without a
// single account (a fresh install whose setup never ran). The backup is
// copied next to target first and checked there (integrity, the migration
// table and the core tables, a schema no newer than this binary), then
// renamed into place, so target is either untouched or the complete backup.
func Restore(ctx context.Context, file, target string) (RestoreInfo, error) {
	info := RestoreInfo{Target: target}
	if st, err := os.Stat(file); err != nil || !st.Mode().IsRegular() {
		return info, fmt.Errorf("backup file %s: not found or not a regular file", file)
	}
	// A live database is not a backup: its latest commits may sit in its
	// WAL, which a copy of the main file would silently leave behind.
	if _, err := os.Stat(file + "-wal"); err == nil {
		return info, fmt.Errorf("%s has a -wal file beside it, so it is a live database, not a backup; make a backup with `practica backup`", file)
	}
	// A server keeps a -shm file while it has the target open: replacing the
	// file under it would leave it serving two databases.
	if _, err := os.Stat(target + "-shm"); err == nil {
		return info, fmt.Errorf("%s is open (its -shm file exists): stop the server before restoring into it", target)
	}
	if err := checkTarget(ctx, target); err != nil {
		return info, err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	tmp := target + ".restoring"
	removeDB(tmp) // a copy left by a restore that did not finish; never a live database
	if err := copyFile(file, tmp); err != nil {
		removeDB(tmp)
		return info, err
	}
	version, err := checkBackup(ctx, tmp)
	if err != nil {
		removeDB(tmp)
		return info, fmt.Errorf("%s: %w", file, err)
	}
	info.Version = version
	// Check again: something may have created target while we copied.
	if err := checkTarget(ctx, target); err != nil {
		removeDB(tmp)
		return info, err
	}
	// An empty database's journal must go with it, or SQLite would replay it
	// into the restored file.
	removeDB(target)
	if err := os.Rename(tmp, target); err != nil {
		removeDB(tmp)
		return info, fmt.Errorf("restore: %w", err)
	}
	_ = syncDir(filepath.Dir(target))
	d, err := db.Open(ctx, target)
	if err != nil {
		return info, err
	}
	defer d.Close()
	if info.Migrated, err = d.Migrate(ctx); err != nil {
		return info, fmt.Errorf("restored, but migrating to this version failed: %w", err)
	}
	err = d.Read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM topics), (SELECT COUNT(*) FROM posts)`).
		Scan(&info.Users, &info.Topics, &info.Posts)
	return info, err
}

// removeDB deletes a SQLite file with its WAL and shared-memory files.
func removeDB(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		_ = os.Remove(p)
	}
}

// checkTarget refuses a target that holds anything but an empty database.
func checkTarget(ctx context.Context, target string) error {
	var size int64
	for _, p := range []string{target, target + "-wal"} {
		st, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("restore target %s: %w", p, err)
		case !st.Mode().IsRegular():
			return fmt.Errorf("restore target %s is not a regular file", p)
		default:
			size += st.Size()
		}
	}
	if size == 0 {
		return nil
	}
	conn, err := openFile(target)
	if err != nil {
		return err
	}
	defer conn.Close()
	var tables, users int64
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN name = 'users' THEN 1 END) FROM sqlite_master WHERE type = 'table'`).Scan(&tables, &users); err != nil {
		return fmt.Errorf("%s exists and is not a SQLite database; restore only writes into an empty location", target)
	}
	switch {
	case tables == 0:
		return nil
	case users == 0:
		return fmt.Errorf("%s exists and is not a Practica database; restore only writes into an empty location", target)
	}
	var n int64
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return fmt.Errorf("read %s: %w", target, err)
	}
	if n > 0 {
		return fmt.Errorf("%s already holds a community (%d %s); restore never overwrites a database. "+
			"Restore into a new path (--database), or stop the server and move that file, with its -wal and -shm files, aside first",
			target, n, plural(n, "account", "accounts"))
	}
	return nil
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// openFile opens one SQLite file for inspection, outside the app's pools.
func openFile(path string) (*sql.DB, error) {
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_time_format=sqlite")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	conn.SetMaxOpenConns(1)
	return conn, nil
}

// checkIntegrity runs PRAGMA integrity_check on a SQLite file.
func checkIntegrity(ctx context.Context, path string) error {
	conn, err := openFile(path)
	if err != nil {
		return err
	}
	defer conn.Close()
	return integrity(ctx, conn)
}

func integrity(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("not a SQLite database (a PostgreSQL dump is restored with pg_restore): %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			return err
		}
		if msg != "ok" && len(problems) < 5 {
			problems = append(problems, msg)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("not a SQLite database (a PostgreSQL dump is restored with pg_restore): %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

// checkBackup checks that path is a sound Practica database this binary can
// migrate, and returns its schema version.
func checkBackup(ctx context.Context, path string) (int64, error) {
	conn, err := openFile(path)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if err := integrity(ctx, conn); err != nil {
		return 0, err
	}
	var missing []string
	for _, t := range requiredTables {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, t).Scan(&n); err != nil {
			return 0, err
		}
		if n == 0 {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return 0, fmt.Errorf("not a Practica database: no table %s", strings.Join(missing, ", "))
	}
	var version int64
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&version); err != nil {
		return 0, fmt.Errorf("read its schema version: %w", err)
	}
	if latest := LatestVersion(); version > latest {
		return 0, fmt.Errorf("made by a newer Practica (schema version %d; this binary knows up to %d); restore it with that version", version, latest)
	}
	return version, nil
}

// LatestVersion is the highest migration version this binary carries.
func LatestVersion() int64 {
	entries, _ := fs.ReadDir(db.MigrationsFS(db.SQLite), ".")
	var latest int64
	for _, e := range entries {
		digits, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.ParseInt(digits, 10, 64); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

// copyFile copies src to a new file dst and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("restore: copy %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("restore: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}
