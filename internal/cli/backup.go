package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"practica/internal/app"
	"practica/internal/config"
	"practica/internal/db"
	"practica/internal/transfer"
)

// backupFileArg parses s's flags around one positional FILE argument, which may
// come before or after the flags.
func backupFileArg(s *subFlags, args []string) (string, error) {
	if err := s.fs.Parse(args); err != nil {
		return "", err
	}
	rest := s.fs.Args()
	if len(rest) == 0 {
		s.fs.Usage()
		return "", errors.New("missing FILE")
	}
	file := rest[0]
	if err := s.fs.Parse(rest[1:]); err != nil {
		return "", err
	}
	if len(s.fs.Args()) > 0 {
		s.fs.Usage()
		return "", fmt.Errorf("unexpected arguments %q", strings.Join(s.fs.Args(), " "))
	}
	return file, nil
}

// transferConfig resolves the --database flag and environment, without opening anything.
func transferConfig(env Env, s *subFlags) (config.Config, error) {
	return config.Load("cli", s.configArgs(), env.Getenv, env.Stderr)
}

func backupCmd(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("backup", "backup FILE [--database D]\n\n"+
		"Writes a consistent copy of the SQLite database to FILE while the server keeps running\n"+
		"(VACUUM INTO), checks it, and records it for the admin data page. FILE must not exist.\n"+
		"On PostgreSQL it prints the pg_dump and pg_restore commands to use instead.", env.Stderr)
	file, err := backupFileArg(s, args)
	if err != nil {
		return err
	}
	cfg, err := transferConfig(env, s)
	if err != nil {
		return err
	}
	path := cfg.SQLitePath()
	if path == "" {
		fmt.Fprint(env.Stdout, transfer.PostgresBackupHelp(cfg.DatabaseURL, file))
		return errors.New("nothing written: back up PostgreSQL with pg_dump as shown above")
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database at %s (set --database or PRACTICA_DATABASE_URL)", path)
	}
	d, err := db.Open(ctx, path)
	if err != nil {
		return err
	}
	defer d.Close()
	info, err := transfer.Backup(ctx, d, file, app.Now)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup written: %s (%s in %s); integrity check ok\nrestore it with: practica restore %s --database NEW_PATH\n",
		info.File, transfer.HumanBytes(info.Bytes), info.Took.Round(1e6), info.File)
	return nil
}

func restoreCmd(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("restore", "restore FILE [--database D]\n\n"+
		"Installs the SQLite backup FILE as the database (--database, or $PRACTICA_DATABASE_URL),\n"+
		"after checking it, then migrates it to this version. The database must not exist yet,\n"+
		"or be a fresh install without accounts: restore never overwrites a community.", env.Stderr)
	file, err := backupFileArg(s, args)
	if err != nil {
		return err
	}
	cfg, err := transferConfig(env, s)
	if err != nil {
		return err
	}
	path := cfg.SQLitePath()
	if path == "" {
		fmt.Fprint(env.Stdout, transfer.PostgresBackupHelp(cfg.DatabaseURL, file))
		return errors.New("nothing restored: restore PostgreSQL with pg_restore as shown above")
	}
	info, err := transfer.Restore(ctx, file, path)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "restored %s into %s: schema version %d (migrations applied now: %d), %d accounts, %d topics, %d posts\n",
		file, info.Target, info.Version, info.Migrated, info.Users, info.Topics, info.Posts)
	return nil
}
