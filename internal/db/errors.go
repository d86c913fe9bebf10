package db

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite extended result codes (sqlite3.h) for constraint violations.
const (
	sqliteConstraintUnique     = 2067
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintForeignKey = 787
	sqliteConstraintCheck      = 275
)

// IsUniqueViolation reports whether err is a unique or primary-key violation.
func IsUniqueViolation(err error) bool {
	if c, ok := sqliteCode(err); ok {
		return c == sqliteConstraintUnique || c == sqliteConstraintPrimaryKey
	}
	return pgCode(err) == "23505"
}

// IsBadText reports whether err is PostgreSQL refusing a character it cannot
// store in text (NUL, or one outside the encoding).
func IsBadText(err error) bool {
	c := pgCode(err)
	return c == "22021" || c == "22P05"
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	if c, ok := sqliteCode(err); ok {
		return c == sqliteConstraintForeignKey
	}
	return pgCode(err) == "23503"
}

func sqliteCode(err error) (int, bool) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code(), true
	}
	return 0, false
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
