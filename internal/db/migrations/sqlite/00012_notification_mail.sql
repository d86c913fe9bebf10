-- +goose Up
-- How each member wants to hear of each kind of notification: 'email' (in
-- the app and by email), 'app' (in the app only) or 'off'. A member with no
-- row for a kind has that kind's default (model.DefaultDelivery).
CREATE TABLE notification_prefs (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('email','app','off')),
    PRIMARY KEY (user_id, kind)
);

-- A notification to be emailed waits as 'pending' until the mail job
-- gathers the member's pending ones into one message, then becomes 'sent'
-- (included) or 'skipped' (read in the app meanwhile, or no longer visible),
-- in the same transaction that writes the message to the outbox.
ALTER TABLE notifications ADD COLUMN mail_state TEXT NOT NULL DEFAULT '';
CREATE INDEX notifications_mail ON notifications(user_id, id) WHERE mail_state = 'pending';

-- The one-click unsubscribe address of a message (RFC 8058), if it has one.
ALTER TABLE outbox ADD COLUMN unsubscribe TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN unsubscribe;
DROP INDEX notifications_mail;
ALTER TABLE notifications DROP COLUMN mail_state;
DROP TABLE notification_prefs;
