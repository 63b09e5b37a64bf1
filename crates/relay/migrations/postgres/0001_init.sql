-- Sidechat's schema (PostgreSQL). Times are milliseconds since the Unix epoch, UTC.

-- CRM companies that completed the install, with their API credentials (Pipedrive OAuth).
CREATE TABLE installations (
    crm TEXT NOT NULL,
    company_id TEXT NOT NULL,
    access_token TEXT,
    refresh_token TEXT,
    api_domain TEXT,
    token_expires_at BIGINT,
    installed_at BIGINT NOT NULL,
    PRIMARY KEY (crm, company_id)
);

-- The message log and, for queued outbound messages, the outbox.
CREATE TABLE messages (
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
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    in_flight_since BIGINT
);
CREATE INDEX messages_by_contact ON messages (contact, created_at);
CREATE INDEX messages_by_contact_sender ON messages (contact, sender_id, direction, created_at);
CREATE UNIQUE INDEX messages_by_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX messages_outbox ON messages (next_attempt_at) WHERE status = 'queued';

-- Send requests by idempotency key, per company: the same key never makes a second message.
CREATE TABLE idempotency_keys (
    company TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    message_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (company, idempotency_key)
);

-- Files: uploads, record files fetched for a send, and inbound media.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    company TEXT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    data BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE message_attachments (
    message_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    attachment_id TEXT NOT NULL,
    PRIMARY KEY (message_id, position)
);

-- Canned texts, kept per company.
CREATE TABLE canned_texts (
    id TEXT PRIMARY KEY,
    company TEXT NOT NULL,
    name TEXT NOT NULL,
    module TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX canned_texts_by_company ON canned_texts (company, module, name);
