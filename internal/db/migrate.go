package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations
var migrations embed.FS

// MigrationsFS returns the migration files of one dialect; the parity test
// compares the two folders.
func MigrationsFS(d Dialect) fs.FS {
	sub, err := fs.Sub(migrations, "migrations/"+string(d))
	if err != nil {
		panic(err) // the folder is embedded at build time; missing means a broken build
	}
	return sub
}

// Migrate applies every pending migration and returns how many ran.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	dialect := goose.DialectSQLite3
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, d.Write, MigrationsFS(d.Dialect))
	if err != nil {
		return 0, fmt.Errorf("db: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("db: migrate: %w", err)
	}
	return len(res), nil
}
