-- +goose Up
-- A member's picture, their declared expertise and interests, and when they
-- last posted, for the member directory.
--
-- users.avatar is the version of the uploaded picture (0 or less: none,
-- the initial is drawn; a removed picture's version is kept negated); the
-- address carries it, so a picture is cached for good and a new one is a
-- new address. The picture itself, re-encoded by
-- the server, lives in avatars.
ALTER TABLE users ADD COLUMN avatar BIGINT NOT NULL DEFAULT 0;
-- active_at is when the member last posted in a public space, kept to the
-- hour.
ALTER TABLE users ADD COLUMN active_at TIMESTAMPTZ;
UPDATE users SET active_at = m.at FROM (SELECT p.author_id, MAX(p.created_at) AS at FROM posts p
    JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id WHERE s.visibility = 'public' AND p.deleted_at IS NULL GROUP BY p.author_id) m
    WHERE m.author_id = users.id;
CREATE INDEX users_reputation ON users(reputation DESC, id);
CREATE INDEX users_active ON users(active_at DESC NULLS LAST, id DESC);
CREATE INDEX users_created ON users(created_at DESC, id);

CREATE TABLE avatars (
    user_id      BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    version      BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    image        BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);

-- Tags of the community's tag set a member names as their expertise or
-- their interests.
CREATE TABLE user_tags (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('expertise','interest')),
    tag_id  BIGINT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, kind, tag_id)
);
CREATE INDEX user_tags_tag ON user_tags(tag_id, kind);

-- +goose Down
DROP TABLE user_tags;
DROP TABLE avatars;
DROP INDEX users_created;
DROP INDEX users_active;
DROP INDEX users_reputation;
ALTER TABLE users DROP COLUMN active_at;
ALTER TABLE users DROP COLUMN avatar;
