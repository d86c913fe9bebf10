package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"practica/internal/model"
)

// Digest returns how often a member gets the email digest.
func (q *Queries) Digest(ctx context.Context, userID int64) (model.DigestFrequency, error) {
	var f model.DigestFrequency
	err := q.db.QueryRowContext(ctx, `SELECT frequency FROM digests WHERE user_id = $1`, userID).Scan(&f)
	if errors.Is(err, sql.ErrNoRows) {
		return model.DefaultDigest, nil
	}
	return f, classify("digest", err)
}

// SetDigest sets how often a member gets the email digest.
func (q *Queries) SetDigest(ctx context.Context, userID int64, f model.DigestFrequency) error {
	q.Touch() // shown on no shared page
	_, err := q.db.ExecContext(ctx, `INSERT INTO digests (user_id, frequency) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET frequency = excluded.frequency`, userID, string(f))
	return classify("set digest", err)
}

// DigestDue is a member whose digest is due, and what it covers: since
// their last one (or since they joined).
type DigestDue struct {
	User      model.User
	Frequency model.DigestFrequency
	Since     time.Time
	// Last is when the last digest went out; nil before the first.
	Last *time.Time
}

// DueDigests lists members who can be emailed and whose digest is due at
// now: a period has passed since the last one, or since they joined.
func (q *Queries) DueDigests(ctx context.Context, now time.Time, limit int) ([]DigestDue, error) {
	// The last digest's time is selected as a column of its own: SQLite
	// gives an expression such as COALESCE no declared type, and its value
	// would come back as text.
	rows, err := q.db.QueryContext(ctx, `SELECT `+userCols+`, COALESCE(d.frequency, $1), d.last_sent_at
		FROM users u LEFT JOIN digests d ON d.user_id = u.id
		WHERE u.status = 'active' AND u.email_verified_at IS NOT NULL AND COALESCE(u.email, '') <> ''
		AND ((COALESCE(d.frequency, $1) = 'daily' AND COALESCE(d.last_sent_at, u.created_at) <= $2)
		  OR (COALESCE(d.frequency, $1) = 'weekly' AND COALESCE(d.last_sent_at, u.created_at) <= $3))
		ORDER BY COALESCE(d.last_sent_at, u.created_at), u.id LIMIT $4`,
		string(model.DefaultDigest), now.Add(-model.DigestDaily.Period()), now.Add(-model.DigestWeekly.Period()), limit)
	return collect(rows, err, "due digests", func(r scanner) (DigestDue, error) {
		var d DigestDue
		var last sql.NullTime
		var err error
		d.User, err = scanUserAnd(r, &d.Frequency, &last)
		d.Since, d.Last = d.User.CreatedAt, timePtr(last)
		if d.Last != nil {
			d.Since = *d.Last
		}
		return d, err
	})
}

// ClaimDigest records that the member's due digest goes out at t, unless
// it went out meanwhile (another instance's job) or was turned off; it
// reports whether this caller claimed it.
func (q *Queries) ClaimDigest(ctx context.Context, d DigestDue, t time.Time) (bool, error) {
	q.Touch() // shown on no shared page
	var res sql.Result
	var err error
	if d.Last == nil {
		res, err = q.db.ExecContext(ctx, `INSERT INTO digests (user_id, frequency, last_sent_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET last_sent_at = excluded.last_sent_at WHERE digests.last_sent_at IS NULL AND digests.frequency <> 'off'`,
			d.User.ID, string(d.Frequency), t)
	} else {
		res, err = q.db.ExecContext(ctx, `UPDATE digests SET last_sent_at = $1 WHERE user_id = $2 AND last_sent_at = $3 AND frequency <> 'off'`, t, d.User.ID, *d.Last)
	}
	if err != nil {
		return false, classify("claim digest", err)
	}
	n, err := res.RowsAffected()
	return n == 1, classify("claim digest", err)
}

// NewMembers lists up to limit active members who joined after since,
// newest first.
func (q *Queries) NewMembers(ctx context.Context, since time.Time, limit int) ([]model.UserRef, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, username, display_name, role, avatar FROM users
		WHERE status = 'active' AND role <> 'system' AND created_at > $1 ORDER BY created_at DESC, id DESC LIMIT $2`, since, limit)
	return collect(rows, err, "new members", func(r scanner) (model.UserRef, error) {
		var u model.UserRef
		return u, r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Avatar)
	})
}
