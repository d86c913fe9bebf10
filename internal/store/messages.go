package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"practica/internal/model"
	"practica/internal/pagecache"
)

// Direct messages touch no page anyone else sees: each write declares the
// inbox keys of the members whose unread counts it changes, and nothing else.

// PairKey names the one open one-to-one conversation of two members.
func PairKey(a, b int64) string {
	if a > b {
		a, b = b, a
	}
	return itoa(a) + ":" + itoa(b)
}

// PairConversation returns the open one-to-one conversation of two members,
// or 0.
func (q *Queries) PairConversation(ctx context.Context, a, b int64) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, `SELECT id FROM conversations WHERE pair_key = $1`, PairKey(a, b)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, classify("pair conversation", err)
}

// CreateConversation starts a conversation among members (its starter
// first). A one-to-one one takes the pair's key; a race for the same pair
// gives ErrConflict.
func (q *Queries) CreateConversation(ctx context.Context, c model.Conversation, members []int64) (int64, error) {
	var pair any
	group := 1 // an integer on both engines, as every flag of the schema
	if !c.Group && len(members) == 2 {
		pair, group = PairKey(members[0], members[1]), 0
	}
	id, err := q.insert(ctx, "create conversation", `INSERT INTO conversations (title, is_group, pair_key, created_by, created_at, last_message_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, c.Title, group, pair, c.CreatedBy, c.CreatedAt)
	if err != nil {
		return 0, err
	}
	for _, m := range members {
		if _, err := q.db.ExecContext(ctx, `INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES ($1, $2, $3)`, id, m, c.CreatedAt); err != nil {
			return 0, classify("add participant", err)
		}
	}
	return id, nil
}

// AddParticipants brings members into a group conversation; one who left
// it comes back. Their unread counts change.
func (q *Queries) AddParticipants(ctx context.Context, conversationID int64, ids []int64, now time.Time) error {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = pagecache.Inbox(id)
		if _, err := q.db.ExecContext(ctx, `INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES ($1, $2, $3)
			ON CONFLICT (conversation_id, user_id) DO UPDATE SET left_at = NULL, joined_at = excluded.joined_at`, conversationID, id, now); err != nil {
			return classify("add participant", err)
		}
	}
	q.Touch(keys...)
	return nil
}

// AddMessage writes a message and moves its conversation's last message;
// its author has read it. inboxes are the participants whose unread counts
// change.
func (q *Queries) AddMessage(ctx context.Context, m model.Message, inboxes []int64) (int64, error) {
	keys := make([]string, len(inboxes))
	for i, id := range inboxes {
		keys[i] = pagecache.Inbox(id)
	}
	q.Touch(keys...)
	id, err := q.insert(ctx, "add message", `INSERT INTO messages (conversation_id, author_id, body, body_html, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.ConversationID, m.AuthorID, m.Body, m.BodyHTML, m.CreatedAt)
	if err != nil {
		return 0, err
	}
	// On PostgreSQL two messages written at once may commit in either order:
	// the last message only moves forward, and so does what was read.
	if err := q.exec(ctx, "add message", `UPDATE conversations SET message_count = message_count + 1,
		last_message_at = CASE WHEN last_message_id < $1 THEN $2 ELSE last_message_at END,
		last_message_id = CASE WHEN last_message_id < $1 THEN $1 ELSE last_message_id END WHERE id = $3`,
		id, m.CreatedAt, m.ConversationID); err != nil {
		return 0, err
	}
	_, err = q.db.ExecContext(ctx, `UPDATE conversation_members SET last_read_id = $1 WHERE conversation_id = $2 AND user_id = $3 AND last_read_id < $1`,
		id, m.ConversationID, m.AuthorID)
	return id, classify("add message", err)
}

const conversationCols = `c.id, c.title, c.is_group, c.created_by, c.created_at, c.last_message_id, c.last_message_at, c.message_count`

func conversationDest(c *model.Conversation) []any {
	return []any{&c.ID, &c.Title, &c.Group, &c.CreatedBy, &c.CreatedAt, &c.LastMessageID, &c.LastMessageAt, &c.MessageCount}
}

// Conversation returns a conversation by id.
func (q *Queries) Conversation(ctx context.Context, id int64) (model.Conversation, error) {
	var c model.Conversation
	err := q.db.QueryRowContext(ctx, `SELECT `+conversationCols+` FROM conversations c WHERE c.id = $1`, id).Scan(conversationDest(&c)...)
	return c, classify("conversation", err)
}

// Participants lists the members of conversations, those who left
// included, in the order they joined, by conversation.
func (q *Queries) Participants(ctx context.Context, ids []int64) (map[int64][]model.Participant, error) {
	out := map[int64][]model.Participant{}
	if len(ids) == 0 {
		return out, nil
	}
	var b builder
	b.add(`SELECT cm.conversation_id, u.id, u.username, u.display_name, u.role, u.avatar, u.status, cm.joined_at, cm.left_at, cm.last_read_id
		FROM conversation_members cm JOIN users u ON u.id = cm.user_id WHERE cm.conversation_id IN (`, b.ids(ids), `) ORDER BY cm.joined_at, u.id`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	_, err = collect(rows, err, "participants", func(r scanner) (struct{}, error) {
		var conv int64
		var p model.Participant
		var left sql.NullTime
		u := &p.User
		err := r.Scan(&conv, &u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Avatar, &p.Status, &p.JoinedAt, &left, &p.LastReadID)
		p.LeftAt = timePtr(left)
		out[conv] = append(out[conv], p)
		return struct{}{}, err
	})
	return out, err
}

// Messages lists a conversation's messages before the given id (0: the
// newest), newest first.
func (q *Queries) Messages(ctx context.Context, conversationID, before int64, limit int) ([]model.Message, error) {
	var b builder
	b.add(`SELECT id, conversation_id, author_id, body, body_html, created_at FROM messages WHERE conversation_id = `, b.arg(conversationID))
	if before > 0 {
		b.add(` AND id < `, b.arg(before))
	}
	b.add(` ORDER BY id DESC LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "messages", scanMessage)
}

func scanMessage(r scanner) (model.Message, error) {
	var m model.Message
	return m, r.Scan(&m.ID, &m.ConversationID, &m.AuthorID, &m.Body, &m.BodyHTML, &m.CreatedAt)
}

// Message returns a message by id.
func (q *Queries) Message(ctx context.Context, id int64) (model.Message, error) {
	m, err := scanMessage(q.db.QueryRowContext(ctx, `SELECT id, conversation_id, author_id, body, body_html, created_at FROM messages WHERE id = $1`, id))
	return m, classify("message", err)
}

// InboxRow is one of a member's conversations with how far they read.
type InboxRow struct {
	Conversation model.Conversation
	LastReadID   int64
	// Last is the newest message, for its excerpt (a conversation starts
	// with one).
	Last model.Message
}

// Unread reports whether the row has a message its member has not seen.
func (r InboxRow) Unread() bool { return r.Conversation.LastMessageID > r.LastReadID }

// Conversations lists the conversations a member is in, the latest message
// first, before the given last message id (0: from the newest).
func (q *Queries) Conversations(ctx context.Context, userID, before int64, limit int) ([]InboxRow, error) {
	var b builder
	b.add(`SELECT `, conversationCols, `, cm.last_read_id, m.id, m.author_id, m.body, m.created_at
		FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id JOIN messages m ON m.id = c.last_message_id
		WHERE cm.user_id = `, b.arg(userID), ` AND cm.left_at IS NULL`)
	if before > 0 {
		b.add(` AND c.last_message_id < `, b.arg(before))
	}
	b.add(` ORDER BY c.last_message_id DESC LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "conversations", func(r scanner) (InboxRow, error) {
		var row InboxRow
		m := &row.Last
		err := r.Scan(append(conversationDest(&row.Conversation), &row.LastReadID, &m.ID, &m.AuthorID, &m.Body, &m.CreatedAt)...)
		m.ConversationID = row.Conversation.ID
		return row, err
	})
}

// UnreadConversations counts the conversations with a message a member has
// not seen, up to MaxUnread; kept in the memo under their inbox key, like
// the notifications' count.
func (q *Queries) UnreadConversations(ctx context.Context, userID int64) (int, error) {
	return cached(q, "unread-dm:"+itoa(userID), func(int) int64 { return 16 }, func() (int, error) {
		var n int
		err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id
			WHERE cm.user_id = $1 AND cm.left_at IS NULL AND c.last_message_id > cm.last_read_id LIMIT $2) u`, userID, MaxUnread).Scan(&n)
		return n, classify("count unread conversations", err)
	}, pagecache.Inbox(userID))
}

// MarkConversationRead records that a member saw a conversation up to a
// message, and marks its message notifications read.
func (q *Queries) MarkConversationRead(ctx context.Context, conversationID, userID, upTo int64, now time.Time) error {
	q.Touch(pagecache.Inbox(userID))
	if _, err := q.db.ExecContext(ctx, `UPDATE conversation_members SET last_read_id = $1 WHERE conversation_id = $2 AND user_id = $3 AND last_read_id < $1`,
		upTo, conversationID, userID); err != nil {
		return classify("mark conversation read", err)
	}
	_, err := q.db.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND conversation_id = $3 AND read_at IS NULL AND message_id <= $4`,
		now, userID, conversationID, upTo)
	return classify("mark conversation read", err)
}

// HasUnreadMessageNote reports whether a member already has an unread
// notification of a message in the conversation: one is enough.
func (q *Queries) HasUnreadMessageNote(ctx context.Context, userID, conversationID int64) (bool, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE conversation_id = $1 AND user_id = $2 AND read_at IS NULL`, conversationID, userID).Scan(&n)
	return n > 0, classify("unread message note", err)
}

// LeaveConversation takes a member out of a conversation; a one-to-one one
// frees its pair, so the two can start another.
func (q *Queries) LeaveConversation(ctx context.Context, conversationID, userID int64, now time.Time) error {
	q.Touch(pagecache.Inbox(userID))
	if err := q.exec(ctx, "leave conversation", `UPDATE conversation_members SET left_at = $1 WHERE conversation_id = $2 AND user_id = $3 AND left_at IS NULL`,
		now, conversationID, userID); err != nil {
		return err
	}
	if _, err := q.db.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND conversation_id = $3 AND read_at IS NULL`, now, userID, conversationID); err != nil {
		return classify("leave conversation", err)
	}
	_, err := q.db.ExecContext(ctx, `UPDATE conversations SET pair_key = NULL WHERE id = $1`, conversationID)
	return classify("leave conversation", err)
}

// SetMessagesFrom records who may start a conversation with a member.
func (q *Queries) SetMessagesFrom(ctx context.Context, userID int64, from model.MessagesFrom, now time.Time) error {
	q.Touch(pagecache.User(userID))
	return q.exec(ctx, "set messages", `UPDATE users SET messages = $1, updated_at = $2 WHERE id = $3`, from, now, userID)
}

// SetBlock blocks or unblocks a member for another.
func (q *Queries) SetBlock(ctx context.Context, userID, blockedID int64, block bool, now time.Time) error {
	q.Touch(pagecache.Inbox(userID))
	var err error
	if block {
		_, err = q.db.ExecContext(ctx, `INSERT INTO blocks (user_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, userID, blockedID, now)
	} else {
		_, err = q.db.ExecContext(ctx, `DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2`, userID, blockedID)
	}
	return classify("block", err)
}

// Blocks lists the members a member blocked, by name.
func (q *Queries) Blocks(ctx context.Context, userID int64) ([]model.UserRef, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT u.id, u.username, u.display_name, u.role, u.avatar FROM blocks b JOIN users u ON u.id = b.blocked_id
		WHERE b.user_id = $1 ORDER BY u.username_key`, userID)
	return collect(rows, err, "blocks", func(r scanner) (model.UserRef, error) {
		var u model.UserRef
		return u, r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Avatar)
	})
}

// BlocksAmong returns, of the others, those the member blocked and those
// who blocked the member.
func (q *Queries) BlocksAmong(ctx context.Context, userID int64, others []int64) (blocked, blockedBy map[int64]bool, err error) {
	blocked, blockedBy = map[int64]bool{}, map[int64]bool{}
	if len(others) == 0 {
		return blocked, blockedBy, nil
	}
	var b builder
	list := b.ids(others)
	b.add(`SELECT user_id, blocked_id FROM blocks WHERE (user_id = `, b.arg(userID), ` AND blocked_id IN (`, list, `)) OR (blocked_id = `, b.arg(userID), ` AND user_id IN (`, list, `))`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	_, err = collect(rows, err, "blocks among", func(r scanner) (struct{}, error) {
		var from, to int64
		err := r.Scan(&from, &to)
		if from == userID {
			blocked[to] = true
		} else {
			blockedBy[from] = true
		}
		return struct{}{}, err
	})
	return blocked, blockedBy, err
}

// ReportMessage records a participant's report of a message; a second
// report of the same message by the same member gives ErrConflict.
func (q *Queries) ReportMessage(ctx context.Context, m model.Message, reporterID int64, reason string, now time.Time) error {
	q.Touch() // staff pages are not kept
	_, err := q.insert(ctx, "report message", `INSERT INTO message_reports (message_id, conversation_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.ID, m.ConversationID, reporterID, reason, now)
	return err
}

// ConversationReported reports whether a message of the conversation
// awaits the moderators.
func (q *Queries) ConversationReported(ctx context.Context, conversationID int64) (bool, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM message_reports WHERE conversation_id = $1 AND resolved_at IS NULL`, conversationID).Scan(&n)
	return n > 0, classify("conversation reported", err)
}

// MessageReport is an open report with what it is about.
type MessageReport struct {
	ID           int64
	Message      model.Message
	Author       model.UserRef
	Reporter     model.UserRef
	Reason       string
	CreatedAt    time.Time
	Conversation int64
}

// OpenReports lists the reports awaiting the moderators, oldest first.
func (q *Queries) OpenReports(ctx context.Context, limit int) ([]MessageReport, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT r.id, r.reason, r.created_at, r.conversation_id, m.id, m.conversation_id, m.author_id, m.body, m.body_html, m.created_at,
			a.id, a.username, a.display_name, a.role, a.avatar, p.id, p.username, p.display_name, p.role, p.avatar
		FROM message_reports r JOIN messages m ON m.id = r.message_id JOIN users a ON a.id = m.author_id JOIN users p ON p.id = r.reporter_id
		WHERE r.resolved_at IS NULL ORDER BY r.id LIMIT $1`, limit)
	return collect(rows, err, "open reports", func(r scanner) (MessageReport, error) {
		var mr MessageReport
		m, a, p := &mr.Message, &mr.Author, &mr.Reporter
		return mr, r.Scan(&mr.ID, &mr.Reason, &mr.CreatedAt, &mr.Conversation, &m.ID, &m.ConversationID, &m.AuthorID, &m.Body, &m.BodyHTML, &m.CreatedAt,
			&a.ID, &a.Username, &a.DisplayName, &a.Role, &a.Avatar, &p.ID, &p.Username, &p.DisplayName, &p.Role, &p.Avatar)
	})
}

// ResolveReports closes the open reports of a conversation; staff can no
// longer read it.
func (q *Queries) ResolveReports(ctx context.Context, conversationID, by int64, now time.Time) error {
	q.Touch() // staff pages are not kept
	return q.exec(ctx, "resolve reports", `UPDATE message_reports SET resolved_at = $1, resolved_by = $2 WHERE conversation_id = $3 AND resolved_at IS NULL`,
		now, by, conversationID)
}
