-- +goose Up
-- Full-text search. One index row per post (rowid = posts.id): the opening
-- post also carries its topic's title and tags. The store writes the row in
-- the same transaction as the content (store.IndexPost), as plain text without
-- Markdown; visibility, deletion and state are filtered when querying, by
-- joining posts, topics and spaces, so the index never decides who sees what.
-- This folder's twin (postgres) keeps a tsvector table instead; the schema
-- parity test leaves both index tables out.
CREATE VIRTUAL TABLE search_fts USING fts5(title, tags, body, tokenize = 'porter unicode61');

-- Posts written before this migration, indexed from their raw Markdown; edits
-- re-index them as plain text.
INSERT INTO search_fts (rowid, title, tags, body)
SELECT p.id,
       CASE WHEN p.kind = 'opening' THEN t.title ELSE '' END,
       CASE WHEN p.kind = 'opening' THEN COALESCE((SELECT group_concat(g.name, ' ') FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.topic_id = t.id), '') ELSE '' END,
       p.body
FROM posts p JOIN topics t ON t.id = p.topic_id;

-- Searches that found nothing, for organizers to see what people miss.
CREATE TABLE search_misses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    query      TEXT NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX search_misses_time ON search_misses(created_at);

-- +goose Down
DROP TABLE search_misses;
DROP TABLE search_fts;
