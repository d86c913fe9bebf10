package cli

import (
	"context"
	"fmt"
	"practica/internal/app"

	"practica/internal/auth"
	"practica/internal/model"
)

func user(ctx context.Context, env Env, args []string) error {
	return dispatch(ctx, env, "user", []sub{
		{"create", "create an active, verified account", userCreate},
		{"set-role", "make a user admin, moderator or member", userSetRole},
		{"reset-password", "set a new password (signs the user out everywhere)", userResetPassword},
	}, args)
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
	return withUser(ctx, env, s, func(a *app.App, u model.User) error {
		if err := a.Auth.SetRole(ctx, auth.System, u.ID, model.Role(s.get("role"))); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s is now %s; their sessions and tokens were revoked\n", u.Username, s.get("role"))
		return nil
	})
}

func userResetPassword(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("user reset-password", "user reset-password --username NAME --password PW", env.Stderr,
		[2]string{"username", "username"}, [2]string{"password", "new password (at least 10 characters)"})
	if err := s.parse(args, "username", "password"); err != nil {
		return err
	}
	return withUser(ctx, env, s, func(a *app.App, u model.User) error {
		if err := a.Auth.SetPasswordAdmin(ctx, u.ID, s.get("password")); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "password of %s changed; they are signed out everywhere\n", u.Username)
		return nil
	})
}
