-- +goose Up
-- FTS5 writes each transaction's new terms as a small segment and, by
-- default, merges whenever a level holds 4 of them. On a large index those
-- merges were most of a reply's cost and all of its p99 (a reply at 1
-- connection: 500/s, p99 43 ms on dataset M). At 16 the index is merged four
-- times less often, in larger steps: 660 replies/s, p99 5 ms. A query then
-- reads more segments, at most 15 per level, a few microseconds each. The
-- postgres twin of this migration is empty.
INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 16);

-- +goose Down
INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 4);
