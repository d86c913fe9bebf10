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
	b.add(`INSERT INTO notifications (user_id, kind, actor_id, topic_id, post_id, badge, created_at, mail_state, message_id, conversation_id) VALUES `)
	for i, n := range ns {
		if i > 0 {
			b.add(", ")
		}
		mail := ""
		if n.Mail {
			mail = mailPending
		}
		b.add("(", b.arg(n.UserID), ", ", b.arg(string(n.Kind)), ", ", b.arg(nullInt(n.ActorID)), ", ", b.arg(nullInt(n.TopicID)), ", ",
			b.arg(nullInt(n.PostID)), ", ", b.arg(n.Badge), ", ", b.arg(n.CreatedAt), ", ", b.arg(mail), ", ", b.arg(nullInt(n.MessageID)), ", ",
			b.arg(nullInt(n.ConversationID)), ")")
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
	b.add(noteSelect, b.arg(userID))
	if before > 0 {
		b.add(` AND n.id < `, b.arg(before))
	}
	b.add(` ORDER BY n.id DESC LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "notifications", scanNote)
}

const noteSelect = `SELECT n.id, n.user_id, n.kind, COALESCE(n.actor_id, 0), COALESCE(n.topic_id, 0), COALESCE(n.post_id, 0), n.badge, n.created_at, n.read_at,
		COALESCE(n.message_id, 0), COALESCE(n.conversation_id, 0),
		COALESCE(u.username, ''), COALESCE(u.display_name, ''), COALESCE(u.role, ''), COALESCE(u.avatar, 0)
		FROM notifications n LEFT JOIN users u ON u.id = n.actor_id WHERE n.user_id = `

func scanNote(r scanner) (NoteRow, error) {
	var n NoteRow
	var read sql.NullTime
	err := r.Scan(&n.ID, &n.UserID, &n.Kind, &n.ActorID, &n.TopicID, &n.PostID, &n.Badge, &n.CreatedAt, &read, &n.MessageID, &n.ConversationID,
		&n.Actor.Username, &n.Actor.DisplayName, &n.Actor.Role, &n.Actor.Avatar)
	n.ReadAt = timePtr(read)
	n.Actor.ID = n.ActorID
	return n, err
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

// MarkNotificationsSeen marks the given notifications of a member read:
// those a page showed. (By id range instead, one with a lower id that
// committed after the page was read would be marked without being seen:
// PostgreSQL hands out ids before commit.)
func (q *Queries) MarkNotificationsSeen(ctx context.Context, userID int64, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	q.Touch(pagecache.Inbox(userID))
	var b builder
	b.add(`UPDATE notifications SET read_at = `, b.arg(now), ` WHERE user_id = `, b.arg(userID), ` AND read_at IS NULL AND id IN (`, b.ids(ids), `)`)
	_, err := q.db.ExecContext(ctx, b.String(), b.args...)
	return classify("mark notifications seen", err)
}

// Mail states of a notification (see migration 00012).
const (
	mailPending = "pending"
	// MailSent and MailSkipped end a notification's wait for email.
	MailSent    = "sent"
	MailSkipped = "skipped"
)

// MailRecipients lists members whose oldest notification waiting for email
// was written at or before due: their email is ready to go out.
func (q *Queries) MailRecipients(ctx context.Context, due time.Time, limit int) ([]int64, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT user_id FROM notifications WHERE mail_state = 'pending'
		GROUP BY user_id HAVING MIN(created_at) <= $1 ORDER BY MIN(created_at) LIMIT $2`, due, limit)
	return collect(rows, err, "mail recipients", func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// PendingMail lists a member's notifications waiting for email, oldest
// first.
func (q *Queries) PendingMail(ctx context.Context, userID int64, limit int) ([]NoteRow, error) {
	rows, err := q.db.QueryContext(ctx, noteSelect+`$1 AND n.mail_state = 'pending' ORDER BY n.id LIMIT $2`, userID, limit)
	return collect(rows, err, "pending mail", scanNote)
}

// SetMailState ends the wait of the given notifications (state is MailSent
// or MailSkipped) and reports how many were still waiting: on PostgreSQL
// another instance's mail job may have taken some meanwhile.
func (q *Queries) SetMailState(ctx context.Context, ids []int64, state string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var b builder
	b.add(`UPDATE notifications SET mail_state = `, b.arg(state), ` WHERE mail_state = 'pending' AND id IN (`, b.ids(ids), `)`)
	res, err := q.db.ExecContext(ctx, b.String(), b.args...)
	if err != nil {
		return 0, classify("set mail state", err)
	}
	n, err := res.RowsAffected()
	return int(n), classify("set mail state", err)
}

// NotePrefs returns the deliveries a member chose; kinds they did not
// choose for are absent (see model.DefaultDelivery).
func (q *Queries) NotePrefs(ctx context.Context, userID int64) (map[model.NoteKind]model.Delivery, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT kind, delivery FROM notification_prefs WHERE user_id = $1`, userID)
	prefs, err := collect(rows, err, "notification prefs", func(r scanner) (NotePref, error) {
		var p NotePref
		return p, r.Scan(&p.Kind, &p.Delivery)
	})
	out := map[model.NoteKind]model.Delivery{}
	for _, p := range prefs {
		out[p.Kind] = p.Delivery
	}
	return out, err
}

// NotePref is one member's choice for one kind.
type NotePref struct {
	UserID   int64
	Kind     model.NoteKind
	Delivery model.Delivery
}

// Deliveries returns the choices the given members made for one kind;
// members who did not choose are absent.
func (q *Queries) Deliveries(ctx context.Context, kind model.NoteKind, userIDs []int64) (map[int64]model.Delivery, error) {
	out := map[int64]model.Delivery{}
	if len(userIDs) == 0 {
		return out, nil
	}
	b := builder{positional: q.dialect != db.Postgres} // up to 500 ids (a badge run); each value once, in order
	b.add(`SELECT user_id, delivery FROM notification_prefs WHERE kind = `, b.arg(string(kind)), ` AND user_id IN (`, b.ids(userIDs), `)`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	prefs, err := collect(rows, err, "deliveries", func(r scanner) (NotePref, error) {
		var p NotePref
		return p, r.Scan(&p.UserID, &p.Delivery)
	})
	for _, p := range prefs {
		out[p.UserID] = p.Delivery
	}
	return out, err
}

// SetNotePrefs stores a member's choices.
func (q *Queries) SetNotePrefs(ctx context.Context, userID int64, prefs map[model.NoteKind]model.Delivery) error {
	q.Touch() // shown on no shared page
	for kind, d := range prefs {
		if _, err := q.db.ExecContext(ctx, `INSERT INTO notification_prefs (user_id, kind, delivery) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, kind) DO UPDATE SET delivery = excluded.delivery`, userID, string(kind), string(d)); err != nil {
			return classify("set notification prefs", err)
		}
	}
	return nil
}

// HasNotification reports whether a member was ever notified of kind about
// a post.
func (q *Queries) HasNotification(ctx context.Context, userID int64, kind model.NoteKind, postID int64) (bool, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = $2 AND post_id = $3`, userID, string(kind), postID).Scan(&n)
	return n > 0, classify("has notification", err)
}
