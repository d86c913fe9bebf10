-- +goose Up
-- What members hear about in the app: one row per event and recipient,
-- written by the transaction that made the change (so a rolled-back change
-- notifies nobody). What a row points at is checked again whenever it is
-- read: a post that was deleted or moved out of the recipient's sight since
-- is not shown. read_at is set when the recipient has seen it.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('reply','answer','comment','mention','accepted','invited','badge')),
    actor_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    topic_id   INTEGER REFERENCES topics(id) ON DELETE CASCADE,
    post_id    INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    badge      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notifications;
