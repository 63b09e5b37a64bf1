-- Workspaces: every row belongs to one customer organization, and every index starts with it. What existed
-- before belongs to the operator workspace. SQLite cannot add a NOT NULL column without a default, and a default
-- would let an insert that forgets its workspace land in the operator's: the tables are rebuilt instead.

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    -- 1 for the operator workspace (the one the relay's own WhatsApp settings serve), else 0.
    is_operator BIGINT NOT NULL,
    -- 1 until an admin saves the settings: until then the first admin to connect lends their CRM's company name
    -- and time zone.
    crm_defaults BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX workspaces_one_operator ON workspaces (is_operator) WHERE is_operator = 1;
INSERT INTO workspaces (id, name, time_zone, is_operator, crm_defaults, created_at)
    VALUES ('operator', 'Sidechat', 'UTC', 1, 1, CAST(strftime('%s', 'now') AS BIGINT) * 1000);

-- The CRM accounts (a Pipedrive company, a Zoho org) admitted to the relay, each in one workspace; a workspace
-- has at most one of each CRM.
CREATE TABLE crm_accounts (
    crm TEXT NOT NULL,
    account_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    api_domain TEXT,
    admitted_at BIGINT NOT NULL,
    PRIMARY KEY (crm, account_id)
);
CREATE UNIQUE INDEX crm_accounts_by_workspace ON crm_accounts (workspace_id, crm);

-- Companies that installed before workspaces: the relay admits them at start (see the relay's admission) and
-- each user connects their own CRM account again. Their tokens (whoever authorized last, kept in the clear) are
-- not carried over: nothing may keep a secret unsealed.
CREATE TABLE legacy_installations AS SELECT crm, company_id, api_domain, installed_at FROM installations;
DROP TABLE installations;

-- Every CRM user who called the relay. The role is the CRM's, re-read at most every 15 minutes.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    crm TEXT NOT NULL,
    crm_user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    role_checked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_by_crm_id ON users (workspace_id, crm, crm_user_id);

-- Each user's own OAuth tokens for their CRM, sealed with SIDECHAT_SECRET_KEY.
CREATE TABLE crm_tokens (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    access_token TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    api_domain TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);

-- Single-use tickets that open an event stream, bound to a user and a number; only their hash is kept.
CREATE TABLE stream_tickets (
    ticket_hash TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    contact TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- When the credential that bought the ticket expires (ms; NULL: it does not): the stream ends then.
    credential_expires_at BIGINT,
    used_at BIGINT
);
CREATE INDEX stream_tickets_by_expiry ON stream_tickets (workspace_id, expires_at);

CREATE TABLE messages_new (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    id TEXT PRIMARY KEY,
    direction TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    business_phone TEXT NOT NULL,
    contact TEXT NOT NULL,
    body TEXT NOT NULL,
    template TEXT,
    status TEXT NOT NULL,
    error_code TEXT,
    error_message TEXT,
    provider_id TEXT,
    author_id TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    interrupted_at BIGINT
);
INSERT INTO messages_new (workspace_id, id, direction, sender_id, business_phone, contact, body, template, status,
        error_code, error_message, provider_id, author_id, created_at, updated_at, attempts, next_attempt_at,
        interrupted_at)
    SELECT 'operator', id, direction, sender_id, business_phone, contact, body, template, status, error_code,
        error_message, provider_id, NULL, created_at, updated_at, attempts, next_attempt_at, interrupted_at
    FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_by_contact_recent ON messages (workspace_id, contact, created_at DESC, id DESC);
CREATE INDEX messages_by_contact_sender ON messages (workspace_id, contact, sender_id, direction, created_at);
CREATE UNIQUE INDEX messages_by_provider_id ON messages (workspace_id, provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX messages_outbox ON messages (next_attempt_at) WHERE status = 'queued';

CREATE TABLE idempotency_keys_new (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    message_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, idempotency_key)
);
-- Two companies may have used one key: the first use is kept (a retry minutes later is all a key is for).
INSERT INTO idempotency_keys_new (workspace_id, idempotency_key, request_hash, message_id, created_at)
    SELECT 'operator', idempotency_key, request_hash, message_id, created_at FROM idempotency_keys WHERE TRUE
    ORDER BY created_at ON CONFLICT DO NOTHING;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_new RENAME TO idempotency_keys;

CREATE TABLE attachments_new (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO attachments_new (workspace_id, id, name, size, mime, data, created_at)
    SELECT 'operator', id, name, size, mime, data, created_at FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_new RENAME TO attachments;
CREATE INDEX attachments_by_workspace ON attachments (workspace_id, created_at);

CREATE TABLE message_attachments_new (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    message_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    attachment_id TEXT NOT NULL,
    PRIMARY KEY (message_id, position)
);
INSERT INTO message_attachments_new (workspace_id, message_id, position, attachment_id)
    SELECT 'operator', message_id, position, attachment_id FROM message_attachments;
DROP TABLE message_attachments;
ALTER TABLE message_attachments_new RENAME TO message_attachments;

CREATE TABLE canned_texts_new (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    id TEXT PRIMARY KEY,
    -- NULL for texts older than workspaces: only admins change those.
    owner_id TEXT REFERENCES users (id),
    name TEXT NOT NULL,
    module TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- The company a text older than workspaces was kept for (`pipedrive:<id>`, `zoho`), until the relay has
    -- moved it to that company's workspace at start; NULL afterwards and for new texts.
    legacy_company TEXT
);
INSERT INTO canned_texts_new (workspace_id, id, owner_id, name, module, body, created_at, updated_at, legacy_company)
    SELECT 'operator', id, NULL, name, module, body, created_at, updated_at, company FROM canned_texts;
DROP TABLE canned_texts;
ALTER TABLE canned_texts_new RENAME TO canned_texts;
CREATE INDEX canned_texts_by_workspace ON canned_texts (workspace_id, module, name);
