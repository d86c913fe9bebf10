-- +goose Up
-- A member's topics, most recently active first, walked in order: the
-- profile of someone who started thousands of topics reads twenty rows
-- instead of sorting them all. It also serves every author_id lookup.
CREATE INDEX topics_author_latest ON topics(author_id, last_post_at DESC, id DESC);
DROP INDEX topics_author;

-- +goose Down
CREATE INDEX topics_author ON topics(author_id);
DROP INDEX topics_author_latest;
