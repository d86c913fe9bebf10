package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"practica/internal/model"
	"practica/internal/policy"
)

const spaceCols = `s.id, s.slug, s.name, s.focus, s.rules, s.visibility, s.color, COALESCE(s.created_by, 0), s.created_at, s.updated_at, s.archived_at, s.topic_count, s.member_count, s.attribution`

// spaceDest lists where spaceCols scan to; archived receives archived_at.
func spaceDest(s *model.Space, archived *sql.NullTime) []any {
	return []any{&s.ID, &s.Slug, &s.Name, &s.Focus, &s.Rules, &s.Visibility, &s.Color, &s.CreatedBy, &s.CreatedAt, &s.UpdatedAt, archived, &s.TopicCount, &s.MemberCount, &s.Attribution}
}

func scanSpace(r scanner) (model.Space, error) {
	var s model.Space
	var archived sql.NullTime
	err := r.Scan(spaceDest(&s, &archived)...)
	s.ArchivedAt = timePtr(archived)
	return s, err
}

// CreateSpace inserts a space; a taken slug gives ErrConflict.
func (q *Queries) CreateSpace(ctx context.Context, s model.Space) (model.Space, error) {
	q.touchAll()
	id, err := q.insert(ctx, "create space", `INSERT INTO spaces (slug, slug_key, name, focus, rules, visibility, color, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		s.Slug, Key(s.Slug), s.Name, s.Focus, s.Rules, s.Visibility, s.Color, nullInt(s.CreatedBy), s.CreatedAt)
	s.ID, s.UpdatedAt = id, s.CreatedAt
	return s, err
}

// UpdateSpace saves a space's editable fields.
func (q *Queries) UpdateSpace(ctx context.Context, s model.Space) error {
	q.touchAll()
	return q.exec(ctx, "update space", `UPDATE spaces SET slug = $1, slug_key = $2, name = $3, focus = $4, rules = $5, visibility = $6, color = $7, updated_at = $8 WHERE id = $9`,
		s.Slug, Key(s.Slug), s.Name, s.Focus, s.Rules, s.Visibility, s.Color, s.UpdatedAt, s.ID)
}

// SetSpaceArchived archives (at != nil) or unarchives a space.
func (q *Queries) SetSpaceArchived(ctx context.Context, id int64, at *time.Time, now time.Time) error {
	q.touchAll()
	return q.exec(ctx, "archive space", `UPDATE spaces SET archived_at = $1, updated_at = $2 WHERE id = $3`, at, now, id)
}

// space reads a space by id.
func (q *Queries) space(ctx context.Context, id int64) (model.Space, error) {
	s, err := scanSpace(q.db.QueryRowContext(ctx, `SELECT `+spaceCols+` FROM spaces s WHERE s.id = $1`, id))
	return s, classify("space", err)
}

// SpaceBySlug returns a space by slug, ignoring case.
func (q *Queries) SpaceBySlug(ctx context.Context, slug string) (model.Space, error) {
	s, err := scanSpace(q.db.QueryRowContext(ctx, `SELECT `+spaceCols+` FROM spaces s WHERE s.slug_key = $1`, Key(slug)))
	return s, classify("space by slug", err)
}

// SpaceListItem is a space as a list shows it, with the viewer's role.
type SpaceListItem struct {
	Space model.Space
	Role  model.SpaceRole
}

// Spaces lists the spaces the scope may see listed, by name.
func (q *Queries) Spaces(ctx context.Context, sc policy.Scope, includeArchived bool) ([]SpaceListItem, error) {
	var b builder
	uid := b.arg(sc.UserID)
	b.add(`SELECT `, spaceCols, `, COALESCE(m.role, '') FROM spaces s LEFT JOIN space_members m ON m.space_id = s.id AND m.user_id = `, uid,
		` WHERE `, b.listedSpaces(sc))
	if !includeArchived {
		b.add(` AND s.archived_at IS NULL`)
	}
	b.add(` ORDER BY s.name, s.id`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "spaces", func(r scanner) (SpaceListItem, error) {
		var it SpaceListItem
		var archived sql.NullTime
		s := &it.Space
		err := r.Scan(append(spaceDest(s, &archived), &it.Role)...)
		s.ArchivedAt = timePtr(archived)
		return it, err
	})
}

// spaceRole reads a user's role in a space.
func (q *Queries) spaceRole(ctx context.Context, spaceID, userID int64) (model.SpaceRole, error) {
	if userID == 0 {
		return model.SpaceNone, nil
	}
	var role model.SpaceRole
	err := q.db.QueryRowContext(ctx, `SELECT role FROM space_members WHERE space_id = $1 AND user_id = $2`, spaceID, userID).Scan(&role)
	if err == sql.ErrNoRows {
		return model.SpaceNone, nil
	}
	return role, classify("space role", err)
}

// SetMember adds a member or changes their role, keeping member_count exact.
func (q *Queries) SetMember(ctx context.Context, spaceID, userID int64, role model.SpaceRole, now time.Time) error {
	q.touchAll()
	_, err := q.db.ExecContext(ctx, `INSERT INTO space_members (space_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (space_id, user_id) DO UPDATE SET role = excluded.role`, spaceID, userID, role, now)
	if err != nil {
		return classify("set member", err)
	}
	return q.recountMembers(ctx, spaceID)
}

// AddMember adds a member unless they already belong to the space, and
// reports whether they were added. A concurrent insert of the same person
// waits on the primary key and then adds nothing.
func (q *Queries) AddMember(ctx context.Context, spaceID, userID int64, role model.SpaceRole, now time.Time) (bool, error) {
	q.touchAll()
	rows, err := q.db.QueryContext(ctx, `INSERT INTO space_members (space_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (space_id, user_id) DO NOTHING RETURNING user_id`, spaceID, userID, role, now)
	if err != nil {
		return false, classify("add member", err)
	}
	added := rows.Next()
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return false, classify("add member", err)
	}
	if !added {
		return false, nil
	}
	return true, q.recountMembers(ctx, spaceID)
}

// RemoveMember takes a person out of a space.
func (q *Queries) RemoveMember(ctx context.Context, spaceID, userID int64) error {
	q.touchAll()
	if err := q.exec(ctx, "remove member", `DELETE FROM space_members WHERE space_id = $1 AND user_id = $2`, spaceID, userID); err != nil {
		return err
	}
	return q.recountMembers(ctx, spaceID)
}

// RemoveUserMemberships takes a person out of every space (account deletion)
// and recounts those spaces.
func (q *Queries) RemoveUserMemberships(ctx context.Context, userID int64) error {
	q.touchAll()
	if _, err := q.db.ExecContext(ctx, `DELETE FROM space_members WHERE user_id = $1`, userID); err != nil {
		return classify("remove memberships", err)
	}
	_, err := q.db.ExecContext(ctx, `UPDATE spaces SET member_count = (SELECT COUNT(*) FROM space_members m WHERE m.space_id = spaces.id)`)
	return classify("recount members", err)
}

func (q *Queries) recountMembers(ctx context.Context, spaceID int64) error {
	return q.recount(ctx, "recount members", `spaces`, `member_count`, `SELECT COUNT(*) FROM space_members WHERE space_id = $1`, spaceID)
}

// CountLeaders counts a space's leaders, so the last one cannot leave.
func (q *Queries) CountLeaders(ctx context.Context, spaceID int64) (int64, error) {
	var n int64
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM space_members WHERE space_id = $1 AND role = 'leader'`, spaceID).Scan(&n)
	return n, classify("count leaders", err)
}

// Members lists a space's members, leaders first, then by join date, after the
// given user id cursor (0 for the start).
func (q *Queries) Members(ctx context.Context, spaceID int64, limit int) ([]model.Member, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT m.space_id, m.role, m.created_at, `+userCols+` FROM space_members m JOIN users u ON u.id = m.user_id
		WHERE m.space_id = $1 ORDER BY CASE m.role WHEN 'leader' THEN 0 ELSE 1 END, m.created_at, u.id LIMIT $2`, spaceID, limit)
	return collect(rows, err, "members", func(r scanner) (model.Member, error) {
		var m model.Member
		return m, scanUserInto(r, &m.User, []any{&m.SpaceID, &m.Role, &m.CreatedAt}, nil)
	})
}

// CreateJoinRequest records a request to join; a pending one already there
// gives ErrConflict.
func (q *Queries) CreateJoinRequest(ctx context.Context, spaceID, userID int64, message string, now time.Time) (int64, error) {
	return q.insert(ctx, "create join request", `INSERT INTO join_requests (space_id, user_id, message, status, created_at) VALUES ($1, $2, $3, 'pending', $4) RETURNING id`,
		spaceID, userID, message, now)
}

// PendingJoinRequests lists a space's open requests, oldest first.
func (q *Queries) PendingJoinRequests(ctx context.Context, spaceID int64) ([]model.JoinRequest, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT r.id, r.space_id, r.message, r.status, r.created_at, `+userCols+` FROM join_requests r JOIN users u ON u.id = r.user_id
		WHERE r.space_id = $1 AND r.status = 'pending' ORDER BY r.id LIMIT 200`, spaceID)
	return collect(rows, err, "join requests", func(r scanner) (model.JoinRequest, error) {
		var jr model.JoinRequest
		return jr, scanUserInto(r, &jr.User, []any{&jr.ID, &jr.SpaceID, &jr.Message, &jr.Status, &jr.CreatedAt}, nil)
	})
}

// HasPendingJoinRequest reports whether the user already asked to join.
func (q *Queries) HasPendingJoinRequest(ctx context.Context, spaceID, userID int64) (bool, error) {
	var n int64
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM join_requests WHERE space_id = $1 AND user_id = $2 AND status = 'pending'`, spaceID, userID).Scan(&n)
	return n > 0, classify("pending request", err)
}

// DecideJoinRequest closes a pending request and returns its user; deciding
// twice gives ErrNotFound.
func (q *Queries) DecideJoinRequest(ctx context.Context, spaceID, id int64, status string, by int64, now time.Time) (int64, error) {
	var userID int64
	err := q.db.QueryRowContext(ctx, `UPDATE join_requests SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND space_id = $5 AND status = 'pending' RETURNING user_id`,
		status, by, now, id, spaceID).Scan(&userID)
	return userID, classify("decide join request", err)
}

// CreateInvite stores an invitation link by the hash of its secret.
func (q *Queries) CreateInvite(ctx context.Context, tokenHash string, inv model.Invite) (int64, error) {
	return q.insert(ctx, "create invite", `INSERT INTO space_invites (space_id, token_hash, created_by, created_at, expires_at, max_uses) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		inv.SpaceID, tokenHash, inv.CreatedBy, inv.CreatedAt, inv.ExpiresAt, inv.MaxUses)
}

// UseInvite counts one use of a live invitation and returns its space id. One
// statement, so parallel redemptions never exceed max_uses.
func (q *Queries) UseInvite(ctx context.Context, tokenHash string, now time.Time) (int64, error) {
	var spaceID int64
	err := q.db.QueryRowContext(ctx, `UPDATE space_invites SET uses = uses + 1 WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses RETURNING space_id`,
		tokenHash, now).Scan(&spaceID)
	return spaceID, classify("use invite", err)
}

// InviteSpace returns the space of a live invitation without using it.
func (q *Queries) InviteSpace(ctx context.Context, tokenHash string, now time.Time) (int64, error) {
	var spaceID int64
	err := q.db.QueryRowContext(ctx, `SELECT space_id FROM space_invites WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses`,
		tokenHash, now).Scan(&spaceID)
	return spaceID, classify("invite", err)
}

// Invites lists a space's live invitations.
func (q *Queries) Invites(ctx context.Context, spaceID int64, now time.Time) ([]model.Invite, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, space_id, COALESCE(created_by, 0), created_at, expires_at, max_uses, uses FROM space_invites
		WHERE space_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses ORDER BY id DESC LIMIT 100`, spaceID, now)
	return collect(rows, err, "invites", func(r scanner) (model.Invite, error) {
		var inv model.Invite
		err := r.Scan(&inv.ID, &inv.SpaceID, &inv.CreatedBy, &inv.CreatedAt, &inv.ExpiresAt, &inv.MaxUses, &inv.Uses)
		return inv, err
	})
}

// RevokeInvite withdraws an invitation.
func (q *Queries) RevokeInvite(ctx context.Context, spaceID, id int64, now time.Time) error {
	return q.exec(ctx, "revoke invite", `UPDATE space_invites SET revoked_at = $1 WHERE id = $2 AND space_id = $3 AND revoked_at IS NULL`, now, id, spaceID)
}

// ReadableSpaceIDs returns the spaces whose content the scope may read.
func (q *Queries) ReadableSpaceIDs(ctx context.Context, sc policy.Scope) ([]int64, error) {
	var b builder
	b.add(`SELECT s.id FROM spaces s WHERE `, b.visibleContent(sc))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "readable spaces", func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}
