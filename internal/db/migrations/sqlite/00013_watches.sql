-- +goose Up
-- What a member watches or mutes: a topic (every new post in it), a space
-- (every new topic in it) or a member they follow (every topic they start).
-- 'muted' silences a topic or a space: no replies, answers, comments or
-- new-post notices about it (mentions, accepted answers and invitations
-- still come: they are about the member themselves).
CREATE TABLE watches (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    target     TEXT NOT NULL CHECK (target IN ('topic','space','user')),
    target_id  INTEGER NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('watching','muted')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, target, target_id)
);
CREATE INDEX watches_target ON watches(target, target_id, level);

-- Two more kinds of notification: a new post in a watched topic, a new
-- topic in a watched space or by a followed member. SQLite cannot change a
-- CHECK constraint, so the table is rebuilt.
CREATE TABLE notifications_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('reply','answer','comment','mention','accepted','invited','badge','posted','started')),
    actor_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    topic_id   INTEGER REFERENCES topics(id) ON DELETE CASCADE,
    post_id    INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    badge      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP,
    mail_state TEXT NOT NULL DEFAULT ''
);
INSERT INTO notifications_new (id, user_id, kind, actor_id, topic_id, post_id, badge, created_at, read_at, mail_state)
    SELECT id, user_id, kind, actor_id, topic_id, post_id, badge, created_at, read_at, mail_state FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_mail ON notifications(user_id, id) WHERE mail_state = 'pending';

-- +goose Down
DELETE FROM notifications WHERE kind IN ('posted','started');
DROP TABLE watches;
