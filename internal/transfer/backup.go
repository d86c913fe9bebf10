package transfer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"practica/internal/db"
	"practica/internal/store"
)

// Settings keys recording the last backup, shown on the admin data page.
const (
	settingBackupAt    = "backup.last_at"
	settingBackupBytes = "backup.last_bytes"
	settingBackupFile  = "backup.last_file"
)

// BackupInfo describes one finished backup.
type BackupInfo struct {
	File  string
	Bytes int64
	At    time.Time
	Took  time.Duration
}

// ErrPostgresBackup is returned by Backup on PostgreSQL, which is backed up
// with pg_dump (see PostgresBackupHelp).
var ErrPostgresBackup = errors.New("transfer: PostgreSQL is backed up with pg_dump")

// Backup writes a consistent copy of a live SQLite database to file while the
// server keeps serving and writing. VACUUM INTO runs on a connection of its
// own (the app's readers are query_only, which refuses it, and its one writer
// must stay free): in WAL mode its read transaction sees one snapshot, and
// writers carry on beside it, in this process or another. The copy is written under a temporary name, checked with
// PRAGMA integrity_check, synced, and only then linked to file, which must
// not exist: a backup never overwrites anything. The time and size are
// recorded in settings for the admin page.
func Backup(ctx context.Context, d *db.DB, file string, now func() time.Time) (BackupInfo, error) {
	if d.Dialect != db.SQLite {
		return BackupInfo{}, ErrPostgresBackup
	}
	start := now()
	abs, err := filepath.Abs(file)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup file %s: %w", file, err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return BackupInfo{}, fmt.Errorf("%s already exists; a backup never overwrites a file, so pick a new name", file)
	}
	if st, err := os.Stat(filepath.Dir(abs)); err != nil || !st.IsDir() {
		return BackupInfo{}, fmt.Errorf("folder %s does not exist", filepath.Dir(file))
	}
	tmp := abs + ".partial"
	if _, err := os.Lstat(tmp); err == nil {
		return BackupInfo{}, fmt.Errorf("%s exists, left by a backup that did not finish (or one running now); remove it first", tmp)
	}
	if err := vacuumInto(ctx, d.Path, tmp); err != nil {
		os.Remove(tmp)
		return BackupInfo{}, err
	}
	if err := finishFile(ctx, tmp, abs); err != nil {
		os.Remove(tmp)
		return BackupInfo{}, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	info := BackupInfo{File: abs, Bytes: st.Size(), At: start, Took: now().Sub(start)}
	err = store.New(d).InTx(ctx, func(q *store.Queries) error {
		for k, v := range map[string]string{settingBackupAt: info.At.UTC().Format(time.RFC3339),
			settingBackupBytes: strconv.FormatInt(info.Bytes, 10), settingBackupFile: info.File} {
			if err := q.SetSetting(ctx, k, v, info.At); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return info, fmt.Errorf("backup written to %s, but recording it failed: %w", file, err)
	}
	return info, nil
}

// vacuumInto copies the database at path to the new file tmp.
func vacuumInto(ctx context.Context, path, tmp string) error {
	conn, err := openFile(path)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, tmp); err != nil {
		return fmt.Errorf("backup: vacuum into %s: %w", tmp, err)
	}
	return nil
}

// finishFile checks the fresh copy at tmp, syncs it and links it to dst
// without ever replacing an existing dst.
func finishFile(ctx context.Context, tmp, dst string) error {
	if err := checkIntegrity(ctx, tmp); err != nil {
		return fmt.Errorf("backup: the copy does not check out: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Link(tmp, dst); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s appeared while the backup ran; not overwriting it", dst)
		}
		// Some filesystems have no hard links; fall back to a rename after
		// checking again.
		if _, serr := os.Lstat(dst); serr == nil {
			return fmt.Errorf("%s appeared while the backup ran; not overwriting it", dst)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	} else if err := os.Remove(tmp); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return syncDir(filepath.Dir(dst))
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// syncDir makes a new name in dir durable. Filesystems that cannot sync a
// directory are not an error.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer f.Close()
	_ = f.Sync()
	return nil
}

// PostgresBackupHelp explains how to back up and restore the PostgreSQL
// database at dsn with pg_dump and pg_restore, with the exact commands. The
// password is never printed: pg_dump reads it from PGPASSWORD or ~/.pgpass.
func PostgresBackupHelp(dsn, file string) string {
	conn, schema := libpqURL(dsn)
	schemaFlag := ""
	if schema != "" {
		schemaFlag = " --schema=" + shellQuote(schema)
	}
	if file == "" {
		file = "practica.dump"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "This database is PostgreSQL, which Practica backs up with pg_dump: it takes a consistent\n")
	fmt.Fprintf(&b, "snapshot while the server keeps running. Back up (the password comes from PGPASSWORD or ~/.pgpass):\n\n")
	fmt.Fprintf(&b, "  pg_dump --format=custom%s --file=%s %s\n\n", schemaFlag, shellQuote(file), shellQuote(conn))
	fmt.Fprintf(&b, "Restore into a new, empty database, then start Practica on it (it migrates on start):\n\n")
	restored := withDatabase(conn, "practica_restored")
	fmt.Fprintf(&b, "  createdb --maintenance-db=%s practica_restored\n", shellQuote(conn))
	fmt.Fprintf(&b, "  pg_restore --no-owner --exit-on-error --dbname=%s %s\n\n", shellQuote(restored), shellQuote(file))
	if schema != "" {
		restored = withSearchPath(restored, schema)
	}
	fmt.Fprintf(&b, "  PRACTICA_DATABASE_URL=%s practica serve\n", shellQuote(restored))
	return b.String()
}

// libpqURL turns a pgx URL into one libpq tools accept: without the password
// and without search_path, which pg_dump takes as --schema instead.
func libpqURL(dsn string) (conn, schema string) {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn, ""
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	schema = q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema
}

func withDatabase(conn, name string) string {
	u, err := url.Parse(conn)
	if err != nil {
		return conn
	}
	u.Path = "/" + name
	return u.String()
}

func withSearchPath(conn, schema string) string {
	u, err := url.Parse(conn)
	if err != nil {
		return conn
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
