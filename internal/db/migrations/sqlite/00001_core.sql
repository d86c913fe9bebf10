-- +goose Up
-- The core schema: accounts, spaces, and one typed content model (topics of any
-- kind with posts under them). Kind-specific data (events, resources, jobs)
-- lives in side tables added by later migrations.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    username          TEXT NOT NULL,
    username_key      TEXT NOT NULL UNIQUE,
    email             TEXT,
    email_key         TEXT UNIQUE,
    email_verified_at TIMESTAMP,
    password_hash     TEXT NOT NULL DEFAULT '',
    display_name      TEXT NOT NULL DEFAULT '',
    bio               TEXT NOT NULL DEFAULT '',
    role              TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin','moderator','member','system')),
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended','deleted','placeholder')),
    reputation        INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    scope        TEXT NOT NULL CHECK (scope IN ('read','write')),
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- One-time tokens sent by email: verification and password reset.
CREATE TABLE user_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify_email','reset_password')),
    token_hash TEXT NOT NULL UNIQUE,
    email      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX user_tokens_user ON user_tokens(user_id, purpose);

-- Every outgoing email is written here first; a sender delivers it (or, with no
-- SMTP configured, it stays here for an admin to read).
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addr    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body_text  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);

CREATE TABLE spaces (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL,
    slug_key    TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    focus       TEXT NOT NULL DEFAULT '',
    rules       TEXT NOT NULL DEFAULT '',
    visibility  TEXT NOT NULL CHECK (visibility IN ('public','private','secret')),
    color       TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    topic_count INTEGER NOT NULL DEFAULT 0,
    member_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE space_members (
    space_id   INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('leader','member')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (space_id, user_id)
);
CREATE INDEX space_members_user ON space_members(user_id);

CREATE TABLE join_requests (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id   INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    message    TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL CHECK (status IN ('pending','approved','declined')),
    created_at TIMESTAMP NOT NULL,
    decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_at TIMESTAMP
);
CREATE UNIQUE INDEX join_requests_pending ON join_requests(space_id, user_id) WHERE status = 'pending';

CREATE TABLE space_invites (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id   INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    max_uses   INTEGER NOT NULL,
    uses       INTEGER NOT NULL DEFAULT 0,
    revoked_at TIMESTAMP
);
CREATE INDEX space_invites_space ON space_invites(space_id);

-- A topic is any piece of content with a kind; its opening post holds the body.
CREATE TABLE topics (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id     INTEGER NOT NULL REFERENCES spaces(id),
    kind         TEXT NOT NULL CHECK (kind IN ('discussion','question','article','event','resource','job')),
    author_id    INTEGER NOT NULL REFERENCES users(id),
    title        TEXT NOT NULL,
    slug         TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'published' CHECK (state IN ('published','pending')),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    last_post_at TIMESTAMP NOT NULL,
    last_poster_id INTEGER REFERENCES users(id),
    reply_count  INTEGER NOT NULL DEFAULT 0,
    view_count   INTEGER NOT NULL DEFAULT 0,
    score        INTEGER NOT NULL DEFAULT 0,
    accepted_post_id INTEGER,
    pinned_at    TIMESTAMP,
    locked_at    TIMESTAMP,
    deleted_at   TIMESTAMP,
    deleted_by   INTEGER REFERENCES users(id)
);
CREATE INDEX topics_latest ON topics(last_post_at DESC, id DESC);
CREATE INDEX topics_space_latest ON topics(space_id, last_post_at DESC, id DESC);
CREATE INDEX topics_author ON topics(author_id);

CREATE TABLE posts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id   INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL CHECK (kind IN ('opening','reply','answer','comment')),
    parent_id  INTEGER REFERENCES posts(id),
    body       TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    revision   INTEGER NOT NULL DEFAULT 1,
    score      INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    edited_at  TIMESTAMP,
    deleted_at TIMESTAMP,
    deleted_by INTEGER REFERENCES users(id)
);
CREATE INDEX posts_topic ON posts(topic_id, id);
CREATE INDEX posts_author ON posts(author_id);

-- Every version of a post, including the first; the opening post's revisions
-- also carry the topic title and tags at that time.
CREATE TABLE post_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    editor_id  INTEGER NOT NULL REFERENCES users(id),
    title      TEXT NOT NULL DEFAULT '',
    tags       TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    UNIQUE (post_id, number)
);

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE topic_tags (
    topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (topic_id, tag_id)
);
CREATE INDEX topic_tags_tag ON topic_tags(tag_id, topic_id);

-- +goose Down
DROP TABLE topic_tags;
DROP TABLE tags;
DROP TABLE post_revisions;
DROP TABLE posts;
DROP TABLE topics;
DROP TABLE space_invites;
DROP TABLE join_requests;
DROP TABLE space_members;
DROP TABLE spaces;
DROP TABLE outbox;
DROP TABLE user_tokens;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE settings;
