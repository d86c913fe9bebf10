-- +goose Up
-- Questions and answers: votes, the reputation ledger, comments under posts,
-- and badges.

-- One vote per member per post; changing a vote updates the row.
CREATE TABLE votes (
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX votes_user ON votes(user_id);

-- Every reputation change, append-only. A source names the cause (a vote, an
-- accepted answer); the sum of a source's rows per user is its current effect,
-- so undoing a cause appends a reversal instead of rewriting history.
CREATE TABLE reputation_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    delta      INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    source     TEXT NOT NULL,
    post_id    INTEGER REFERENCES posts(id) ON DELETE SET NULL,
    actor_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reputation_events_user ON reputation_events(user_id, id);
CREATE INDEX reputation_events_source ON reputation_events(source, user_id);
CREATE INDEX reputation_events_time ON reputation_events(created_at, user_id);

-- Comments hang under a question or an answer.
CREATE INDEX posts_parent ON posts(parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX topics_created ON topics(created_at DESC, id DESC);
CREATE INDEX topics_score ON topics(score DESC, id DESC);
CREATE INDEX posts_created ON posts(created_at DESC, id DESC);

-- Badges are awarded once per user and badge, except the repeatable ones,
-- which are awarded once per user, badge and post.
CREATE TABLE user_badges (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    badge      TEXT NOT NULL,
    post_id    INTEGER NOT NULL DEFAULT 0,
    awarded_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, badge, post_id)
);
CREATE INDEX user_badges_badge ON user_badges(badge, awarded_at);

-- Tags: other names that lead to a tag, and who follows which tag.
CREATE TABLE tag_synonyms (
    name       TEXT PRIMARY KEY,
    tag_id     INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX tag_synonyms_tag ON tag_synonyms(tag_id);

CREATE TABLE tag_follows (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, tag_id)
);
CREATE INDEX tag_follows_tag ON tag_follows(tag_id);

-- Edits to others' posts by members below the edit privilege wait here for review.
CREATE TABLE suggested_edits (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    base_revision INTEGER NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    tags       TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected')),
    created_at TIMESTAMP NOT NULL,
    decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_at TIMESTAMP
);
CREATE UNIQUE INDEX suggested_edits_pending ON suggested_edits(post_id) WHERE status = 'pending';
CREATE INDEX suggested_edits_status ON suggested_edits(status, id);

-- Members asked to answer a question.
CREATE TABLE answer_invites (
    topic_id   INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (topic_id, user_id)
);

-- Closed questions take no new answers; community wiki posts are editable by
-- anyone with the wiki privilege.
ALTER TABLE topics ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE topics ADD COLUMN closed_by INTEGER;
ALTER TABLE topics ADD COLUMN close_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN wiki_at TIMESTAMP;

-- One row per member per day they visited (day = days since 1970-01-01), for
-- the streak badges; written in batches, not per request.
CREATE TABLE user_visits (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day     INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
);

-- +goose Down
DROP TABLE user_visits;
ALTER TABLE posts DROP COLUMN wiki_at;
ALTER TABLE topics DROP COLUMN close_reason;
ALTER TABLE topics DROP COLUMN closed_by;
ALTER TABLE topics DROP COLUMN closed_at;
DROP TABLE answer_invites;
DROP TABLE suggested_edits;
DROP TABLE tag_follows;
DROP TABLE tag_synonyms;
DROP TABLE user_badges;
DROP INDEX posts_created;
DROP INDEX topics_score;
DROP INDEX topics_created;
DROP INDEX posts_parent;
DROP TABLE reputation_events;
DROP TABLE votes;
