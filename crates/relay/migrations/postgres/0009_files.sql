-- PostgreSQL: the same schema as SQLite's.
-- File bytes leave the database for the file store (SIDECHAT_FILES_DIR or SIDECHAT_FILES_URL); `data` stays empty.
-- `stored` says where a file's bytes are: NULL in `data` (a file an earlier release stored; moved out in the
-- background at start), 'files' in the file store, 'pending' an inbound file still to fetch from WhatsApp
-- (`media_ref` names it, `fetch_after` says when; one WhatsApp will not give leaves its message, which says so).
ALTER TABLE attachments ADD COLUMN stored TEXT;
ALTER TABLE attachments ADD COLUMN media_ref TEXT;
ALTER TABLE attachments ADD COLUMN fetch_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE attachments ADD COLUMN fetch_after BIGINT;
CREATE INDEX attachments_to_fetch ON attachments (fetch_after) WHERE stored = 'pending';
CREATE INDEX attachments_by_age ON attachments (created_at);

-- Files whose rows were deleted (queued in the deleting transaction), to delete from the file store.
CREATE TABLE file_deletions (
    key TEXT PRIMARY KEY,
    queued_at BIGINT NOT NULL
);
