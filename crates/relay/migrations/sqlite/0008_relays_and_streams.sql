-- SQLite.
-- The relays sharing this database, each with the last time it said it was alive (every 10 s): what another
-- relay holds counts only while its relay is alive.
CREATE TABLE relays (
    id TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);
CREATE INDEX relays_by_seen_at ON relays (seen_at);

-- Open event streams, so the cap per user (SIDECHAT_MAX_STREAMS_PER_USER) holds across relays.
CREATE TABLE event_streams (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    user_id TEXT NOT NULL,
    relay_id TEXT NOT NULL,
    opened_at BIGINT NOT NULL
);
CREATE INDEX event_streams_by_user ON event_streams (workspace_id, user_id);
CREATE INDEX event_streams_by_relay ON event_streams (relay_id);

-- Each workspace's allowance of new messages and uploads (a token bucket: SIDECHAT_SEND_RATE_LIMIT a second, up to
-- as many at once), so the limit holds across the relays of one PostgreSQL database (a relay alone on SQLite
-- counts in memory).
CREATE TABLE send_buckets (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces (id),
    tokens REAL NOT NULL,
    updated_at BIGINT NOT NULL
);
