-- +goose Up
-- An event topic's schedule and place. Times are kept in UTC; time_zone is
-- the IANA zone the organizer set them in, which pages show them in next to
-- the reader's own. An event is online (url), in person (location) or both.
-- A topic with no row here is an event without a schedule (one started
-- before events had one) and is listed nowhere by date.
CREATE TABLE events (
    topic_id  INTEGER PRIMARY KEY REFERENCES topics(id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    ends_at   TIMESTAMP NOT NULL,
    time_zone TEXT NOT NULL,
    location  TEXT NOT NULL DEFAULT '',
    url       TEXT NOT NULL DEFAULT '',
    CHECK (ends_at >= starts_at)
);
-- Upcoming lists walk events by end (what has not ended yet) and past ones
-- by start, newest first.
CREATE INDEX events_ends ON events(ends_at, topic_id);
CREATE INDEX events_starts ON events(starts_at, topic_id);

-- +goose Down
DROP TABLE events;
