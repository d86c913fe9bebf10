-- +goose Up
-- How many live topics of each space carry each tag. Popular tags and tag
-- pages add up the rows of the spaces a viewer may read, instead of counting
-- every tagged topic on every page view. Kept by recounting a tag's rows
-- whenever a topic gains or loses it, is deleted, restored or moved.
CREATE TABLE tag_counts (
    tag_id      BIGINT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    space_id    BIGINT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    topic_count BIGINT NOT NULL,
    PRIMARY KEY (tag_id, space_id)
);
CREATE INDEX tag_counts_space ON tag_counts(space_id);

INSERT INTO tag_counts (tag_id, space_id, topic_count)
SELECT tt.tag_id, t.space_id, COUNT(*) FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
WHERE t.deleted_at IS NULL AND t.state = 'published'
GROUP BY tt.tag_id, t.space_id;

-- A question's answers by score, from the index alone: a deep page of a
-- question with a thousand answers sorts these small entries, not the rows,
-- and a tag's top answerers are summed without reading any post's body.
CREATE INDEX posts_topic_score ON posts(topic_id, kind, score, id, deleted_at, author_id);

-- +goose Down
DROP INDEX posts_topic_score;
DROP TABLE tag_counts;
