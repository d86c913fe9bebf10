package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"practica/internal/model"
	"practica/internal/pagecache"
)

const userCols = `u.id, u.username, COALESCE(u.email, ''), u.email_verified_at, u.password_hash, u.display_name, u.bio, u.role, u.status, u.reputation, u.created_at, u.updated_at, u.avatar, u.active_at, u.messages`

func scanUser(r scanner) (model.User, error) { return scanUserAnd(r) }

// scanUserAnd reads userCols, then the columns selected after them into
// extra.
func scanUserAnd(r scanner, extra ...any) (model.User, error) {
	var u model.User
	return u, scanUserInto(r, &u, nil, extra)
}

// scanUserInto reads the columns selected before userCols into before,
// userCols into u, and the columns after them into after.
func scanUserInto(r scanner, u *model.User, before, after []any) error {
	var verified, active sql.NullTime
	dest := append(before, &u.ID, &u.Username, &u.Email, &verified, &u.PasswordHash, &u.DisplayName, &u.Bio, &u.Role, &u.Status, &u.Reputation, &u.CreatedAt, &u.UpdatedAt, &u.Avatar, &active, &u.MessagesFrom)
	err := r.Scan(append(dest, after...)...)
	u.EmailVerifiedAt, u.ActiveAt = timePtr(verified), timePtr(active)
	return err
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// Key normalizes a name or address for case-insensitive uniqueness.
func Key(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateUser inserts an account; a taken username or email gives ErrConflict.
func (q *Queries) CreateUser(ctx context.Context, u model.User) (model.User, error) {
	id, err := q.insert(ctx, "create user", `INSERT INTO users (username, username_key, email, email_key, email_verified_at, password_hash, display_name, role, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		u.Username, Key(u.Username), nullString(u.Email), nullString(Key(u.Email)), u.EmailVerifiedAt, u.PasswordHash, u.DisplayName, u.Role, u.Status, u.CreatedAt)
	if err != nil {
		return model.User{}, err
	}
	u.ID, u.UpdatedAt = id, u.CreatedAt
	return u, nil
}

// User returns the account with the given id.
func (q *Queries) User(ctx context.Context, id int64) (model.User, error) {
	u, err := scanUser(q.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = $1`, id))
	return u, classify("user", err)
}

// UserByUsername finds an account by name, ignoring case.
func (q *Queries) UserByUsername(ctx context.Context, name string) (model.User, error) {
	u, err := scanUser(q.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.username_key = $1`, Key(name)))
	return u, classify("user by name", err)
}

// UserByEmail finds an account by email, ignoring case.
func (q *Queries) UserByEmail(ctx context.Context, email string) (model.User, error) {
	u, err := scanUser(q.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.email_key = $1`, Key(email)))
	return u, classify("user by email", err)
}

// UsersByUsername returns the accounts among names that exist.
func (q *Queries) UsersByUsername(ctx context.Context, names []string) ([]model.User, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var b builder
	b.add(`SELECT `, userCols, ` FROM users u WHERE u.username_key IN (`)
	for i, n := range names {
		if i > 0 {
			b.add(", ")
		}
		b.add(b.arg(Key(n)))
	}
	b.add(")")
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "users by name", scanUser)
}

// CountAdmins counts active administrators; setup is open while it is zero.
func (q *Queries) CountAdmins(ctx context.Context) (int64, error) {
	var n int64
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'`).Scan(&n)
	return n, classify("count admins", err)
}

// ListUsers returns accounts in id order after the given id, for the admin pages.
func (q *Queries) ListUsers(ctx context.Context, after int64, limit int, search string) ([]model.User, error) {
	var b builder
	b.add(`SELECT `, userCols, ` FROM users u WHERE u.id > `, b.arg(after))
	if search != "" {
		p := b.arg("%" + Key(search) + "%")
		b.add(` AND (u.username_key LIKE `, p, ` OR u.email_key LIKE `, p, `)`)
	}
	b.add(` ORDER BY u.id LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "list users", scanUser)
}

// SetUserRole changes an account's instance role.
func (q *Queries) SetUserRole(ctx context.Context, id int64, role model.Role, now time.Time) error {
	q.touchAll()
	return q.exec(ctx, "set role", `UPDATE users SET role = $1, updated_at = $2 WHERE id = $3`, role, now, id)
}

// SetUserStatus changes whether an account may be used.
func (q *Queries) SetUserStatus(ctx context.Context, id int64, status model.UserStatus, now time.Time) error {
	q.touchAll()
	return q.exec(ctx, "set status", `UPDATE users SET status = $1, updated_at = $2 WHERE id = $3`, status, now, id)
}

// SetPassword stores a new password hash.
func (q *Queries) SetPassword(ctx context.Context, id int64, hash string, now time.Time) error {
	q.alsoTouch(pagecache.User(id))
	return q.exec(ctx, "set password", `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, now, id)
}

// MarkEmailVerified records that the user proved they own email; it does
// nothing if the address changed since the link was sent.
func (q *Queries) MarkEmailVerified(ctx context.Context, id int64, email string, now time.Time) error {
	q.alsoTouch(pagecache.User(id))
	return q.exec(ctx, "verify email", `UPDATE users SET email_verified_at = $1, updated_at = $1 WHERE id = $2 AND email_key = $3`, now, id, Key(email))
}

// UpdateProfile changes the public profile fields.
func (q *Queries) UpdateProfile(ctx context.Context, id int64, displayName, bio string, now time.Time) error {
	q.touchAll()
	return q.exec(ctx, "update profile", `UPDATE users SET display_name = $1, bio = $2, updated_at = $3 WHERE id = $4`, displayName, bio, now, id)
}

// AnonymizeUser removes an account's identity while its content stays:
// the name becomes a neutral placeholder, email, password and profile are
// cleared, and so is every other trace of who they were: mail sent to their
// address, emailed tokens (which keep the address), API tokens (whose names
// can be telling) and the searches they made.
func (q *Queries) AnonymizeUser(ctx context.Context, id int64, now time.Time) error {
	q.touchAll()
	for _, stmt := range []string{
		`DELETE FROM outbox WHERE lower(to_addr) = (SELECT email_key FROM users WHERE id = $1)`,
		`DELETE FROM user_tokens WHERE user_id = $1`,
		`DELETE FROM api_tokens WHERE user_id = $1`,
		`UPDATE search_misses SET user_id = NULL WHERE user_id = $1`,
		`DELETE FROM notifications WHERE user_id = $1`,
		`DELETE FROM watches WHERE user_id = $1`,
		`DELETE FROM notification_prefs WHERE user_id = $1`,
		`DELETE FROM digests WHERE user_id = $1`,
		`DELETE FROM avatars WHERE user_id = $1`,
		`DELETE FROM user_tags WHERE user_id = $1`,
		`DELETE FROM blocks WHERE user_id = $1 OR blocked_id = $1`,
		`UPDATE conversations SET pair_key = NULL WHERE id IN (SELECT conversation_id FROM conversation_members WHERE user_id = $1)`,
	} {
		if _, err := q.db.ExecContext(ctx, stmt, id); err != nil {
			return classify("anonymize user", err)
		}
	}
	// Their messages stay, under the neutral name, in conversations they
	// are no longer part of.
	if _, err := q.db.ExecContext(ctx, `UPDATE conversation_members SET left_at = $1 WHERE user_id = $2 AND left_at IS NULL`, now, id); err != nil {
		return classify("anonymize user", err)
	}
	name := "deleted-" + itoa(id)
	return q.exec(ctx, "anonymize user", `UPDATE users SET username = $1, username_key = $1, email = NULL, email_key = NULL, email_verified_at = NULL,
		password_hash = '', display_name = '', bio = '', location = '', pronouns = '', time_zone = '', links = '', field_visibility = '', avatar = 0, messages = 'members',
		status = 'deleted', role = 'member', updated_at = $2 WHERE id = $3`, name, now, id)
}

// SetEmail changes an account's address and marks it unconfirmed; a taken
// address gives ErrConflict.
func (q *Queries) SetEmail(ctx context.Context, id int64, email string, now time.Time) error {
	q.alsoTouch(pagecache.User(id))
	return q.exec(ctx, "set email", `UPDATE users SET email = $1, email_key = $2, email_verified_at = NULL, updated_at = $3 WHERE id = $4`, email, Key(email), now, id)
}

// MentionCandidates lists active members whose username starts with
// prefix (already lower case, of username characters only), best known
// first, with their role in spaceID; the caller checks each with the
// policy. membersOnly keeps to the space's members and staff (a private or
// secret space), so that a page of candidates is not spent on others.
func (q *Queries) MentionCandidates(ctx context.Context, prefix string, spaceID int64, membersOnly bool, except int64, limit int) ([]Watcher, error) {
	var b builder
	b.add(`SELECT `, userCols, `, COALESCE(m.role, '') FROM users u LEFT JOIN space_members m ON m.space_id = `, b.arg(spaceID), ` AND m.user_id = u.id
		WHERE u.status = 'active' AND u.role <> 'system'
		AND u.username_key LIKE `, b.arg(strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix)+"%"), ` ESCAPE '\' AND u.id <> `, b.arg(except))
	if membersOnly {
		b.add(` AND (m.user_id IS NOT NULL OR u.role IN ('admin', 'moderator'))`)
	}
	b.add(` ORDER BY u.reputation DESC, u.id LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "mention candidates", scanWatcher)
}

// Profile returns the profile fields of a member, with the tags they
// declared.
func (q *Queries) Profile(ctx context.Context, userID int64) (model.Profile, error) {
	ps, err := q.Profiles(ctx, []int64{userID})
	if p, ok := ps[userID]; ok || err != nil {
		return p, err
	}
	return model.Profile{}, classify("profile", sql.ErrNoRows)
}

// Profiles returns the profile fields of the given members, by id.
func (q *Queries) Profiles(ctx context.Context, ids []int64) (map[int64]model.Profile, error) {
	out := map[int64]model.Profile{}
	if len(ids) == 0 {
		return out, nil
	}
	var b builder
	b.add(`SELECT id, bio, location, pronouns, time_zone, links, field_visibility FROM users WHERE id IN (`, b.ids(ids), `)`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	_, err = collect(rows, err, "profiles", func(r scanner) (struct{}, error) {
		var id int64
		var p model.Profile
		var links, vis string
		err := r.Scan(&id, &p.Bio, &p.Location, &p.Pronouns, &p.TimeZone, &links, &vis)
		if links != "" {
			p.Links = strings.Split(links, "\n")
		}
		p.Visibility = map[string]model.FieldVisibility{}
		for _, pair := range strings.Split(vis, ";") {
			if k, v, ok := strings.Cut(pair, "="); ok {
				p.Visibility[k] = model.FieldVisibility(v)
			}
		}
		out[id] = p
		return struct{}{}, err
	})
	if err != nil {
		return nil, err
	}
	var t builder
	t.add(`SELECT ut.user_id, ut.kind, g.name FROM user_tags ut JOIN tags g ON g.id = ut.tag_id WHERE ut.user_id IN (`, t.ids(ids), `) ORDER BY g.name`)
	rows, err = q.db.QueryContext(ctx, t.String(), t.args...)
	_, err = collect(rows, err, "profile tags", func(r scanner) (struct{}, error) {
		var id int64
		var kind, name string
		if err := r.Scan(&id, &kind, &name); err != nil {
			return struct{}{}, err
		}
		p := out[id]
		if kind == TagExpertise {
			p.Expertise = append(p.Expertise, name)
		} else {
			p.Interests = append(p.Interests, name)
		}
		out[id] = p
		return struct{}{}, nil
	})
	return out, err
}

// SetProfile stores the profile fields of a member; their profile page
// shows them.
func (q *Queries) SetProfile(ctx context.Context, userID int64, p model.Profile, now time.Time) error {
	q.Touch(pagecache.User(userID))
	var vis []string
	for _, f := range model.ProfileFields {
		if v := p.Visibility[f]; v != "" && v != model.VisibleEveryone {
			vis = append(vis, f+"="+string(v))
		}
	}
	return q.exec(ctx, "set profile", `UPDATE users SET location = $1, pronouns = $2, time_zone = $3, links = $4, field_visibility = $5, updated_at = $6 WHERE id = $7`,
		p.Location, p.Pronouns, p.TimeZone, strings.Join(p.Links, "\n"), strings.Join(vis, ";"), now, userID)
}
