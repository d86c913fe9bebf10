package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"practica/internal/model"
	"practica/internal/pagecache"
)

const postCols = `p.id, p.topic_id, p.author_id, p.kind, COALESCE(p.parent_id, 0), p.body, p.body_html, p.revision, p.score, p.created_at, p.updated_at, p.edited_at, p.deleted_at, COALESCE(p.deleted_by, 0), p.wiki_at`

// postTimes receives a post's nullable timestamps.
type postTimes struct{ edited, deleted, wiki sql.NullTime }

func postDest(p *model.Post, pt *postTimes) []any {
	return []any{&p.ID, &p.TopicID, &p.AuthorID, &p.Kind, &p.ParentID, &p.Body, &p.BodyHTML, &p.Revision, &p.Score, &p.CreatedAt, &p.UpdatedAt, &pt.edited, &pt.deleted, &p.DeletedBy, &pt.wiki}
}

func (pt postTimes) fill(p *model.Post) {
	p.EditedAt, p.DeletedAt, p.WikiAt = timePtr(pt.edited), timePtr(pt.deleted), timePtr(pt.wiki)
}

func scanPost(r scanner) (model.Post, error) {
	var p model.Post
	var pt postTimes
	err := r.Scan(postDest(&p, &pt)...)
	pt.fill(&p)
	return p, err
}

// CreatePost inserts a post. For replies, callers also call TouchTopic.
func (q *Queries) CreatePost(ctx context.Context, p model.Post) (model.Post, error) {
	id, err := q.insert(ctx, "create post", `INSERT INTO posts (topic_id, author_id, kind, parent_id, body, body_html, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		p.TopicID, p.AuthorID, p.Kind, nullInt(p.ParentID), p.Body, p.BodyHTML, p.CreatedAt)
	p.ID, p.UpdatedAt, p.Revision = id, p.CreatedAt, 1
	return p, err
}

// Post returns a post by id, in any state.
func (q *Queries) Post(ctx context.Context, id int64) (model.Post, error) {
	p, err := scanPost(q.db.QueryRowContext(ctx, `SELECT `+postCols+` FROM posts p WHERE p.id = $1`, id))
	return p, classify(fmt.Sprintf("post %d", id), err)
}

// OpeningPost returns the post that holds a topic's body.
func (q *Queries) OpeningPost(ctx context.Context, topicID int64) (model.Post, error) {
	p, err := scanPost(q.db.QueryRowContext(ctx, `SELECT `+postCols+` FROM posts p WHERE p.topic_id = $1 AND p.kind = 'opening'`, topicID))
	return p, classify(fmt.Sprintf("opening post of %d", topicID), err)
}

const postItemSelect = `SELECT ` + postCols + `, u.id, u.username, u.display_name, u.role, u.avatar FROM posts p JOIN users u ON u.id = p.author_id `

func scanPostItem(r scanner) (model.PostItem, error) {
	var it model.PostItem
	var pt postTimes
	a := &it.Author
	err := r.Scan(append(postDest(&it.Post, &pt), &a.ID, &a.Username, &a.DisplayName, &a.Role, &a.Avatar)...)
	pt.fill(&it.Post)
	return it, err
}

// topicPosts reads a page of a topic's posts.
func (q *Queries) topicPosts(ctx context.Context, topicID, after int64, limit int, withDeleted bool) ([]model.PostItem, error) {
	var b builder
	b.add(postItemSelect, `WHERE p.topic_id = `, b.arg(topicID), ` AND p.id > `, b.arg(after), ` AND p.kind <> 'comment'`)
	if !withDeleted {
		b.add(` AND p.deleted_at IS NULL`)
	}
	b.add(` ORDER BY p.id LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "topic posts", scanPostItem)
}

// AnswerOrder is how a question's answers are sorted.
type AnswerOrder string

// Answer orders: by votes puts the accepted answer first, then score, then age.
const (
	AnswersByVotes  AnswerOrder = "votes"
	AnswersByNewest AnswerOrder = "newest"
)

// answers reads a page of a question's answers.
func (q *Queries) answers(ctx context.Context, topicID int64, order AnswerOrder, offset, limit int, withDeleted bool) ([]model.PostItem, error) {
	// The page's ids are chosen first, from the posts_topic_score index, and
	// only those rows are read whole: sorting every answer's body to skip to
	// page 50 of a long question cost a hundred times more.
	inner, outer := `ORDER BY a.id DESC`, `ORDER BY page.id DESC`
	if order != AnswersByNewest {
		inner, outer = `ORDER BY accepted, a.score DESC, a.id`, `ORDER BY page.accepted, page.score DESC, page.id`
	}
	var b builder
	b.add(`WITH page AS (SELECT a.id, a.score, CASE WHEN a.id = t.accepted_post_id THEN 0 ELSE 1 END AS accepted
		FROM posts a JOIN topics t ON t.id = a.topic_id WHERE a.topic_id = `, b.arg(topicID), ` AND a.kind = 'answer'`)
	if !withDeleted {
		b.add(` AND a.deleted_at IS NULL`)
	}
	b.add(` `, inner, ` LIMIT `, b.arg(limit), ` OFFSET `, b.arg(offset), `) `,
		postItemSelect, `JOIN page ON page.id = p.id `, outer)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "answers", scanPostItem)
}

// Comments returns the comments on the given posts, oldest first, keyed by
// the post they are on.
func (q *Queries) Comments(ctx context.Context, parentIDs []int64, withDeleted bool) (map[int64][]model.PostItem, error) {
	out := map[int64][]model.PostItem{}
	if len(parentIDs) == 0 {
		return out, nil
	}
	var b builder
	b.add(postItemSelect, `WHERE p.parent_id IN (`, b.ids(parentIDs), `) AND p.kind = 'comment'`)
	if !withDeleted {
		b.add(` AND p.deleted_at IS NULL`)
	}
	b.add(` ORDER BY p.id LIMIT 2000`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	items, err := collect(rows, err, "comments", scanPostItem)
	for _, it := range items {
		out[it.Post.ParentID] = append(out[it.Post.ParentID], it)
	}
	return out, err
}

// TouchTopic records a new post p in its topic: last activity, last poster
// and, for a reply or an answer, one more reply. Counted by adding one (a
// COUNT over the topic's posts grew with the topic) and written last: every
// reply to a busy topic writes its row (see late.go).
func (q *Queries) TouchTopic(ctx context.Context, p model.Post) error {
	q.Touch(pagecache.Topic(p.TopicID), pagecache.Lists)
	replies := 0
	if p.Kind == model.PostReply || p.Kind == model.PostAnswer {
		replies = 1
	}
	q.atEnd("topics", p.TopicID, `UPDATE topics SET last_post_at = $1, last_poster_id = $2, reply_count = reply_count + $3 WHERE id = $4`,
		p.CreatedAt, p.AuthorID, replies, p.TopicID)
	return nil
}

// RecountReplies sets a topic's reply_count to its live replies.
func (q *Queries) RecountReplies(ctx context.Context, topicID int64) error {
	return q.recount(ctx, "recount replies", `topics`, `reply_count`,
		`SELECT COUNT(*) FROM posts WHERE topic_id = $1 AND kind IN ('reply', 'answer') AND deleted_at IS NULL`, topicID)
}

// UpdatePostBody saves a new body and bumps the revision number.
func (q *Queries) UpdatePostBody(ctx context.Context, id int64, body, bodyHTML string, now time.Time) (int64, error) {
	var rev int64
	err := q.db.QueryRowContext(ctx, `UPDATE posts SET body = $1, body_html = $2, revision = revision + 1, updated_at = $3, edited_at = $3 WHERE id = $4 RETURNING revision`,
		body, bodyHTML, now, id).Scan(&rev)
	return rev, classify("update post", err)
}

// SetPostDeleted soft-deletes (at != nil) or restores a post.
func (q *Queries) SetPostDeleted(ctx context.Context, id int64, at *time.Time, by int64) error {
	return q.exec(ctx, "delete post", `UPDATE posts SET deleted_at = $1, deleted_by = $2 WHERE id = $3`, at, nullID(at, by), id)
}

// AddRevision records one version of a post.
func (q *Queries) AddRevision(ctx context.Context, r model.Revision) error {
	_, err := q.insert(ctx, "add revision", `INSERT INTO post_revisions (post_id, number, editor_id, title, tags, body, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		r.PostID, r.Number, r.EditorID, r.Title, r.Tags, r.Body, r.Reason, r.CreatedAt)
	return err
}

// RevisionItem is a revision with its editor.
type RevisionItem struct {
	Revision model.Revision
	Editor   model.UserRef
}

// Revisions lists a post's revisions, newest first.
func (q *Queries) Revisions(ctx context.Context, postID int64) ([]RevisionItem, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT r.id, r.post_id, r.number, r.editor_id, r.title, r.tags, r.body, r.reason, r.created_at, u.id, u.username, u.display_name, u.role, u.avatar
		FROM post_revisions r JOIN users u ON u.id = r.editor_id WHERE r.post_id = $1 ORDER BY r.number DESC LIMIT 500`, postID)
	return collect(rows, err, "revisions", func(s scanner) (RevisionItem, error) {
		var it RevisionItem
		r, e := &it.Revision, &it.Editor
		err := s.Scan(&r.ID, &r.PostID, &r.Number, &r.EditorID, &r.Title, &r.Tags, &r.Body, &r.Reason, &r.CreatedAt, &e.ID, &e.Username, &e.DisplayName, &e.Role, &e.Avatar)
		return it, err
	})
}

// UserRefs returns the named users by id.
func (q *Queries) UserRef(ctx context.Context, id int64) (model.UserRef, error) {
	var u model.UserRef
	err := q.db.QueryRowContext(ctx, `SELECT id, username, display_name, role, avatar FROM users WHERE id = $1`, id).Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Avatar)
	return u, classify("user ref", err)
}

// AnswerRank is how many answers of a question come before an answer in the
// votes order (accepted first, then score, then age).
func (q *Queries) AnswerRank(ctx context.Context, topicID, postID int64) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts p JOIN topics t ON t.id = p.topic_id JOIN posts me ON me.id = $2
		WHERE p.topic_id = $1 AND p.kind = 'answer' AND p.deleted_at IS NULL AND p.id <> me.id AND (
			(CASE WHEN p.id = t.accepted_post_id THEN 0 ELSE 1 END) < (CASE WHEN me.id = t.accepted_post_id THEN 0 ELSE 1 END)
			OR ((CASE WHEN p.id = t.accepted_post_id THEN 0 ELSE 1 END) = (CASE WHEN me.id = t.accepted_post_id THEN 0 ELSE 1 END)
				AND (p.score > me.score OR (p.score = me.score AND p.id < me.id))))`, topicID, postID).Scan(&n)
	return n, classify("answer rank", err)
}

// PageStart returns the id to page after so that a discussion page holds
// post postID: the last post of the page before, or 0 on the first page.
func (q *Queries) PageStart(ctx context.Context, topicID, postID int64, pageSize int) (int64, error) {
	var before int
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts WHERE topic_id = $1 AND kind <> 'comment' AND deleted_at IS NULL AND id < $2`, topicID, postID).Scan(&before)
	if err != nil || before < pageSize {
		return 0, classify("page start", err)
	}
	var after int64
	err = q.db.QueryRowContext(ctx, `SELECT id FROM posts WHERE topic_id = $1 AND kind <> 'comment' AND deleted_at IS NULL AND id < $2 ORDER BY id LIMIT 1 OFFSET $3`,
		topicID, postID, before/pageSize*pageSize-1).Scan(&after)
	return after, classify("page start", err)
}
