-- +goose Up
-- Posts whose search rows are out of date: written by the transaction that
-- creates or edits a post, emptied in batches after commit (see
-- store.IndexQueued). One FTS5 write per batch instead of one per post.
CREATE TABLE search_pending (
    post_id INTEGER PRIMARY KEY
);
-- FTS5 no longer merges segments inside the commits that write them: the
-- indexer merges in steps of its own (store.MergeIndex), each a short
-- transaction, so no commit waits for a merge. FTS5's automatic merging
-- gives a merge in progress work in proportion to what each commit writes;
-- when that merge holds a large segment (an imported or seeded index is one
-- segment at level 0), new segments pile up behind it until a "crisis"
-- merge finishes it inside one commit: 2.5-3 s on dataset M. Crisis merges
-- now wait for 2,000 segments (FTS5's most), a backstop only; the indexer's
-- steps merge a level once it holds 8 (usermerge).
-- The postgres twin of this migration is empty: PostgreSQL's writers index
-- in their own transactions.
INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 0);
INSERT INTO search_fts (search_fts, rank) VALUES ('crisismerge', 2000);
INSERT INTO search_fts (search_fts, rank) VALUES ('usermerge', 8);

-- +goose Down
INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 8);
INSERT INTO search_fts (search_fts, rank) VALUES ('crisismerge', 64);
INSERT INTO search_fts (search_fts, rank) VALUES ('usermerge', 4);
DROP TABLE search_pending;
