-- +goose Up
-- The sqlite twin of this migration adds the queue of posts whose search
-- rows are written after commit, in batches. On PostgreSQL each write
-- transaction indexes its own posts; the file keeps both folders at the
-- same versions.
SELECT 1;

-- +goose Down
SELECT 1;
