package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"practica/internal/model"
	"practica/internal/pagecache"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// CreateSession stores a session by the hash of its secret.
func (q *Queries) CreateSession(ctx context.Context, tokenHash string, s model.Session) (int64, error) {
	return q.insert(ctx, "create session", `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, user_agent)
		VALUES ($1, $2, $3, $3, $4, $5) RETURNING id`, tokenHash, s.UserID, s.CreatedAt, s.ExpiresAt, s.UserAgent)
}

// SessionUser returns the session with the given secret hash and its user,
// provided the session has not expired.
//
// On the read pool it comes from the memo: the lookup was a tenth of a
// member's page. The value names its member's key, which every write to the
// session or the member declares (alsoTouch; roles, statuses and names
// drop everything), so a sign-out or a revocation in this server drops it at
// commit, on another instance when the notification arrives, and a writer
// outside the server (the command line) within memo.MaxAge.
func (q *Queries) SessionUser(ctx context.Context, tokenHash string, now time.Time) (model.Session, model.User, error) {
	type sessionUser struct {
		s model.Session
		u model.User
	}
	su, err := cachedKeyed(q, "session:"+tokenHash, func(su sessionUser) int64 { return int64(512 + len(su.u.Bio) + len(su.s.UserAgent)) },
		func() (sessionUser, []string, error) {
			s, u, err := q.sessionUser(ctx, tokenHash, now)
			return sessionUser{s, u}, []string{pagecache.User(u.ID)}, err
		})
	if err == nil && !su.s.ExpiresAt.After(now) {
		err = ErrNotFound
	}
	return su.s, su.u, err
}

func (q *Queries) sessionUser(ctx context.Context, tokenHash string, now time.Time) (model.Session, model.User, error) {
	var s model.Session
	row := q.db.QueryRowContext(ctx, `SELECT se.id, se.user_id, se.created_at, se.last_seen_at, se.expires_at, se.user_agent, `+userCols+`
		FROM sessions se JOIN users u ON u.id = se.user_id WHERE se.token_hash = $1 AND se.expires_at > $2`, tokenHash, now)
	var u model.User
	err := scanUserInto(row, &u, []any{&s.ID, &s.UserID, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.UserAgent}, nil)
	return s, u, classify("session", err)
}

// TouchSession extends a session's life.
func (q *Queries) TouchSession(ctx context.Context, id int64, now, expires time.Time) error {
	var userID int64
	err := q.db.QueryRowContext(ctx, `UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3 RETURNING user_id`, now, expires, id).Scan(&userID)
	q.alsoTouch(pagecache.User(userID))
	return classify("touch session", err)
}

// DeleteSession ends one session.
func (q *Queries) DeleteSession(ctx context.Context, tokenHash string) error {
	var userID int64
	err := q.db.QueryRowContext(ctx, `DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id`, tokenHash).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	q.alsoTouch(pagecache.User(userID))
	return classify("delete session", err)
}

// DeleteUserSessions ends every session of a user except keepID (0 ends all).
func (q *Queries) DeleteUserSessions(ctx context.Context, userID, keepID int64) error {
	q.alsoTouch(pagecache.User(userID))
	_, err := q.db.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keepID)
	return classify("delete sessions", err)
}

// CountSessions counts a user's live sessions.
func (q *Queries) CountSessions(ctx context.Context, userID int64, now time.Time) (int64, error) {
	var n int64
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2`, userID, now).Scan(&n)
	return n, classify("count sessions", err)
}

const tokenCols = `t.id, t.user_id, t.name, t.scope, t.created_at, t.last_used_at, t.revoked_at`

func scanToken(r scanner) (model.APIToken, error) {
	var t model.APIToken
	var used, revoked sql.NullTime
	err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Scope, &t.CreatedAt, &used, &revoked)
	t.LastUsedAt, t.RevokedAt = timePtr(used), timePtr(revoked)
	return t, err
}

// CreateAPIToken stores a personal access token by its hash.
func (q *Queries) CreateAPIToken(ctx context.Context, tokenHash string, t model.APIToken) (model.APIToken, error) {
	id, err := q.insert(ctx, "create token", `INSERT INTO api_tokens (user_id, name, token_hash, scope, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		t.UserID, t.Name, tokenHash, t.Scope, t.CreatedAt)
	t.ID = id
	return t, err
}

// APITokenUser returns an unrevoked token with the given hash and its owner.
// On the read pool it comes from the memo under the owner's key, like a
// session (see SessionUser): revoking or touching a token adds that key.
func (q *Queries) APITokenUser(ctx context.Context, tokenHash string) (model.APIToken, model.User, error) {
	type tokenUser struct {
		t model.APIToken
		u model.User
	}
	tu, err := cachedKeyed(q, "token:"+tokenHash, func(tu tokenUser) int64 { return int64(512 + len(tu.u.Bio) + len(tu.t.Name)) },
		func() (tokenUser, []string, error) {
			t, u, err := q.apiTokenUser(ctx, tokenHash)
			return tokenUser{t, u}, []string{pagecache.User(t.UserID)}, err
		})
	return tu.t, tu.u, err
}

func (q *Queries) apiTokenUser(ctx context.Context, tokenHash string) (model.APIToken, model.User, error) {
	t, err := scanToken(q.db.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens t WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, tokenHash))
	if err != nil {
		return t, model.User{}, classify("token", err)
	}
	u, err := q.User(ctx, t.UserID)
	return t, u, err
}

// TouchAPIToken records when a token was last used.
func (q *Queries) TouchAPIToken(ctx context.Context, id int64, now time.Time) error {
	var userID int64
	err := q.db.QueryRowContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 RETURNING user_id`, now, id).Scan(&userID)
	q.alsoTouch(pagecache.User(userID))
	return classify("touch token", err)
}

// APITokens lists a user's tokens, newest first.
func (q *Queries) APITokens(ctx context.Context, userID int64) ([]model.APIToken, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+tokenCols+` FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC`, userID)
	return collect(rows, err, "tokens", scanToken)
}

// RevokeAPIToken revokes one of a user's tokens.
func (q *Queries) RevokeAPIToken(ctx context.Context, userID, id int64, now time.Time) error {
	q.alsoTouch(pagecache.User(userID))
	return q.exec(ctx, "revoke token", `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`, now, id, userID)
}

// RevokeUserAPITokens revokes every token of a user (suspension, deletion).
func (q *Queries) RevokeUserAPITokens(ctx context.Context, userID int64, now time.Time) error {
	q.alsoTouch(pagecache.User(userID))
	_, err := q.db.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, now, userID)
	return classify("revoke tokens", err)
}

// CreateUserToken stores a one-time email token and revokes older unused ones
// of the same purpose, so only the newest link works.
func (q *Queries) CreateUserToken(ctx context.Context, userID int64, purpose, tokenHash, email string, now, expires time.Time) error {
	if _, err := q.db.ExecContext(ctx, `UPDATE user_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL`, now, userID, purpose); err != nil {
		return classify("revoke user tokens", err)
	}
	_, err := q.insert(ctx, "create user token", `INSERT INTO user_tokens (user_id, purpose, token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		userID, purpose, tokenHash, email, now, expires)
	return err
}

// ConsumeUserToken marks a live token used and returns its user and email.
// Done in one statement, so two racing uses cannot both succeed.
func (q *Queries) ConsumeUserToken(ctx context.Context, purpose, tokenHash string, now time.Time) (int64, string, error) {
	var userID int64
	var email string
	err := q.db.QueryRowContext(ctx, `UPDATE user_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id, email`,
		now, tokenHash, purpose).Scan(&userID, &email)
	return userID, email, classify("consume token", err)
}

// RevokeUserTokens invalidates every unused email token of a user.
func (q *Queries) RevokeUserTokens(ctx context.Context, userID int64, now time.Time) error {
	_, err := q.db.ExecContext(ctx, `UPDATE user_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, now, userID)
	return classify("revoke user tokens", err)
}
