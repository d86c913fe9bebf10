package cli

import (
	"context"
	"errors"
	"fmt"
	"practica/internal/app"

	"practica/internal/model"
)

func token(ctx context.Context, env Env, args []string) error {
	return dispatch(ctx, env, "token", []sub{
		{"create", "issue a personal access token (printed once)", tokenCreate},
		{"revoke", "revoke a token by id", tokenRevoke},
	}, args)
}

func tokenCreate(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("token create", "token create --username NAME --scope read|write [--name LABEL]", env.Stderr,
		[2]string{"username", "owner of the token"}, [2]string{"scope", "read or write"}, [2]string{"name", "label (default: cli)"})
	if err := s.parse(args, "username", "scope"); err != nil {
		return err
	}
	return withUser(ctx, env, s, func(a *app.App, u model.User) error {
		if u.Status != model.StatusActive {
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
	})
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
	return withUser(ctx, env, s, func(a *app.App, u model.User) error {
		if err := a.Auth.RevokeAPIToken(ctx, model.Viewer{User: &u}, id); err != nil {
			return fmt.Errorf("no live token %d of %s", id, u.Username)
		}
		fmt.Fprintf(env.Stdout, "token %d revoked\n", id)
		return nil
	})
}
