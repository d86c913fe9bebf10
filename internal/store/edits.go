package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
)

const suggestedEditCols = `e.id, e.post_id, e.author_id, e.base_revision, e.title, e.tags, e.body, e.reason, e.status, e.created_at`

func suggestedEditDest(e *model.SuggestedEdit) []any {
	return []any{&e.ID, &e.PostID, &e.AuthorID, &e.BaseRevision, &e.Title, &e.Tags, &e.Body, &e.Reason, &e.Status, &e.CreatedAt}
}

// CreateSuggestedEdit queues an edit; a post holds at most one pending edit
// (ErrConflict otherwise).
func (q *Queries) CreateSuggestedEdit(ctx context.Context, e model.SuggestedEdit) (model.SuggestedEdit, error) {
	id, err := q.insert(ctx, "suggest edit", `INSERT INTO suggested_edits (post_id, author_id, base_revision, title, tags, body, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, e.PostID, e.AuthorID, e.BaseRevision, e.Title, e.Tags, e.Body, e.Reason, e.CreatedAt)
	e.ID, e.Status = id, model.EditPending
	return e, err
}

// SuggestedEdit returns one suggested edit.
func (q *Queries) SuggestedEdit(ctx context.Context, id int64) (model.SuggestedEdit, error) {
	var e model.SuggestedEdit
	err := q.db.QueryRowContext(ctx, `SELECT `+suggestedEditCols+` FROM suggested_edits e WHERE e.id = $1`, id).Scan(suggestedEditDest(&e)...)
	return e, classify(fmt.Sprintf("suggested edit %d", id), err)
}

// DecideSuggestedEdit closes a pending edit as approved or rejected; it
// reports ErrNotFound when the edit was no longer pending, so two reviewers
// cannot both decide it.
func (q *Queries) DecideSuggestedEdit(ctx context.Context, id int64, status string, by int64, now time.Time) error {
	return q.exec(ctx, "decide suggested edit", `UPDATE suggested_edits SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'pending'`, status, by, now, id)
}

// SuggestionItem is a pending edit with its author, post, topic and space.
type SuggestionItem struct {
	Edit   model.SuggestedEdit
	Author model.UserRef
	Post   model.Post
	Topic  model.Topic
	Space  model.Space
}

// PendingEdits lists pending suggested edits on live posts the scope may
// read, oldest first.
func (q *Queries) PendingEdits(ctx context.Context, sc policy.Scope, limit int) ([]SuggestionItem, error) {
	var b builder
	b.add(`SELECT `, suggestedEditCols, `, u.id, u.username, u.display_name, u.role, u.avatar, `, postCols, `, `, topicCols, `, `, spaceCols, `
		FROM suggested_edits e JOIN users u ON u.id = e.author_id JOIN posts p ON p.id = e.post_id JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id
		WHERE e.status = 'pending' AND p.deleted_at IS NULL AND t.deleted_at IS NULL AND t.state = 'published' AND `, b.visibleContent(sc), `
		ORDER BY e.id LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "pending edits", func(r scanner) (SuggestionItem, error) {
		var it SuggestionItem
		var pt postTimes
		var tt topicTimes
		var archived sql.NullTime
		a, s := &it.Author, &it.Space
		dest := append(suggestedEditDest(&it.Edit), &a.ID, &a.Username, &a.DisplayName, &a.Role, &a.Avatar)
		dest = append(dest, postDest(&it.Post, &pt)...)
		dest = append(dest, topicDest(&it.Topic, &tt)...)
		dest = append(dest, spaceDest(s, &archived)...)
		err := r.Scan(dest...)
		pt.fill(&it.Post)
		tt.fill(&it.Topic)
		s.ArchivedAt = timePtr(archived)
		return it, err
	})
}

// PendingEditFor returns the pending suggested edit of a post, if any.
func (q *Queries) PendingEditFor(ctx context.Context, postID int64) (model.SuggestedEdit, error) {
	var e model.SuggestedEdit
	err := q.db.QueryRowContext(ctx, `SELECT `+suggestedEditCols+` FROM suggested_edits e WHERE e.post_id = $1 AND e.status = 'pending'`, postID).Scan(suggestedEditDest(&e)...)
	return e, classify("pending edit", err)
}

// SetTopicClosed closes (at != nil) or reopens a question.
func (q *Queries) SetTopicClosed(ctx context.Context, id int64, at *time.Time, by int64, reason string) error {
	return q.exec(ctx, "close topic", `UPDATE topics SET closed_at = $1, closed_by = $2, close_reason = $3 WHERE id = $4`, at, nullID(at, by), reason, id)
}

// SetPostWiki makes a post community wiki (at != nil) or undoes it.
func (q *Queries) SetPostWiki(ctx context.Context, id int64, at *time.Time) error {
	return q.exec(ctx, "set wiki", `UPDATE posts SET wiki_at = $1 WHERE id = $2`, at, id)
}

// AddAnswerInvite records that a member was asked to answer; it reports false
// when they already were.
func (q *Queries) AddAnswerInvite(ctx context.Context, topicID, userID, by int64, now time.Time) (bool, error) {
	q.alsoTouch(pagecache.Topic(topicID))
	res, err := q.db.ExecContext(ctx, `INSERT INTO answer_invites (topic_id, user_id, invited_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, topicID, userID, by, now)
	if err != nil {
		return false, classify("invite to answer", err)
	}
	n, err := res.RowsAffected()
	return n > 0, classify("invite to answer", err)
}

// AnswerInvites lists who was asked to answer a question, in order. Every
// question page reads it, so it is kept in the memo under the topic's key,
// which AddAnswerInvite adds.
func (q *Queries) AnswerInvites(ctx context.Context, topicID int64) ([]model.UserRef, error) {
	return cached(q, "answer-invites:"+itoa(topicID), func(us []model.UserRef) int64 { return int64(64 + 96*len(us)) },
		func() ([]model.UserRef, error) { return q.answerInvites(ctx, topicID) }, pagecache.Topic(topicID))
}

func (q *Queries) answerInvites(ctx context.Context, topicID int64) ([]model.UserRef, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT u.id, u.username, u.display_name, u.role, u.avatar FROM answer_invites i JOIN users u ON u.id = i.user_id
		WHERE i.topic_id = $1 ORDER BY i.created_at, u.id`, topicID)
	return collect(rows, err, "answer invites", func(r scanner) (model.UserRef, error) {
		var u model.UserRef
		return u, r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Avatar)
	})
}
