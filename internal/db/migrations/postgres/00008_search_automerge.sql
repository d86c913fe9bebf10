-- +goose Up
-- The sqlite twin of this migration tunes how often FTS5 merges its
-- segments. PostgreSQL's GIN index has no such setting to change here; the
-- file keeps both folders at the same versions.
SELECT 1;

-- +goose Down
SELECT 1;
