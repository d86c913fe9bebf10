-- +goose Up
-- A vote, an accept or an undo sums one source's ledger rows per user
-- (store.LedgerSums). With delta in the index the sum reads the index alone:
-- a vote flipped many times has many rows, each of which was a table lookup.
DROP INDEX reputation_events_source;
CREATE INDEX reputation_events_source ON reputation_events(source, user_id, delta);

-- +goose Down
DROP INDEX reputation_events_source;
CREATE INDEX reputation_events_source ON reputation_events(source, user_id);
