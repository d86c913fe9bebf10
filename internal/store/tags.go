package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"practica/internal/model"
	"practica/internal/policy"
)

// SetTopicTags replaces a topic's tags, creating tags that do not exist yet.
func (q *Queries) SetTopicTags(ctx context.Context, topicID int64, names []string, now time.Time) error {
	old, err := q.TopicTagIDs(ctx, topicID)
	if err != nil {
		return err
	}
	if len(old) > 0 {
		if _, err := q.db.ExecContext(ctx, `DELETE FROM topic_tags WHERE topic_id = $1`, topicID); err != nil {
			return classify("clear tags", err)
		}
	}
	return q.tagTopic(ctx, topicID, old, names, now)
}

// tagTopic gives a topic that has no tags (any more) the named tags, and
// counts the change from old. An existing tag takes one statement: a new
// topic's tags are usually known ones, and on PostgreSQL inserting a tag
// that exists (ON CONFLICT DO NOTHING) waits for any transaction that holds
// its row, as a topic being counted under the tag does.
func (q *Queries) tagTopic(ctx context.Context, topicID int64, old []int64, names []string, now time.Time) error {
	tagged := make([]int64, 0, len(names))
	for _, name := range names {
		id, err := q.addTopicTag(ctx, topicID, name)
		if errors.Is(err, ErrNotFound) {
			if _, err := q.db.ExecContext(ctx, `INSERT INTO tags (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, now); err != nil {
				return classify("create tag", err)
			}
			id, err = q.addTopicTag(ctx, topicID, name)
		}
		switch {
		case err == nil:
			tagged = append(tagged, id)
		case !errors.Is(err, ErrNotFound): // not found: named twice
			return err
		}
	}
	slices.Sort(tagged)
	if !sameIDs(old, tagged) {
		if err := q.syncSearchTags(ctx, topicID); err != nil {
			return err
		}
	}
	q.countTagChanges(topicID, old, tagged)
	return nil
}

// addTopicTag tags a topic with an existing tag and returns the tag's id;
// ErrNotFound when there is no such tag or the topic has it already.
func (q *Queries) addTopicTag(ctx context.Context, topicID int64, name string) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, `INSERT INTO topic_tags (topic_id, tag_id) SELECT $1, id FROM tags WHERE name = $2 ON CONFLICT DO NOTHING RETURNING tag_id`, topicID, name).Scan(&id)
	return id, classify("tag topic", err)
}

// countTagChanges moves the topic's count from the tags it lost to the tags
// it gained, in its space, if it counts (live and published). Recounting
// instead cost a COUNT over every topic of each tag on every new topic: 40 %
// of creating one, and growing with the community. The adjustments run at
// the end of the transaction (late.go), each tag's row locked first, in id
// order, as recountTags does, so on PostgreSQL a recount and an adjustment
// of one tag run one after the other.
func (q *Queries) countTagChanges(topicID int64, old, tagged []int64) {
	delta := map[int64]int64{}
	for _, id := range old {
		delta[id]--
	}
	for _, id := range tagged {
		delta[id]++
	}
	for id, d := range delta {
		if d == 0 {
			continue
		}
		// atEnd keeps one tag's statements in this order.
		q.atEnd("tags", id, `UPDATE tags SET name = name WHERE id = $1`, id)
		q.atEnd("tags", id, `INSERT INTO tag_counts (tag_id, space_id, topic_count)
			SELECT $1, t.space_id, $3 FROM topics t WHERE t.id = $2 AND t.deleted_at IS NULL AND t.state = 'published'
			ON CONFLICT (tag_id, space_id) DO UPDATE SET topic_count = tag_counts.topic_count + excluded.topic_count`, id, topicID, d)
		if d < 0 { // only a removal can leave a row at zero
			q.atEnd("tags", id, `DELETE FROM tag_counts WHERE tag_id = $1 AND topic_count <= 0`, id)
		}
	}
}

// TopicTagIDs returns the ids of a topic's tags, in id order (a post's
// search row holds them: see IndexDoc).
func (q *Queries) TopicTagIDs(ctx context.Context, topicID int64) ([]int64, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT tag_id FROM topic_tags WHERE topic_id = $1 ORDER BY tag_id`, topicID)
	return collect(rows, err, "topic tag ids", func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// recountTopicTags recounts the tags of a topic that was just deleted,
// restored or moved.
func (q *Queries) recountTopicTags(ctx context.Context, topicID int64) error {
	ids, err := q.TopicTagIDs(ctx, topicID)
	if err != nil {
		return err
	}
	return q.recountTags(ctx, ids)
}

// recountTags sets each tag's tag_counts rows from the live topics that
// carry it. Each tag row is locked first, in id order, so that on
// PostgreSQL concurrent recounts of a tag run one after the other and see
// each other's topics (see recount).
func (q *Queries) recountTags(ctx context.Context, ids []int64) error {
	if err := q.runLate(ctx); err != nil {
		return err
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		for _, stmt := range []string{
			`UPDATE tags SET name = name WHERE id = $1`,
			`DELETE FROM tag_counts WHERE tag_id = $1`,
			`INSERT INTO tag_counts (tag_id, space_id, topic_count)
				SELECT tt.tag_id, t.space_id, COUNT(*) FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
				WHERE tt.tag_id = $1 AND t.deleted_at IS NULL AND t.state = 'published' GROUP BY tt.tag_id, t.space_id`,
		} {
			if _, err := q.db.ExecContext(ctx, stmt, id); err != nil {
				return classify("recount tag", err)
			}
		}
	}
	return nil
}

// RecountAllTags rebuilds tag_counts whole, after a bulk load.
func (q *Queries) RecountAllTags(ctx context.Context) error {
	for _, stmt := range []string{
		`DELETE FROM tag_counts`,
		`INSERT INTO tag_counts (tag_id, space_id, topic_count)
			SELECT tt.tag_id, t.space_id, COUNT(*) FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
			WHERE t.deleted_at IS NULL AND t.state = 'published' GROUP BY tt.tag_id, t.space_id`,
	} {
		if _, err := q.db.ExecContext(ctx, stmt); err != nil {
			return classify("recount all tags", err)
		}
	}
	return nil
}

// topicTags returns the tag names of each topic, in name order.
// fillTags sets the tags of each item's topic (topic picks it out), with one
// query for the whole list.
func fillTags[T any](ctx context.Context, q *Queries, items []T, topic func(*T) *model.Topic) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	for i := range items {
		ids[i] = topic(&items[i]).ID
	}
	tags, err := q.topicTags(ctx, ids)
	for i := range items {
		t := topic(&items[i])
		t.Tags = tags[t.ID]
	}
	return err
}

func (q *Queries) topicTags(ctx context.Context, ids []int64) (map[int64][]string, error) {
	var b builder
	b.add(`SELECT tt.topic_id, g.name FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.topic_id IN (`, b.ids(ids), `) ORDER BY g.name`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	if err != nil {
		return nil, classify("topic tags", err)
	}
	defer rows.Close()
	out := make(map[int64][]string, len(ids))
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, classify("topic tags", err)
		}
		out[id] = append(out[id], name)
	}
	return out, classify("topic tags", rows.Err())
}

// Tag returns a tag by name.
func (q *Queries) Tag(ctx context.Context, name string) (model.Tag, error) {
	var t model.Tag
	err := q.db.QueryRowContext(ctx, `SELECT id, name, description FROM tags WHERE name = $1`, name).Scan(&t.ID, &t.Name, &t.Description)
	return t, classify("tag", err)
}

// TagSpaceCount is one row of tag_counts with its tag: how many live topics
// of one space carry the tag.
type TagSpaceCount struct {
	Tag     model.Tag
	SpaceID int64
	Count   int64
}

// TagSpaceCounts returns every tag's count per space, for popular tags
// summed in memory (see content's tag counts).
func (q *Queries) TagSpaceCounts(ctx context.Context) ([]TagSpaceCount, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT g.id, g.name, g.description, c.space_id, c.topic_count FROM tag_counts c JOIN tags g ON g.id = c.tag_id WHERE c.topic_count > 0`)
	return collect(rows, err, "tag space counts", func(r scanner) (TagSpaceCount, error) {
		var c TagSpaceCount
		return c, r.Scan(&c.Tag.ID, &c.Tag.Name, &c.Tag.Description, &c.SpaceID, &c.Count)
	})
}

// ResolveTags maps each name that is a synonym to the tag it leads to; other
// names pass through. The result keeps the input order and may hold
// duplicates, which callers remove.
func (q *Queries) ResolveTags(ctx context.Context, names []string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		err := q.db.QueryRowContext(ctx, `SELECT g.name FROM tag_synonyms s JOIN tags g ON g.id = s.tag_id WHERE s.name = $1`, n).Scan(&out[i])
		if err := classify("resolve tag", err); errors.Is(err, ErrNotFound) {
			out[i] = n
		} else if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SettleTags resolves synonyms to their tags, sorts and de-duplicates the
// result, and returns it with the names among it that are not tags yet.
func (q *Queries) SettleTags(ctx context.Context, names []string) (resolved, missing []string, err error) {
	if len(names) == 0 {
		return names, nil, nil
	}
	if resolved, err = q.ResolveTags(ctx, names); err != nil {
		return nil, nil, err
	}
	slices.Sort(resolved)
	resolved = slices.Compact(resolved)
	missing, err = q.MissingTags(ctx, resolved)
	return resolved, missing, err
}

// MissingTags returns the names that are not tags yet.
func (q *Queries) MissingTags(ctx context.Context, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		var one int
		err := classify("tag exists", q.db.QueryRowContext(ctx, `SELECT 1 FROM tags WHERE name = $1`, n).Scan(&one))
		switch {
		case errors.Is(err, ErrNotFound):
			out = append(out, n)
		case err != nil:
			return nil, err
		}
	}
	return out, nil
}

// SetTagDescription saves a tag's description.
func (q *Queries) SetTagDescription(ctx context.Context, id int64, description string) error {
	return q.exec(ctx, "describe tag", `UPDATE tags SET description = $1 WHERE id = $2`, description, id)
}

// AddSynonym makes name lead to the tag.
func (q *Queries) AddSynonym(ctx context.Context, name string, tagID, by int64, now time.Time) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO tag_synonyms (name, tag_id, created_by, created_at) VALUES ($1, $2, $3, $4)`, name, tagID, nullInt(by), now)
	return classify("add synonym", err)
}

// TagSynonyms lists the names that lead to a tag.
func (q *Queries) TagSynonyms(ctx context.Context, tagID int64) ([]string, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT name FROM tag_synonyms WHERE tag_id = $1 ORDER BY name`, tagID)
	return collect(rows, err, "tag synonyms", func(r scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}

// MergeTag moves every topic, follower and synonym of tag from onto tag into,
// removes from, and keeps its name as a synonym of into.
func (q *Queries) MergeTag(ctx context.Context, from model.Tag, into int64, by int64, now time.Time) error {
	rows, err := q.db.QueryContext(ctx, `SELECT topic_id FROM topic_tags WHERE tag_id = $1`, from.ID)
	moved, err := collect(rows, err, "merged topics", func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return err
	}
	for _, stmt := range []string{
		`INSERT INTO topic_tags (topic_id, tag_id) SELECT topic_id, $2 FROM topic_tags WHERE tag_id = $1 ON CONFLICT DO NOTHING`,
		`INSERT INTO tag_follows (user_id, tag_id, created_at) SELECT user_id, $2, created_at FROM tag_follows WHERE tag_id = $1 ON CONFLICT DO NOTHING`,
		`INSERT INTO user_tags (user_id, kind, tag_id) SELECT user_id, kind, $2 FROM user_tags WHERE tag_id = $1 ON CONFLICT DO NOTHING`,
		`UPDATE tag_synonyms SET tag_id = $2 WHERE tag_id = $1`,
	} {
		if _, err := q.db.ExecContext(ctx, stmt, from.ID, into); err != nil {
			return classify("merge tag", err)
		}
	}
	if err := q.exec(ctx, "delete merged tag", `DELETE FROM tags WHERE id = $1`, from.ID); err != nil {
		return err
	}
	if err := q.recountTags(ctx, []int64{into}); err != nil {
		return err
	}
	if err := q.AddSynonym(ctx, from.Name, into, by, now); err != nil {
		return err
	}
	if err := q.syncSearchTags(ctx, moved...); err != nil {
		return err
	}
	return q.reindexTagged(ctx, into)
}

// reindexTagged rewrites the search rows of the opening posts of every topic
// with the tag, whose indexed tag names just changed.
func (q *Queries) reindexTagged(ctx context.Context, tagID int64) error {
	rows, err := q.db.QueryContext(ctx, `SELECT p.id FROM posts p JOIN topic_tags tt ON tt.topic_id = p.topic_id WHERE tt.tag_id = $1 AND p.kind = 'opening'`, tagID)
	ids, err := collect(rows, err, "tagged posts", func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := q.IndexPost(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// SetTagFollow starts or stops a user following a tag.
func (q *Queries) SetTagFollow(ctx context.Context, userID, tagID int64, follow bool, now time.Time) error {
	var err error
	if follow {
		_, err = q.db.ExecContext(ctx, `INSERT INTO tag_follows (user_id, tag_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, userID, tagID, now)
	} else {
		_, err = q.db.ExecContext(ctx, `DELETE FROM tag_follows WHERE user_id = $1 AND tag_id = $2`, userID, tagID)
	}
	return classify("follow tag", err)
}

// TagFollowing reports whether a user follows a tag, and how many do.
func (q *Queries) TagFollowing(ctx context.Context, userID, tagID int64) (bool, int64, error) {
	var mine, all int64
	err := q.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN user_id = $1 THEN 1 ELSE 0 END), 0), COUNT(*) FROM tag_follows WHERE tag_id = $2`, userID, tagID).Scan(&mine, &all)
	return mine > 0, all, classify("tag following", err)
}

// FollowedTags lists the tags a user follows, by name.
func (q *Queries) FollowedTags(ctx context.Context, userID int64) ([]string, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT g.name FROM tag_follows f JOIN tags g ON g.id = f.tag_id WHERE f.user_id = $1 ORDER BY g.name`, userID)
	return collect(rows, err, "followed tags", func(r scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}

// Contributor is a member with the score of their answers in some area.
type Contributor struct {
	User    model.UserRef
	Score   int64
	Answers int64
}

// TopAnswerers lists who wrote the best-scored answers to questions with the
// tag, counting only what the scope may read.
func (q *Queries) TopAnswerers(ctx context.Context, sc policy.Scope, tagID int64, limit int) ([]Contributor, error) {
	var b builder
	b.add(`SELECT u.id, u.username, u.display_name, u.role, u.avatar, SUM(p.score), COUNT(*) FROM posts p JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id
		JOIN topic_tags tt ON tt.topic_id = t.id JOIN users u ON u.id = p.author_id
		WHERE tt.tag_id = `, b.arg(tagID), ` AND p.kind = 'answer' AND p.deleted_at IS NULL AND t.deleted_at IS NULL AND t.state = 'published' AND `, b.visibleContent(sc), `
		GROUP BY u.id, u.username, u.display_name, u.role, u.avatar HAVING SUM(p.score) > 0 ORDER BY SUM(p.score) DESC, COUNT(*) DESC, u.id LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "top answerers", func(r scanner) (Contributor, error) {
		var c Contributor
		u := &c.User
		return c, r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Avatar, &c.Score, &c.Answers)
	})
}

// TagTopicCount counts the topics with the tag that the scope may read.
func (q *Queries) TagTopicCount(ctx context.Context, sc policy.Scope, tagID int64) (int64, error) {
	var b builder
	b.add(`SELECT COALESCE(SUM(c.topic_count), 0) FROM tag_counts c JOIN spaces s ON s.id = c.space_id
		WHERE c.tag_id = `, b.arg(tagID), ` AND `, b.visibleContent(sc))
	var n int64
	err := q.db.QueryRowContext(ctx, b.String(), b.args...).Scan(&n)
	return n, classify("tag topic count", err)
}

// EnsureTag creates a tag if it does not exist and returns its id.
func (q *Queries) EnsureTag(ctx context.Context, name string, now time.Time) (int64, error) {
	if _, err := q.db.ExecContext(ctx, `INSERT INTO tags (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, now); err != nil {
		return 0, classify("ensure tag", err)
	}
	var id int64
	err := q.db.QueryRowContext(ctx, `SELECT id FROM tags WHERE name = $1`, name).Scan(&id)
	return id, classify("ensure tag", err)
}
