-- +goose Up
-- The sqlite twin of this migration stores each post's tag set in its FTS5
-- row, for tag filters inside the match. PostgreSQL filters tags by joining
-- topic_tags (its GIN index answers the words, the planner the rest), so
-- nothing changes here; the file keeps both folders at the same versions.
SELECT 1;

-- +goose Down
SELECT 1;
