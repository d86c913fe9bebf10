-- +goose Up
-- Direct messages: conversations between two members or a small group.
-- pair_key ("smallerID:largerID") keeps one open one-to-one conversation per
-- pair; it is cleared when one of them leaves, so a new one can start.
-- last_message_id orders a member's inbox and tells what is unread.
CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           TEXT NOT NULL DEFAULT '',
    is_group        INTEGER NOT NULL DEFAULT 0 CHECK (is_group IN (0,1)),
    pair_key        TEXT UNIQUE,
    created_by      INTEGER NOT NULL REFERENCES users(id),
    created_at      TIMESTAMP NOT NULL,
    last_message_id INTEGER NOT NULL DEFAULT 0,
    last_message_at TIMESTAMP NOT NULL,
    message_count   INTEGER NOT NULL DEFAULT 0
);

-- Who is in a conversation. A member who left keeps their row (left_at):
-- what they wrote stays attributed, and the others see they left.
-- last_read_id is the newest message they have seen.
CREATE TABLE conversation_members (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at       TIMESTAMP NOT NULL,
    left_at         TIMESTAMP,
    last_read_id    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_user ON conversation_members(user_id, conversation_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    author_id       INTEGER NOT NULL REFERENCES users(id),
    body            TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);

-- A member's blocks: the blocked member cannot start a conversation with
-- them or write to them one to one, and their messages in a group are
-- folded away for the blocker.
CREATE TABLE blocks (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks(blocked_id);

-- A message a participant reported to the moderators. Staff may read a
-- conversation only while it has a report.
CREATE TABLE message_reports (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    reporter_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason          TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    resolved_at     TIMESTAMP,
    resolved_by     INTEGER REFERENCES users(id),
    UNIQUE (message_id, reporter_id)
);
CREATE INDEX message_reports_open ON message_reports(id) WHERE resolved_at IS NULL;
CREATE INDEX message_reports_conversation ON message_reports(conversation_id);

-- Whether members may start a conversation with this member: 'members' or
-- 'off'.
ALTER TABLE users ADD COLUMN messages TEXT NOT NULL DEFAULT 'members' CHECK (messages IN ('members','off'));

-- A notification of a new message points at it. SQLite cannot change a
-- CHECK constraint, so the table is rebuilt.
CREATE TABLE notifications_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('reply','answer','comment','mention','accepted','invited','badge','posted','started','message')),
    actor_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    topic_id        INTEGER REFERENCES topics(id) ON DELETE CASCADE,
    post_id         INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    badge           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    read_at         TIMESTAMP,
    mail_state      TEXT NOT NULL DEFAULT '',
    message_id      INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE
);
INSERT INTO notifications_new (id, user_id, kind, actor_id, topic_id, post_id, badge, created_at, read_at, mail_state)
    SELECT id, user_id, kind, actor_id, topic_id, post_id, badge, created_at, read_at, mail_state FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_mail ON notifications(user_id, id) WHERE mail_state = 'pending';
CREATE INDEX notifications_conversation ON notifications(conversation_id) WHERE conversation_id IS NOT NULL;

-- +goose Down
DELETE FROM notifications WHERE kind = 'message';
DROP INDEX notifications_conversation;
ALTER TABLE notifications DROP COLUMN conversation_id;
ALTER TABLE notifications DROP COLUMN message_id;
ALTER TABLE users DROP COLUMN messages;
DROP TABLE message_reports;
DROP TABLE blocks;
DROP TABLE messages;
DROP TABLE conversation_members;
DROP TABLE conversations;
