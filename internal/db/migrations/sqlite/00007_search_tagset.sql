-- +goose Up
-- Every post's search row holds its topic's tag set, so that a tag filter is
-- part of the FTS5 match (the word's and the tag's lists walked together)
-- rather than a topic_tags lookup per match. tagset holds one token per tag
-- id: a private-use character (U+E000), "g", the id. tagged holds one token,
-- U+E000 "all", in every row whose tag set was written: FTS5 keeps each
-- column's token total, so the index has every tag set exactly when that
-- total equals the number of rows (a bulk writer that fills only title, tags
-- and body leaves it short, and tag filters then check topic_tags instead).
-- bm25 weighs both columns at zero. store.SearchTagSet writes the same text,
-- and store.syncSearchTags rewrites a topic's rows when its tags change.
-- FTS5 cannot add a column, so the index is built again from the old one's
-- stored text (about 20 s on dataset M, once). The postgres twin of this
-- migration is empty: PostgreSQL filters tags by joining topic_tags.
CREATE VIRTUAL TABLE search_fts_next USING fts5(title, tags, body, tagset, tagged, tokenize = 'porter unicode61');
INSERT INTO search_fts_next (search_fts_next, rank) VALUES ('hashsize', 67108864);
INSERT INTO search_fts_next (rowid, title, tags, body, tagset, tagged)
SELECT f.rowid, f.title, f.tags, f.body,
       COALESCE((SELECT group_concat(char(57344) || 'g' || tt.tag_id, ' ') FROM posts p JOIN topic_tags tt ON tt.topic_id = p.topic_id WHERE p.id = f.rowid), ''),
       char(57344) || 'all'
FROM search_fts f ORDER BY f.rowid;
INSERT INTO search_fts_next (search_fts_next) VALUES ('optimize');
INSERT INTO search_fts_next (search_fts_next, rank) VALUES ('hashsize', 1048576);
DROP TABLE search_fts;
ALTER TABLE search_fts_next RENAME TO search_fts;

-- +goose Down
CREATE VIRTUAL TABLE search_fts_prev USING fts5(title, tags, body, tokenize = 'porter unicode61');
INSERT INTO search_fts_prev (rowid, title, tags, body) SELECT rowid, title, tags, body FROM search_fts ORDER BY rowid;
DROP TABLE search_fts;
ALTER TABLE search_fts_prev RENAME TO search_fts;
