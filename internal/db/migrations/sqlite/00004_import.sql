-- +goose Up
-- Imports from other platforms (a Stack Exchange data dump first): what was
-- imported from where, so a second run changes nothing and an interrupted
-- one resumes, and so every imported post keeps a link to its original.

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL UNIQUE,
    site_url    TEXT NOT NULL,
    space_id    INTEGER NOT NULL REFERENCES spaces(id),
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);

-- One row per imported thing: kind is user, post, comment, tag or badge;
-- ext_id is its id in the source.
CREATE TABLE import_map (
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    ext_id    TEXT NOT NULL,
    local_id  INTEGER NOT NULL,
    PRIMARY KEY (import_id, kind, ext_id)
);
CREATE INDEX import_map_local ON import_map(kind, local_id);

-- Questions linked to each other: related, or one a duplicate of the other.
CREATE TABLE topic_links (
    topic_id        INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    linked_topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('related','duplicate')),
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (topic_id, linked_topic_id)
);
CREATE INDEX topic_links_linked ON topic_links(linked_topic_id);

-- An imported post keeps the score it had (its voters are not in the dump);
-- posts.score is base_score plus the sum of local votes.
ALTER TABLE posts ADD COLUMN base_score INTEGER NOT NULL DEFAULT 0;
-- Imported topics: their accepted answers earned reputation at the source.
ALTER TABLE topics ADD COLUMN import_id INTEGER;
-- The licence and source of a space's imported content, shown on its pages.
ALTER TABLE spaces ADD COLUMN attribution TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE spaces DROP COLUMN attribution;
ALTER TABLE topics DROP COLUMN import_id;
ALTER TABLE posts DROP COLUMN base_score;
DROP TABLE topic_links;
DROP TABLE import_map;
DROP TABLE imports;
