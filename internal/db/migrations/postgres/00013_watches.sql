-- +goose Up
-- What a member watches or mutes: a topic (every new post in it), a space
-- (every new topic in it) or a member they follow (every topic they start).
-- 'muted' silences a topic or a space: no replies, answers, comments or
-- new-post notices about it (mentions, accepted answers and invitations
-- still come: they are about the member themselves).
CREATE TABLE watches (
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    target     TEXT NOT NULL CHECK (target IN ('topic','space','user')),
    target_id  BIGINT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('watching','muted')),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, target, target_id)
);
CREATE INDEX watches_target ON watches(target, target_id, level);

-- Two more kinds of notification: a new post in a watched topic, a new
-- topic in a watched space or by a followed member.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('reply','answer','comment','mention','accepted','invited','badge','posted','started'));

-- +goose Down
DELETE FROM notifications WHERE kind IN ('posted','started');
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('reply','answer','comment','mention','accepted','invited','badge'));
DROP TABLE watches;
