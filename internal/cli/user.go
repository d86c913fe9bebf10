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
	"practica/internal/auth"
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

func user(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(env.Stdout, "Usage: practica user <create|set-role|reset-password> [flags]\n\n  create          create an active, verified account\n  set-role        make a user admin, moderator or member\n  reset-password  set a new password (signs the user out everywhere)")
		if len(args) == 0 {
			return errors.New("missing subcommand")
		}
		return nil
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, env, args[1:])
	case "set-role":
		return userSetRole(ctx, env, args[1:])
	case "reset-password":
		return userResetPassword(ctx, env, args[1:])
	}
	return fmt.Errorf("unknown subcommand %q (want create, set-role or reset-password)", args[0])
}

func userCreate(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("user create", "user create --username NAME --email ADDR --password PW [--role member|moderator|admin]", env.Stderr,
		[2]string{"username", "username"}, [2]string{"email", "email address"}, [2]string{"password", "password (at least 10 characters)"}, [2]string{"role", "member, moderator or admin (default member)"})
	if err := s.parse(args, "username", "email", "password"); err != nil {
		return err
	}
	role := model.Role(s.get("role"))
	if role == "" {
		role = model.RoleMember
	}
	a, err := openWith(ctx, env, s)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.CreateUser(ctx, auth.SignUpInput{Username: s.get("username"), Email: s.get("email"), Password: s.get("password")}, role)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created %s (id %d, %s)\n", u.Username, u.ID, u.Role)
	return nil
}

func userSetRole(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("user set-role", "user set-role --username NAME --role member|moderator|admin", env.Stderr,
		[2]string{"username", "username"}, [2]string{"role", "member, moderator or admin"})
	if err := s.parse(args, "username", "role"); err != nil {
		return err
	}
	a, err := openWith(ctx, env, s)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.UserByName(ctx, s.get("username"))
	if err != nil {
		return fmt.Errorf("no user %q", s.get("username"))
	}
	if err := a.Auth.SetRole(ctx, auth.System, u.ID, model.Role(s.get("role"))); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s is now %s; their sessions and tokens were revoked\n", u.Username, s.get("role"))
	return nil
}

func userResetPassword(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("user reset-password", "user reset-password --username NAME --password PW", env.Stderr,
		[2]string{"username", "username"}, [2]string{"password", "new password (at least 10 characters)"})
	if err := s.parse(args, "username", "password"); err != nil {
		return err
	}
	a, err := openWith(ctx, env, s)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.UserByName(ctx, s.get("username"))
	if err != nil {
		return fmt.Errorf("no user %q", s.get("username"))
	}
	if err := a.Auth.SetPasswordAdmin(ctx, u.ID, s.get("password")); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "password of %s changed; they are signed out everywhere\n", u.Username)
	return nil
}

func token(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(env.Stdout, "Usage: practica token <create|revoke> [flags]\n\n  create  issue a personal access token (printed once)\n  revoke  revoke a token by id")
		if len(args) == 0 {
			return errors.New("missing subcommand")
		}
		return nil
	}
	switch args[0] {
	case "create":
		return tokenCreate(ctx, env, args[1:])
	case "revoke":
		return tokenRevoke(ctx, env, args[1:])
	}
	return fmt.Errorf("unknown subcommand %q (want create or revoke)", args[0])
}

func tokenCreate(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("token create", "token create --username NAME --scope read|write [--name LABEL]", env.Stderr,
		[2]string{"username", "owner of the token"}, [2]string{"scope", "read or write"}, [2]string{"name", "label (default: cli)"})
	if err := s.parse(args, "username", "scope"); err != nil {
		return err
	}
	a, err := openWith(ctx, env, s)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.UserByName(ctx, s.get("username"))
	if err != nil || u.Status != model.StatusActive {
		return fmt.Errorf("no active user %q", s.get("username"))
	}
	name := s.get("name")
	if name == "" {
		name = "cli"
	}
	t, secret, err := a.Auth.CreateAPIToken(ctx, model.Viewer{User: &u}, name, model.TokenScope(s.get("scope")))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "token %d (%s, %s) for %s; it is shown only this once:\n", t.ID, t.Name, t.Scope, u.Username)
	fmt.Fprintln(env.Stdout, secret)
	return nil
}

func tokenRevoke(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("token revoke", "token revoke --username NAME --id ID", env.Stderr, [2]string{"username", "owner of the token"}, [2]string{"id", "token id"})
	if err := s.parse(args, "username", "id"); err != nil {
		return err
	}
	var id int64
	if _, err := fmt.Sscan(s.get("id"), &id); err != nil || id <= 0 {
		return errors.New("--id must be a positive number")
	}
	a, err := openWith(ctx, env, s)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.UserByName(ctx, s.get("username"))
	if err != nil {
		return fmt.Errorf("no user %q", s.get("username"))
	}
	if err := a.Auth.RevokeAPIToken(ctx, model.Viewer{User: &u}, id); err != nil {
		return fmt.Errorf("no live token %d of %s", id, u.Username)
	}
	fmt.Fprintf(env.Stdout, "token %d revoked\n", id)
	return nil
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
