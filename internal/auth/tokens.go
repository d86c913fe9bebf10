package auth

import (
	"context"
	"strings"

	"practica/internal/apperr"
	"practica/internal/model"
	"practica/internal/store"
)

// CreateAPIToken issues a personal access token for the viewer and returns it
// with its secret, which is never shown again.
func (s *Service) CreateAPIToken(ctx context.Context, v model.Viewer, name string, scope model.TokenScope) (model.APIToken, string, error) {
	if v.Guest() || v.Scope != "" {
		return model.APIToken{}, "", apperr.New(apperr.Forbidden, "Tokens are created from a signed-in browser or the command line.")
	}
	f := apperr.Fields{}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 60 {
		f.Add("name", "Name the token (up to 60 characters), e.g. the script that will use it.")
	}
	if scope != model.ScopeRead && scope != model.ScopeWrite {
		f.Add("scope", "Scope must be read or write.")
	}
	if err := f.Err(); err != nil {
		return model.APIToken{}, "", err
	}
	secret := NewSecret(apiTokenPrefix)
	var t model.APIToken
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		t, err = q.CreateAPIToken(ctx, HashSecret(secret), model.APIToken{UserID: v.UserID(), Name: name, Scope: scope, CreatedAt: s.now()})
		return err
	})
	return t, secret, err
}

// APITokens lists the viewer's tokens.
func (s *Service) APITokens(ctx context.Context, v model.Viewer) ([]model.APIToken, error) {
	if v.Guest() {
		return nil, apperr.ErrSignIn
	}
	return s.store.Read().APITokens(ctx, v.UserID())
}

// RevokeAPIToken revokes one of the viewer's tokens.
func (s *Service) RevokeAPIToken(ctx context.Context, v model.Viewer, id int64) error {
	if v.Guest() {
		return apperr.ErrSignIn
	}
	return s.store.InTx(ctx, func(q *store.Queries) error { return q.RevokeAPIToken(ctx, v.UserID(), id, s.now()) })
}
