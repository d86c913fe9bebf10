-- +goose Up
-- The email digest: a summary of what happened in a member's spaces and
-- tags, daily or weekly. A member with no row gets it weekly (on by default;
-- one click turns it off). last_sent_at is when the last one was written,
-- or skipped for having nothing new.
CREATE TABLE digests (
    user_id      BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    frequency    TEXT NOT NULL CHECK (frequency IN ('daily','weekly','off')),
    last_sent_at TIMESTAMPTZ
);

-- +goose Down
DROP TABLE digests;
