-- +goose Up
-- FTS5 writes each transaction's new terms as a small segment. By default it
-- starts merging a level incrementally at 4 segments and merges a level in
-- one go at 16 ("crisis" merges, which stall the commit that hits them). On
-- dataset M, 20 s of new topics at 32 connections then one of replies at 1
-- (bench/perf.sh's writes, a copy of the same database each time):
--   automerge 4,  crisismerge 16: 360 topics/s, p99 213 ms; replies p99 138 ms
--   automerge 8,  crisismerge 64: 477 topics/s, p99 106 ms; replies p99 9 ms
--   automerge 16, crisismerge 64: 484 topics/s, p99 103 ms; replies p99 12 ms
--   automerge 16, crisismerge 16: crisis merges every 16 commits, p99 2.6 s
-- 8 and 64: merging starts later and runs in larger steps, and a level is
-- merged at once only if it ever reaches 64. A query reads a few more
-- segments (about 7 per level instead of 3), microseconds each. The postgres
-- twin of this migration is empty.
INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 8);
INSERT INTO search_fts (search_fts, rank) VALUES ('crisismerge', 64);

-- +goose Down
INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 4);
INSERT INTO search_fts (search_fts, rank) VALUES ('crisismerge', 16);
