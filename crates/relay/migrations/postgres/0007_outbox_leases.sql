-- PostgreSQL: the same schema as SQLite's.
-- The outbox claims a message with a lease: next_attempt_at moves to the lease's end and lease_until says a
-- claim holds it. Its outcome clears both (or sets the next attempt's time); a lease that runs out makes the
-- message due again, and the worker that claims it next knows the earlier attempt's outcome is unknown.
ALTER TABLE messages ADD COLUMN lease_until BIGINT;
-- Set when an attempt's outcome was unknown (a timeout, a 5xx, an answer without an id): the next attempt looks
-- for it at the provider, where it can, before sending again.
ALTER TABLE messages ADD COLUMN unknown_at BIGINT;
-- Messages the previous release left claimed (next_attempt_at NULL) hold a lease that has already run out.
UPDATE messages SET next_attempt_at = 0, lease_until = 0 WHERE status = 'queued' AND next_attempt_at IS NULL;

-- Status reports for a provider message id the log does not hold yet (a webhook faster than the send's
-- recording): applied when the id is recorded, deleted after a day.
CREATE TABLE early_statuses (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    provider_id TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT,
    error_message TEXT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, provider_id, status)
);
CREATE INDEX early_statuses_by_age ON early_statuses (received_at);

-- Status polling (TimelinesAI): when each message's status was last asked for, so polls go round-robin by it.
ALTER TABLE messages ADD COLUMN polled_at BIGINT;
CREATE INDEX messages_to_poll ON messages (workspace_id, polled_at)
    WHERE direction = 'out' AND status IN ('sent', 'delivered') AND provider_id IS NOT NULL;
