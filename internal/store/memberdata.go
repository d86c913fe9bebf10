package store

import (
	"context"
	"time"

	"practica/internal/model"
)

// Queries for a member's data export: everything a member wrote or owns,
// whatever its state (deleted included), and nothing written by others.

// MemberTopics lists the topics a member started, oldest first, with tags.
func (q *Queries) MemberTopics(ctx context.Context, userID int64) ([]model.Topic, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+topicCols+` FROM topics t WHERE t.author_id = $1 ORDER BY t.id`, userID)
	topics, err := collect(rows, err, "member topics", scanTopic)
	self := func(t *model.Topic) *model.Topic { return t }
	if err == nil {
		err = fillEvents(ctx, q, topics, self)
	}
	if err != nil {
		return topics, err
	}
	return topics, fillTags(ctx, q, topics, self)
}

// MemberPosts lists every post a member wrote (opening posts, replies,
// answers, comments), oldest first.
func (q *Queries) MemberPosts(ctx context.Context, userID int64) ([]model.Post, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+postCols+` FROM posts p WHERE p.author_id = $1 ORDER BY p.id`, userID)
	return collect(rows, err, "member posts", scanPost)
}

// MemberRevisions lists the revisions a member made of their own posts.
func (q *Queries) MemberRevisions(ctx context.Context, userID int64) ([]model.Revision, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT r.id, r.post_id, r.number, r.editor_id, r.title, r.tags, r.body, r.reason, r.created_at
		FROM post_revisions r JOIN posts p ON p.id = r.post_id WHERE r.editor_id = $1 AND p.author_id = $1 ORDER BY r.post_id, r.number`, userID)
	return collect(rows, err, "member revisions", func(s scanner) (model.Revision, error) {
		var r model.Revision
		return r, s.Scan(&r.ID, &r.PostID, &r.Number, &r.EditorID, &r.Title, &r.Tags, &r.Body, &r.Reason, &r.CreatedAt)
	})
}

// MemberVote is a vote a member cast.
type MemberVote struct {
	PostID    int64
	Value     int
	CreatedAt time.Time
}

// MemberVotes lists the votes a member cast.
func (q *Queries) MemberVotes(ctx context.Context, userID int64) ([]MemberVote, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT post_id, value, created_at FROM votes WHERE user_id = $1 ORDER BY created_at, post_id`, userID)
	return collect(rows, err, "member votes", func(s scanner) (MemberVote, error) {
		var v MemberVote
		return v, s.Scan(&v.PostID, &v.Value, &v.CreatedAt)
	})
}

// MemberReputation lists a member's reputation ledger, oldest first. Who
// caused each row (the voter) is left out: votes are anonymous.
func (q *Queries) MemberReputation(ctx context.Context, userID int64) ([]model.ReputationEvent, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, user_id, delta, reason, COALESCE(post_id, 0), created_at FROM reputation_events WHERE user_id = $1 ORDER BY id`, userID)
	return collect(rows, err, "member reputation", func(s scanner) (model.ReputationEvent, error) {
		var e model.ReputationEvent
		return e, s.Scan(&e.ID, &e.UserID, &e.Delta, &e.Reason, &e.PostID, &e.CreatedAt)
	})
}

// MemberBadge is a badge a member holds.
type MemberBadge struct {
	Badge     string
	PostID    int64
	AwardedAt time.Time
}

// MemberBadges lists every badge a member was awarded, oldest first.
func (q *Queries) MemberBadges(ctx context.Context, userID int64) ([]MemberBadge, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT badge, post_id, awarded_at FROM user_badges WHERE user_id = $1 ORDER BY awarded_at, id`, userID)
	return collect(rows, err, "member badges", func(s scanner) (MemberBadge, error) {
		var b MemberBadge
		return b, s.Scan(&b.Badge, &b.PostID, &b.AwardedAt)
	})
}

// MemberSpace is a space a member belongs to.
type MemberSpace struct {
	Slug     string
	Name     string
	Role     model.SpaceRole
	JoinedAt time.Time
}

// MemberSpaces lists the spaces a member belongs to.
func (q *Queries) MemberSpaces(ctx context.Context, userID int64) ([]MemberSpace, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT s.slug, s.name, m.role, m.created_at FROM space_members m JOIN spaces s ON s.id = m.space_id
		WHERE m.user_id = $1 ORDER BY m.created_at, s.id`, userID)
	return collect(rows, err, "member spaces", func(s scanner) (MemberSpace, error) {
		var m MemberSpace
		return m, s.Scan(&m.Slug, &m.Name, &m.Role, &m.JoinedAt)
	})
}

// MemberSessions lists a member's browser sessions (never their secrets).
func (q *Queries) MemberSessions(ctx context.Context, userID int64) ([]model.Session, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, user_id, created_at, last_seen_at, expires_at, user_agent FROM sessions WHERE user_id = $1 ORDER BY id`, userID)
	return collect(rows, err, "member sessions", func(s scanner) (model.Session, error) {
		var se model.Session
		return se, s.Scan(&se.ID, &se.UserID, &se.CreatedAt, &se.LastSeenAt, &se.ExpiresAt, &se.UserAgent)
	})
}

// MemberSuggestedEdits lists the edits a member suggested to others' posts.
func (q *Queries) MemberSuggestedEdits(ctx context.Context, userID int64) ([]model.SuggestedEdit, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+suggestedEditCols+` FROM suggested_edits e WHERE e.author_id = $1 ORDER BY e.id`, userID)
	return collect(rows, err, "member suggested edits", func(s scanner) (model.SuggestedEdit, error) {
		var e model.SuggestedEdit
		return e, s.Scan(suggestedEditDest(&e)...)
	})
}

// MemberMessages lists the direct messages a member wrote, oldest first.
func (q *Queries) MemberMessages(ctx context.Context, userID int64) ([]model.Message, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, conversation_id, author_id, body, body_html, created_at FROM messages WHERE author_id = $1 ORDER BY id`, userID)
	return collect(rows, err, "member messages", scanMessage)
}
