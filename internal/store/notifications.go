package store

import (
	"context"
	"database/sql"
	"time"

	"practica/internal/db"
	"practica/internal/model"
	"practica/internal/pagecache"
)

// AddNotifications writes notifications in the caller's transaction, one
// statement for all of them. Each recipient's unread count is kept in the
// memo under their inbox key, which this declares changed (without claiming
// the transaction changes nothing else).
func (q *Queries) AddNotifications(ctx context.Context, ns ...model.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	// Each value is used once, in order: positional on SQLite, whose
	// driver binds $N by name at a cost that grows with their number
	// squared (a badge run writes 500 at a time).
	b := builder{positional: q.dialect != db.Postgres}
	b.add(`INSERT INTO notifications (user_id, kind, actor_id, topic_id, post_id, badge, created_at) VALUES `)
	for i, n := range ns {
		if i > 0 {
			b.add(", ")
		}
		b.add("(", b.arg(n.UserID), ", ", b.arg(string(n.Kind)), ", ", b.arg(nullInt(n.ActorID)), ", ", b.arg(nullInt(n.TopicID)), ", ",
			b.arg(nullInt(n.PostID)), ", ", b.arg(n.Badge), ", ", b.arg(n.CreatedAt), ")")
		q.alsoTouch(pagecache.Inbox(n.UserID))
	}
	_, err := q.db.ExecContext(ctx, b.String(), b.args...)
	return classify("add notifications", err)
}

// NoteRow is a notification with the member who caused it.
type NoteRow struct {
	model.Notification
	Actor model.UserRef
}

// Notifications lists a member's notifications newest first, before the given
// id (0 for the newest). Whether the recipient may still see what each points
// at is the caller's to check.
func (q *Queries) Notifications(ctx context.Context, userID, before int64, limit int) ([]NoteRow, error) {
	var b builder
	b.add(`SELECT n.id, n.user_id, n.kind, COALESCE(n.actor_id, 0), COALESCE(n.topic_id, 0), COALESCE(n.post_id, 0), n.badge, n.created_at, n.read_at,
		COALESCE(u.username, ''), COALESCE(u.display_name, ''), COALESCE(u.role, '')
		FROM notifications n LEFT JOIN users u ON u.id = n.actor_id WHERE n.user_id = `, b.arg(userID))
	if before > 0 {
		b.add(` AND n.id < `, b.arg(before))
	}
	b.add(` ORDER BY n.id DESC LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "notifications", func(r scanner) (NoteRow, error) {
		var n NoteRow
		var read sql.NullTime
		err := r.Scan(&n.ID, &n.UserID, &n.Kind, &n.ActorID, &n.TopicID, &n.PostID, &n.Badge, &n.CreatedAt, &read,
			&n.Actor.Username, &n.Actor.DisplayName, &n.Actor.Role)
		n.ReadAt = timePtr(read)
		n.Actor.ID = n.ActorID
		return n, err
	})
}

// MaxUnread is where the unread count stops counting: the bar shows "99+".
const MaxUnread = 100

// UnreadNotifications counts a member's unread notifications, up to
// MaxUnread. Every signed-in page shows it, so it is kept in the memo under
// the member's inbox key.
func (q *Queries) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	return cached(q, "unread:"+itoa(userID), func(int) int64 { return 16 }, func() (int, error) {
		var n int
		err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE user_id = $1 AND read_at IS NULL LIMIT $2) u`,
			userID, MaxUnread).Scan(&n)
		return n, classify("count notifications", err)
	}, pagecache.Inbox(userID))
}

// MarkNotificationsRead marks a member's notifications up to and including
// id read (every one when id is 0).
func (q *Queries) MarkNotificationsRead(ctx context.Context, userID, upTo int64, now time.Time) error {
	q.Touch(pagecache.Inbox(userID))
	var b builder
	b.add(`UPDATE notifications SET read_at = `, b.arg(now), ` WHERE user_id = `, b.arg(userID), ` AND read_at IS NULL`)
	if upTo > 0 {
		b.add(` AND id <= `, b.arg(upTo))
	}
	_, err := q.db.ExecContext(ctx, b.String(), b.args...)
	return classify("mark notifications read", err)
}
