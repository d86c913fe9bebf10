package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"practica/internal/config"
	"practica/internal/db"
	"practica/internal/transfer"
)

func exportCmd(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("export", "export --to postgres://... [--sessions] [--database D]\n\n"+
		"Moves the whole SQLite community (--database) into an empty PostgreSQL database: migrates it,\n"+
		"copies every table keeping ids, resets the id sequences, rebuilds the search index, then\n"+
		"compares row counts and content hashes of every table. Exits non-zero on any difference.\n"+
		"Stop the server first: writes made after the export starts are not moved.", env.Stderr,
		[2]string{"to", "the PostgreSQL database to fill (postgres://user@host/db); it must be empty"})
	sessions := s.fs.Bool("sessions", false, "copy browser sessions too, so members stay signed in")
	if err := s.parse(args, "to"); err != nil {
		return err
	}
	to := s.get("to")
	if !strings.HasPrefix(to, "postgres://") && !strings.HasPrefix(to, "postgresql://") {
		return errors.New("--to must be a postgres:// URL")
	}
	cfg, err := transferConfig(env, s)
	if err != nil {
		return err
	}
	path := cfg.SQLitePath()
	if path == "" {
		return errors.New("--database must be the SQLite file to move (the source)")
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database at %s (set --database or PRACTICA_DATABASE_URL)", path)
	}
	src, err := db.Open(ctx, path)
	if err != nil {
		return err
	}
	defer src.Close()
	if _, err := src.Migrate(ctx); err != nil {
		return err
	}
	dst, err := db.Open(ctx, to)
	if err != nil {
		return err
	}
	defer dst.Close()
	opts := transfer.ExportOptions{Sessions: *sessions}
	if f, ok := env.Stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			opts.Progress = env.Stderr // a line per table, on a terminal only
		}
	}
	rep, err := transfer.Export(ctx, src, dst, opts)
	if len(rep.Tables) > 0 {
		printExportReport(env, rep)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "export verified: %d rows in %d tables match the source; search index rebuilt for %d posts\n"+
		"serve it with: PRACTICA_DATABASE_URL='%s' practica serve\n", rep.Rows(), len(rep.Tables), rep.Indexed, config.Redacted(to))
	return nil
}

func printExportReport(env Env, rep transfer.ExportReport) {
	fmt.Fprintf(env.Stdout, "\n%-22s %10s %10s  %-12s %s\n", "table", "sqlite", "postgres", "sha256", "")
	for _, t := range rep.Tables {
		if t.Skipped {
			fmt.Fprintf(env.Stdout, "%-22s %10s %10s  %-12s %s\n", t.Name, "-", "-", "", "skipped (--sessions to copy)")
			continue
		}
		verdict := "ok"
		if !t.Match() {
			verdict = fmt.Sprintf("MISMATCH (postgres sha256 %s)", t.Target.Short())
		}
		fmt.Fprintf(env.Stdout, "%-22s %10d %10d  %-12s %s\n", t.Name, t.Source.Rows, t.Target.Rows, t.Source.Short(), verdict)
	}
	fmt.Fprintln(env.Stdout)
}
