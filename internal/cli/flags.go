package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"practica/internal/app"
	"practica/internal/config"
	"practica/internal/model"
)

// subFlags parses a subcommand's own flags plus the shared database flags.
type subFlags struct {
	fs   *flag.FlagSet
	vals map[string]*string
}

func newSubFlags(name, usage string, stderr io.Writer, own ...[2]string) *subFlags {
	s := &subFlags{fs: flag.NewFlagSet(name, flag.ContinueOnError), vals: map[string]*string{}}
	s.fs.SetOutput(stderr)
	for _, o := range own {
		s.vals[o[0]] = s.fs.String(o[0], "", o[1])
	}
	s.vals["database"] = s.fs.String("database", "", "database (default $PRACTICA_DATABASE_URL or ./data/practica.db)")
	s.fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: practica %s\n\nFlags:\n", usage)
		s.fs.PrintDefaults()
	}
	return s
}

func (s *subFlags) parse(args []string, required ...string) error {
	if err := s.fs.Parse(args); err != nil {
		return err
	}
	var missing []string
	for _, r := range required {
		if *s.vals[r] == "" {
			missing = append(missing, "--"+r)
		}
	}
	if len(missing) > 0 {
		s.fs.Usage()
		return fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	return nil
}

func (s *subFlags) get(name string) string { return *s.vals[name] }

// configArgs turns the shared flags into config flags.
func (s *subFlags) configArgs() []string {
	if db := s.get("database"); db != "" {
		return []string{"--database", db}
	}
	return nil
}

// sub is one subcommand of a command group such as "user" or "token".
type sub struct {
	name, summary string
	run           func(ctx context.Context, env Env, args []string) error
}

// dispatch runs the subcommand named by args[0], or prints the group's usage.
func dispatch(ctx context.Context, env Env, group string, subs []sub, args []string) error {
	if len(args) > 0 {
		for _, s := range subs {
			if s.name == args[0] {
				return s.run(ctx, env, args[1:])
			}
		}
	}
	names := make([]string, len(subs))
	fmt.Fprintf(env.Stdout, "Usage: practica %s <subcommand> [flags]\n\n", group)
	for i, s := range subs {
		names[i] = s.name
		fmt.Fprintf(env.Stdout, "  %-15s %s\n", s.name, s.summary)
	}
	switch {
	case len(args) == 0:
		return errors.New("missing subcommand")
	case args[0] == "--help" || args[0] == "-h":
		return nil
	}
	return fmt.Errorf("unknown subcommand %q (want %s)", args[0], strings.Join(names, ", "))
}

// openWith opens the app for a one-shot command; its logs are discarded so
// that output is only what the command prints.
func openWith(ctx context.Context, env Env, s *subFlags) (*app.App, error) {
	cfg, err := config.Load("cli", s.configArgs(), env.Getenv, env.Stderr)
	if err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Now)
}

// withUser opens the app and runs fn on the account named by --username.
func withUser(ctx context.Context, env Env, s *subFlags, fn func(a *app.App, u model.User) error) error {
	a, err := openWith(ctx, env, s)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.UserByName(ctx, s.get("username"))
	if err != nil {
		return fmt.Errorf("no user %q", s.get("username"))
	}
	return fn(a, u)
}
