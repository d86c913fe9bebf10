package store

import (
	"context"
	"time"

	"practica/internal/model"
	"practica/internal/policy"
)

// SetTopicTags replaces a topic's tags, creating tags that do not exist yet.
func (q *Queries) SetTopicTags(ctx context.Context, topicID int64, names []string, now time.Time) error {
	if _, err := q.db.ExecContext(ctx, `DELETE FROM topic_tags WHERE topic_id = $1`, topicID); err != nil {
		return classify("clear tags", err)
	}
	for _, name := range names {
		if _, err := q.db.ExecContext(ctx, `INSERT INTO tags (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, now); err != nil {
			return classify("create tag", err)
		}
		if _, err := q.db.ExecContext(ctx, `INSERT INTO topic_tags (topic_id, tag_id) SELECT $1, id FROM tags WHERE name = $2 ON CONFLICT DO NOTHING`, topicID, name); err != nil {
			return classify("tag topic", err)
		}
	}
	return nil
}

// topicTags returns the tag names of each topic, in name order.
func (q *Queries) topicTags(ctx context.Context, ids []int64) (map[int64][]string, error) {
	var b builder
	b.add(`SELECT tt.topic_id, g.name FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.topic_id IN (`)
	for i, id := range ids {
		if i > 0 {
			b.add(", ")
		}
		b.add(b.arg(id))
	}
	b.add(`) ORDER BY g.name`)
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

// PopularTags lists tags by how many topics the scope can read carry them.
func (q *Queries) PopularTags(ctx context.Context, sc policy.Scope, limit int) ([]model.Tag, error) {
	var b builder
	b.add(`SELECT g.id, g.name, g.description, COUNT(*) AS n FROM tags g JOIN topic_tags tt ON tt.tag_id = g.id JOIN topics t ON t.id = tt.topic_id JOIN spaces s ON s.id = t.space_id
		WHERE t.deleted_at IS NULL AND t.state = 'published' AND `, b.visibleContent(sc), ` GROUP BY g.id, g.name, g.description ORDER BY n DESC, g.name LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "popular tags", func(r scanner) (model.Tag, error) {
		var t model.Tag
		err := r.Scan(&t.ID, &t.Name, &t.Description, &t.TopicCount)
		return t, err
	})
}
