// Package cli implements the practica command: serve, migrate, user, token,
// reputation, search, import, seed, backup, restore, export and version. Each
// subcommand lives in its own file and has --help.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"practica/internal/app"
	"practica/internal/config"
)

// Version is set at build time with -ldflags "-X practica/internal/cli.Version=...".
var Version = "dev"

// Env is the outside world a command sees.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

type command struct {
	name, summary string
	run           func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server (the default)", serve},
		{"migrate", "apply database migrations and exit", migrate},
		{"user", "create users, set roles, reset passwords", user},
		{"token", "create and revoke API tokens", token},
		{"reputation", "verify reputation against its ledger", reputationCmd},
		{"search", "rebuild the search index", searchCmd},
		{"import", "import a community from a Stack Exchange data dump", importCmd},
		{"seed", "generate a realistic community (size S, M or L) into an empty database", seedCmd},
		{"backup", "write a consistent copy of the live SQLite database", backupCmd},
		{"restore", "install a backup into an empty database location", restoreCmd},
		{"export", "move the whole community from SQLite to PostgreSQL", exportCmd},
		{"version", "print the version", version},
	}
}

// Command splits the command line args (without the program name) into the
// command's name and its own args; with no name, the command is serve.
func Command(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "serve", args
}

// Run runs the command line args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := Env{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	name, args := Command(args)
	if name == "help" || (len(args) == 0 && name == "--help") {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, env, args)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			}
			fmt.Fprintln(stderr, "practica "+name+":", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "practica: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Practica: a home for a community of practice.\n\nUsage: practica <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'practica <command> --help' for a command's flags.")
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// open loads configuration from the remaining args and opens the app.
func open(ctx context.Context, env Env, name string, args []string) (*app.App, error) {
	cfg, err := config.Load(name, args, env.Getenv, env.Stderr)
	if err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, newLogger(cfg, env.Stderr), app.Now)
}

func serve(ctx context.Context, env Env, args []string) error {
	a, err := open(ctx, env, "serve", args)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx)
}

func migrate(ctx context.Context, env Env, args []string) error {
	cfg, err := config.Load("migrate", args, env.Getenv, env.Stderr)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, newLogger(cfg, env.Stderr), app.Now)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintln(env.Stdout, "database is up to date:", config.Redacted(cfg.DatabaseURL))
	return nil
}

func version(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "practica", Version)
	return nil
}
