-- The outbox claims a message by clearing its next_attempt_at, in one statement; a queued message without one
-- was in flight when the relay stopped. What the outbox needs to know then is whether an attempt was cut short,
-- so the mark is set on recovery at start, not on every claim.
ALTER TABLE messages RENAME COLUMN in_flight_since TO interrupted_at;
