package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"practica/internal/db"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
)

// SetAvatar stores a member's new picture (already re-encoded) and returns
// its version, which its address carries. Every page showing the member
// changes, as with their name.
func (q *Queries) SetAvatar(ctx context.Context, userID int64, contentType string, image []byte, now time.Time) (int64, error) {
	q.touchAll()
	var version int64
	err := q.db.QueryRowContext(ctx, `UPDATE users SET avatar = ABS(avatar) + 1, updated_at = $1 WHERE id = $2 RETURNING avatar`, now, userID).Scan(&version)
	if err != nil {
		return 0, classify("set avatar", err)
	}
	_, err = q.db.ExecContext(ctx, `INSERT INTO avatars (user_id, version, content_type, image, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, content_type = excluded.content_type, image = excluded.image, created_at = excluded.created_at`,
		userID, version, contentType, image, now)
	return version, classify("set avatar", err)
}

// RemoveAvatar deletes a member's picture; their initial is drawn again.
// The version is kept, negated: the next picture takes a number never used,
// so no cache anywhere shows the removed one at its address.
func (q *Queries) RemoveAvatar(ctx context.Context, userID int64, now time.Time) error {
	q.touchAll()
	if _, err := q.db.ExecContext(ctx, `DELETE FROM avatars WHERE user_id = $1`, userID); err != nil {
		return classify("remove avatar", err)
	}
	return q.exec(ctx, "remove avatar", `UPDATE users SET avatar = -ABS(avatar), updated_at = $1 WHERE id = $2`, now, userID)
}

// Avatar returns a member's picture of the given version; an older or
// unknown version is not found.
func (q *Queries) Avatar(ctx context.Context, userID, version int64) (string, []byte, error) {
	var ct string
	var img []byte
	err := q.db.QueryRowContext(ctx, `SELECT content_type, image FROM avatars WHERE user_id = $1 AND version = $2`, userID, version).Scan(&ct, &img)
	return ct, img, classify("avatar", err)
}

// The kinds of tags a member declares.
const (
	TagExpertise = "expertise"
	TagInterest  = "interest"
)

// SetUserTags replaces the member's tags of one kind by the named ones,
// which must exist (the caller checked).
func (q *Queries) SetUserTags(ctx context.Context, userID int64, kind string, names []string) error {
	q.Touch(pagecache.User(userID))
	if _, err := q.db.ExecContext(ctx, `DELETE FROM user_tags WHERE user_id = $1 AND kind = $2`, userID, kind); err != nil {
		return classify("set user tags", err)
	}
	for _, n := range names {
		if _, err := q.db.ExecContext(ctx, `INSERT INTO user_tags (user_id, kind, tag_id) SELECT $1, $2, id FROM tags WHERE name = $3 ON CONFLICT DO NOTHING`, userID, kind, n); err != nil {
			return classify("set user tags", err)
		}
	}
	return nil
}

// TagRecord is what a member's answers under one tag earned.
type TagRecord struct {
	Tag      string
	Answers  int64 // answers accepted or scored above zero
	Accepted int64
	Score    int64
}

// DemonstratedTags lists the tags under which a member's answers were
// accepted or upvoted, most such answers first, counting only what the scope
// may read: the expertise the community saw, next to what they declared.
func (q *Queries) DemonstratedTags(ctx context.Context, sc policy.Scope, userID int64, limit int) ([]TagRecord, error) {
	var b builder
	b.add(`SELECT g.name, COUNT(*), SUM(CASE WHEN t.accepted_post_id = p.id THEN 1 ELSE 0 END), SUM(p.score)
		FROM posts p JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id
		JOIN topic_tags tt ON tt.topic_id = t.id JOIN tags g ON g.id = tt.tag_id
		WHERE p.author_id = `, b.arg(userID), ` AND p.kind = 'answer' AND p.deleted_at IS NULL AND t.deleted_at IS NULL AND t.state = 'published'
		AND (p.score > 0 OR t.accepted_post_id = p.id) AND `, b.visibleContent(sc), `
		GROUP BY g.name ORDER BY COUNT(*) DESC, SUM(p.score) DESC, g.name LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "demonstrated tags", func(r scanner) (TagRecord, error) {
		var t TagRecord
		return t, r.Scan(&t.Tag, &t.Answers, &t.Accepted, &t.Score)
	})
}

// AnswerItem is one of a member's answers as their profile lists it.
type AnswerItem struct {
	Post     model.Post
	Topic    model.Topic // with its tags
	Space    model.Space
	Accepted bool
}

// UserAnswers lists a member's answers the scope may read, newest first
// (or best scored first), a page at a time.
func (q *Queries) UserAnswers(ctx context.Context, sc policy.Scope, userID int64, byScore bool, offset, limit int) ([]AnswerItem, error) {
	var b builder
	b.add(`SELECT `, postCols, `, `, topicCols, `, `, spaceCols, ` FROM posts p JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id
		WHERE p.author_id = `, b.arg(userID), ` AND p.kind = 'answer' AND p.deleted_at IS NULL AND t.deleted_at IS NULL AND t.state = 'published' AND `, b.visibleContent(sc))
	if byScore {
		b.add(` ORDER BY p.score DESC, CASE WHEN t.accepted_post_id = p.id THEN 0 ELSE 1 END, p.id DESC`)
	} else {
		b.add(` ORDER BY p.created_at DESC, p.id DESC`)
	}
	b.add(` LIMIT `, b.arg(limit), ` OFFSET `, b.arg(offset))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	items, err := collect(rows, err, "user answers", func(r scanner) (AnswerItem, error) {
		var it AnswerItem
		var pt postTimes
		var tt topicTimes
		var archived sql.NullTime
		dest := append(postDest(&it.Post, &pt), topicDest(&it.Topic, &tt)...)
		err := r.Scan(append(dest, spaceDest(&it.Space, &archived)...)...)
		pt.fill(&it.Post)
		tt.fill(&it.Topic)
		it.Space.ArchivedAt = timePtr(archived)
		it.Accepted = it.Topic.AcceptedPostID == it.Post.ID
		return it, err
	})
	if err != nil || len(items) == 0 {
		return items, err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.Topic.ID
	}
	tags, err := q.topicTags(ctx, ids)
	for i := range items {
		items[i].Topic.Tags = tags[items[i].Topic.ID]
	}
	return items, err
}

// MarkActive records that a member posted where everyone may read it (the
// caller checks); kept to the hour, so that most posts read the row and
// write nothing.
func (q *Queries) MarkActive(ctx context.Context, userID int64, now time.Time) error {
	_, err := q.db.ExecContext(ctx, `UPDATE users SET active_at = $1 WHERE id = $2 AND (active_at IS NULL OR active_at < $3)`, now, userID, now.Add(-time.Hour))
	return classify("mark active", err)
}

// RecountActive sets every member's last activity from their posts a
// guest may read, after a bulk load.
func (q *Queries) RecountActive(ctx context.Context) error {
	var b builder
	b.add(`UPDATE users SET active_at = m.at FROM (SELECT p.author_id, MAX(p.created_at) AS at FROM posts p
		JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id WHERE `, b.visibleContent(policy.Scope{}), ` AND p.deleted_at IS NULL GROUP BY p.author_id) m
		WHERE m.author_id = users.id`)
	_, err := q.db.ExecContext(ctx, b.String(), b.args...)
	return classify("recount active", err)
}

// MemberFilter narrows and orders the member directory.
type MemberFilter struct {
	// Query matches the start of a username or any part of a display name.
	Query     string
	Expertise string // a tag the member declared as expertise
	Interest  string // a tag the member declared as an interest
	Location  string // part of their location
	SpaceID   int64  // members of this space (the caller checked it may be listed)
	Role      model.Role
	Since     time.Time // joined after
	Sort      string    // "reputation" (default), "activity", "name", "new"
	Offset    int
	Limit     int
}

// Directory lists the members a directory shows: active accounts and the
// authors an import brought in, as viewer sees them. A filter on a profile
// field only matches members who show that field to viewer (the rule of
// model.Profile.Seen, in SQL: fieldShown).
func (q *Queries) Directory(ctx context.Context, viewer int64, staff bool, f MemberFilter) ([]model.User, error) {
	var b builder
	b.add(`SELECT `, userCols, ` FROM users u WHERE u.role <> 'system' AND u.status IN ('active', 'placeholder'`)
	if staff {
		b.add(`, 'suspended'`)
	}
	b.add(`)`)
	if f.Query != "" {
		k := likeEscape(Key(f.Query))
		b.add(` AND (u.username_key LIKE `, b.arg(k+"%"), ` ESCAPE '\' OR `, q.lower("u.display_name"), ` LIKE `, b.arg("%"+k+"%"), ` ESCAPE '\')`)
	}
	for _, t := range []struct{ kind, field, name string }{{TagExpertise, "expertise", f.Expertise}, {TagInterest, "interests", f.Interest}} {
		if t.name != "" {
			b.add(` AND EXISTS (SELECT 1 FROM user_tags ut JOIN tags g ON g.id = ut.tag_id WHERE ut.user_id = u.id AND ut.kind = `, b.arg(t.kind),
				` AND g.name = `, b.arg(t.name), `) AND `, b.fieldShown(t.field, viewer))
		}
	}
	if f.Location != "" {
		b.add(` AND `, q.lower("u.location"), ` LIKE `, b.arg("%"+likeEscape(strings.ToLower(f.Location))+"%"), ` ESCAPE '\' AND `, b.fieldShown("location", viewer))
	}
	if f.SpaceID != 0 {
		b.add(` AND EXISTS (SELECT 1 FROM space_members m WHERE m.space_id = `, b.arg(f.SpaceID), ` AND m.user_id = u.id)`)
	}
	if f.Role != "" {
		b.add(` AND u.role = `, b.arg(f.Role))
	}
	if !f.Since.IsZero() {
		b.add(` AND u.created_at >= `, b.arg(f.Since))
	}
	switch f.Sort {
	case "activity":
		b.add(` ORDER BY u.active_at DESC NULLS LAST, u.id DESC`)
	case "name":
		b.add(` ORDER BY u.username_key, u.id`)
	case "new":
		b.add(` ORDER BY u.created_at DESC, u.id DESC`)
	default:
		b.add(` ORDER BY u.reputation DESC, u.id`)
	}
	b.add(` LIMIT `, b.arg(f.Limit), ` OFFSET `, b.arg(f.Offset))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "directory", scanUser)
}

// lower folds the case of a text expression the same way on both engines
// (see db.UnicodeLower).
func (q *Queries) lower(expr string) string {
	if q.dialect == db.Postgres {
		return "LOWER(" + expr + ")"
	}
	return db.UnicodeLower + "(" + expr + ")"
}

// fieldShown is the condition under which a profile field of the member of
// alias u is shown to viewer (0: a guest): the rule of model.Profile.Seen.
// field_visibility holds "field=members;other=me"; a field not named is for
// everyone.
func (b *builder) fieldShown(field string, viewer int64) string {
	named := "(';' || u.field_visibility || ';')"
	if viewer == 0 {
		return named + " NOT LIKE " + b.arg("%;"+field+"=%")
	}
	return "(" + named + " NOT LIKE " + b.arg("%;"+field+"=me;%") + " OR u.id = " + b.arg(viewer) + ")"
}

// likeEscape escapes LIKE's wildcards for a pattern with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
