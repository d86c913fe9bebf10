package transfer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"

	"practica/internal/apperr"
	"practica/internal/db"
	"practica/internal/model"
	"practica/internal/policy"
	"practica/internal/store"
)

// Service answers the admin data page.
type Service struct {
	db    *db.DB
	store *store.Store
}

// NewService returns the service over an opened database.
func NewService(d *db.DB, st *store.Store) *Service { return &Service{db: d, store: st} }

// Status is what the admin data page shows.
type Status struct {
	// Engine is "sqlite" or "postgres".
	Engine string
	// Bytes is the database's size on disk: the file and its WAL on SQLite,
	// pg_database_size on PostgreSQL.
	Bytes int64
	// LastBackup is the latest `practica backup`, nil when there was none.
	LastBackup *BackupInfo
}

// Status reports the database engine, its size and the last backup; admins only.
func (s *Service) Status(ctx context.Context, v model.Viewer) (Status, error) {
	if !policy.CanManageUsers(v) {
		return Status{}, apperr.ErrNotFound
	}
	st := Status{Engine: string(s.db.Dialect)}
	var err error
	if st.Bytes, err = Size(ctx, s.db); err != nil {
		return st, err
	}
	settings, err := s.store.Read().Settings(ctx)
	if err != nil {
		return st, err
	}
	if at, err := time.Parse(time.RFC3339, settings[settingBackupAt]); err == nil {
		n, _ := strconv.ParseInt(settings[settingBackupBytes], 10, 64)
		st.LastBackup = &BackupInfo{File: settings[settingBackupFile], Bytes: n, At: at}
	}
	return st, nil
}

// Size returns the database's size on disk.
func Size(ctx context.Context, d *db.DB) (int64, error) {
	if d.Dialect == db.Postgres {
		var n int64
		if err := d.Read.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
			return 0, fmt.Errorf("transfer: database size: %w", err)
		}
		return n, nil
	}
	var total int64
	for _, p := range []string{d.Path, d.Path + "-wal"} {
		st, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return 0, fmt.Errorf("transfer: database size: %w", err)
		default:
			total += st.Size()
		}
	}
	return total, nil
}

// HumanBytes writes a size the way people read it: 512 B, 3.4 MB, 1.2 GB.
func HumanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
