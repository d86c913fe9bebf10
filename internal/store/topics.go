package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
)

const topicCols = `t.id, t.space_id, t.kind, t.author_id, t.title, t.slug, t.state, t.created_at, t.updated_at, t.last_post_at, COALESCE(t.last_poster_id, 0),
	t.reply_count, t.view_count, t.score, COALESCE(t.accepted_post_id, 0), t.close_reason, t.pinned_at, t.locked_at, t.deleted_at, t.closed_at`

// topicTimes receives a topic's nullable state timestamps.
type topicTimes struct{ pinned, locked, deleted, closed sql.NullTime }

func topicDest(t *model.Topic, tt *topicTimes) []any {
	return []any{&t.ID, &t.SpaceID, &t.Kind, &t.AuthorID, &t.Title, &t.Slug, &t.State, &t.CreatedAt, &t.UpdatedAt, &t.LastPostAt, &t.LastPosterID,
		&t.ReplyCount, &t.ViewCount, &t.Score, &t.AcceptedPostID, &t.CloseReason, &tt.pinned, &tt.locked, &tt.deleted, &tt.closed}
}

func (tt topicTimes) fill(t *model.Topic) {
	t.PinnedAt, t.LockedAt, t.DeletedAt, t.ClosedAt = timePtr(tt.pinned), timePtr(tt.locked), timePtr(tt.deleted), timePtr(tt.closed)
}

func scanTopic(r scanner) (model.Topic, error) {
	var t model.Topic
	var tt topicTimes
	err := r.Scan(topicDest(&t, &tt)...)
	tt.fill(&t)
	return t, err
}

// NewTopic is what creating a topic needs; the opening post is created with it.
type NewTopic struct {
	SpaceID   int64
	Kind      model.Kind
	AuthorID  int64
	Title     string
	Slug      string
	Body      string
	BodyHTML  string
	Tags      []string
	CreatedAt time.Time
}

// CreateTopic inserts a topic, its opening post, the first revision and its
// tags, and counts it in its space.
func (q *Queries) CreateTopic(ctx context.Context, n NewTopic) (model.Topic, error) {
	q.Touch(pagecache.Lists)
	id, err := q.insert(ctx, "create topic", `INSERT INTO topics (space_id, kind, author_id, title, slug, created_at, updated_at, last_post_at, last_poster_id)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $6, $3) RETURNING id`, n.SpaceID, n.Kind, n.AuthorID, n.Title, n.Slug, n.CreatedAt)
	if err != nil {
		return model.Topic{}, err
	}
	post, err := q.CreatePost(ctx, model.Post{TopicID: id, AuthorID: n.AuthorID, Kind: model.PostOpening, Body: n.Body, BodyHTML: n.BodyHTML, CreatedAt: n.CreatedAt})
	if err != nil {
		return model.Topic{}, err
	}
	if err := q.AddRevision(ctx, model.Revision{PostID: post.ID, Number: 1, EditorID: n.AuthorID, Title: n.Title, Tags: strings.Join(n.Tags, " "), Body: n.Body, CreatedAt: n.CreatedAt}); err != nil {
		return model.Topic{}, err
	}
	if err := q.tagTopic(ctx, id, nil, n.Tags, n.CreatedAt); err != nil {
		return model.Topic{}, err
	}
	if err := q.IndexPost(ctx, post.ID); err != nil {
		return model.Topic{}, err
	}
	// One more live topic: counted by adding one, not by recounting the
	// space (a COUNT over its topics was a fifth of creating one), and last,
	// as every new topic of the space writes this row (see late.go).
	q.atEnd("spaces", n.SpaceID, `UPDATE spaces SET topic_count = topic_count + 1 WHERE id = $1`, n.SpaceID)
	return q.Topic(ctx, id)
}

// topic reads a topic (in any state) with its tags.
func (q *Queries) topic(ctx context.Context, id int64) (model.Topic, error) {
	t, err := scanTopic(q.db.QueryRowContext(ctx, `SELECT `+topicCols+` FROM topics t WHERE t.id = $1`, id))
	if err != nil {
		return t, classify(fmt.Sprintf("topic %d", id), err)
	}
	tags, err := q.topicTags(ctx, []int64{id})
	t.Tags = tags[id]
	return t, err
}

// UpdateTopic saves a new title, slug and tags.
func (q *Queries) UpdateTopic(ctx context.Context, id int64, title, slug string, tags []string, now time.Time) error {
	if err := q.exec(ctx, "update topic", `UPDATE topics SET title = $1, slug = $2, updated_at = $3 WHERE id = $4`, title, slug, now, id); err != nil {
		return err
	}
	return q.SetTopicTags(ctx, id, tags, now)
}

// TopicFlag names a nullable timestamp column that marks a topic state.
type TopicFlag string

// Topic states kept as timestamps.
const (
	FlagPinned  TopicFlag = "pinned_at"
	FlagLocked  TopicFlag = "locked_at"
	FlagDeleted TopicFlag = "deleted_at"
)

// SetTopicFlag sets (at != nil) or clears a state; by records who deleted.
func (q *Queries) SetTopicFlag(ctx context.Context, id int64, flag TopicFlag, at *time.Time, by int64) error {
	var extra string
	args := []any{at, id}
	if flag == FlagDeleted {
		extra = ", deleted_by = $3"
		args = append(args, nullID(at, by))
	}
	switch flag {
	case FlagPinned, FlagLocked, FlagDeleted:
	default:
		return fmt.Errorf("store: unknown topic flag %q", flag)
	}
	if err := q.exec(ctx, "set topic "+string(flag), `UPDATE topics SET `+string(flag)+` = $1`+extra+` WHERE id = $2`, args...); err != nil {
		return err
	}
	if flag == FlagDeleted {
		return q.recountTopicTags(ctx, id)
	}
	return nil
}

func nullID(at *time.Time, id int64) any {
	if at == nil || id == 0 {
		return nil
	}
	return id
}

// MoveTopic puts a topic in another space and recounts both spaces.
func (q *Queries) MoveTopic(ctx context.Context, id, from, to int64, now time.Time) error {
	if err := q.exec(ctx, "move topic", `UPDATE topics SET space_id = $1, updated_at = $2 WHERE id = $3`, to, now, id); err != nil {
		return err
	}
	if err := q.recountTopicTags(ctx, id); err != nil {
		return err
	}
	if err := q.RecountSpaceTopics(ctx, from); err != nil {
		return err
	}
	return q.RecountSpaceTopics(ctx, to)
}

// RecountSpaceTopics sets a space's topic_count to its live topics.
func (q *Queries) RecountSpaceTopics(ctx context.Context, spaceID int64) error {
	return q.recount(ctx, "recount topics", `spaces`, `topic_count`, `SELECT COUNT(*) FROM topics WHERE space_id = $1 AND deleted_at IS NULL`, spaceID)
}

// TopicFilter narrows a topic list. Zero values mean "any".
type TopicFilter struct {
	SpaceID  int64
	Tag      string
	Kind     model.Kind
	AuthorID int64
	// Pinned: +1 only pinned, -1 only unpinned, 0 both.
	Pinned int
	// FollowedBy keeps topics carrying a tag this user follows.
	FollowedBy int64
	// Interests keeps topics in a space this user belongs to or carrying a
	// tag they follow (their digest).
	Interests int64
	// Since keeps topics created after it.
	Since  time.Time
	Sort   TopicSort
	Cursor Cursor
	Limit  int
}

// Key names the filter, for keeping a list's result in memory.
func (f TopicFilter) Key() string {
	return fmt.Sprintf("%d|%q|%s|%d|%d|%d|%d|%d|%s|%d.%d.%d|%d", f.SpaceID, f.Tag, f.Kind, f.AuthorID, f.Pinned, f.FollowedBy,
		f.Interests, f.Since.UnixMicro(), f.Sort, f.Cursor.At.UnixMicro(), f.Cursor.N, f.Cursor.ID, f.Limit)
}

// TopicSort orders a topic list.
type TopicSort string

// Topic orders. Unanswered lists questions with neither an accepted answer
// nor an answer scored above zero, newest first.
const (
	SortActive     TopicSort = "active"
	SortNewest     TopicSort = "newest"
	SortTop        TopicSort = "top"
	SortUnanswered TopicSort = "unanswered"
)

// ValidSort reports whether s is a known order ("" is active).
func ValidSort(s TopicSort) bool {
	switch s {
	case "", SortActive, SortNewest, SortTop, SortUnanswered:
		return true
	}
	return false
}

// Cursor is a keyset position in a list: the sort key of the last row (At
// for time orders, N for score) and its id.
type Cursor struct {
	At time.Time
	N  int64
	ID int64
}

// CursorOf returns the position of a topic in a list sorted by s.
func CursorOf(s TopicSort, t model.Topic) Cursor {
	switch s {
	case SortNewest, SortUnanswered:
		return Cursor{At: t.CreatedAt, ID: t.ID}
	case SortTop:
		return Cursor{At: time.Unix(0, 0).UTC(), N: t.Score, ID: t.ID}
	}
	return Cursor{At: t.LastPostAt, ID: t.ID}
}

// unanswered is the condition for a question nobody has usefully answered.
const unanswered = ` AND t.kind = 'question' AND NOT EXISTS (SELECT 1 FROM posts a WHERE a.topic_id = t.id AND a.kind = 'answer' AND a.deleted_at IS NULL AND (a.id = t.accepted_post_id OR a.score > 0))`

const topicItemCols = topicCols + `, ` + spaceCols + `, au.username, au.display_name, au.role, au.avatar, COALESCE(lp.username, ''), COALESCE(lp.display_name, ''), COALESCE(lp.role, 'member'), COALESCE(lp.avatar, 0)`

// Topics lists the topics the scope may read, most recently active first.
func (q *Queries) Topics(ctx context.Context, sc policy.Scope, f TopicFilter) ([]model.TopicItem, error) {
	var b builder
	// CROSS JOIN keeps SQLite walking topics in list order (an index) and
	// stopping at the limit: with planner statistics it would otherwise
	// start from the few spaces and sort every topic they hold.
	b.add(`SELECT `, topicItemCols, ` FROM topics t CROSS JOIN spaces s JOIN users au ON au.id = t.author_id LEFT JOIN users lp ON lp.id = t.last_poster_id
		WHERE s.id = t.space_id AND t.deleted_at IS NULL AND t.state = 'published' AND `, b.visibleContent(sc))
	if f.SpaceID != 0 {
		b.add(` AND t.space_id = `, b.arg(f.SpaceID))
	}
	if f.Kind != "" {
		b.add(` AND t.kind = `, b.arg(f.Kind))
	}
	if f.AuthorID != 0 {
		b.add(` AND t.author_id = `, b.arg(f.AuthorID))
	}
	switch f.Pinned {
	case 1:
		b.add(` AND t.pinned_at IS NOT NULL`)
	case -1:
		b.add(` AND t.pinned_at IS NULL`)
	}
	if f.Tag != "" {
		b.add(` AND EXISTS (SELECT 1 FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.topic_id = t.id AND g.name = `, b.arg(f.Tag), `)`)
	}
	if f.FollowedBy != 0 {
		b.add(` AND EXISTS (SELECT 1 FROM topic_tags tt JOIN tag_follows tf ON tf.tag_id = tt.tag_id WHERE tt.topic_id = t.id AND tf.user_id = `, b.arg(f.FollowedBy), `)`)
	}
	if f.Interests != 0 {
		b.interests(f.Interests)
	}
	if !f.Since.IsZero() {
		b.add(` AND t.created_at > `, b.arg(f.Since))
	}
	col, key := "t.last_post_at", any(f.Cursor.At)
	switch f.Sort {
	case SortNewest:
		col = "t.created_at"
	case SortUnanswered:
		col = "t.created_at"
		b.add(unanswered)
	case SortTop:
		col, key = "t.score", f.Cursor.N
	}
	if f.Cursor.ID != 0 {
		k := b.arg(key)
		b.add(` AND (`, col, ` < `, k, ` OR (`, col, ` = `, k, ` AND t.id < `, b.arg(f.Cursor.ID), `))`)
	}
	b.add(` ORDER BY `, col, ` DESC, t.id DESC LIMIT `, b.arg(f.Limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	items, err := collect(rows, err, "topics", scanTopicItem)
	if err == nil {
		err = fillEvents(ctx, q, items, func(it *model.TopicItem) *model.Topic { return &it.Topic })
	}
	if err != nil {
		return items, err
	}
	return items, fillTags(ctx, q, items, func(it *model.TopicItem) *model.Topic { return &it.Topic })
}

// interests keeps topics in a space the user belongs to or carrying a tag
// they follow (their digest).
func (b *builder) interests(userID int64) {
	u := b.arg(userID)
	b.add(` AND (t.space_id IN (SELECT space_id FROM space_members WHERE user_id = `, u, `)
		OR EXISTS (SELECT 1 FROM topic_tags tt JOIN tag_follows tf ON tf.tag_id = tt.tag_id WHERE tt.topic_id = t.id AND tf.user_id = `, u, `))`)
}

func scanTopicItem(r scanner) (model.TopicItem, error) {
	return scanTopicItemAnd(r)
}

// scanTopicItemAnd reads the topicItemCols, then more columns into more.
func scanTopicItemAnd(r scanner, more ...any) (model.TopicItem, error) {
	var it model.TopicItem
	var tt topicTimes
	var archived sql.NullTime
	s := &it.Space
	dest := append(append(topicDest(&it.Topic, &tt), spaceDest(s, &archived)...),
		&it.Author.Username, &it.Author.DisplayName, &it.Author.Role, &it.Author.Avatar, &it.LastPoster.Username, &it.LastPoster.DisplayName, &it.LastPoster.Role, &it.LastPoster.Avatar)
	err := r.Scan(append(dest, more...)...)
	tt.fill(&it.Topic)
	s.ArchivedAt = timePtr(archived)
	it.Author.ID, it.LastPoster.ID = it.Topic.AuthorID, it.Topic.LastPosterID
	return it, err
}
