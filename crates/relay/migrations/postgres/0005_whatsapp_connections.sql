-- PostgreSQL: the same schema as SQLite's.
-- WhatsApp connections: each workspace's admins connect their own (Cloud API, TimelinesAI, or in demo mode the
-- sandbox). The operator workspace's connection from the relay's settings is a row too (from_settings = 1, its
-- secrets stay in the settings), so routing, listing and restricting treat every connection alike.
CREATE TABLE whatsapp_connections (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    -- cloud, timelines or sandbox.
    provider TEXT NOT NULL,
    label TEXT NOT NULL,
    -- 1 for the connection the relay's settings configure; its token is read from them, never stored.
    from_settings BIGINT NOT NULL,
    -- The Cloud API's business account (templates, webhook subscription).
    waba_id TEXT,
    -- The provider token, sealed with SIDECHAT_SECRET_KEY (NULL for the sandbox and the settings' connection).
    secret TEXT,
    -- The token's last four characters, to tell tokens apart without showing one.
    secret_hint TEXT,
    -- TimelinesAI: the webhook path's secret, sealed (to show the URL to admins), and its SHA-256 (to route).
    webhook_secret TEXT,
    webhook_key TEXT,
    -- A JSON array of user ids allowed to send from the numbers; NULL: every user of the workspace.
    allowed_users TEXT,
    created_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Set when an admin disconnects it: it leaves every list, its history stays.
    deleted_at BIGINT
);
CREATE INDEX whatsapp_connections_by_workspace ON whatsapp_connections (workspace_id, created_at);
CREATE UNIQUE INDEX whatsapp_connections_by_webhook_key ON whatsapp_connections (webhook_key)
    WHERE webhook_key IS NOT NULL AND deleted_at IS NULL;

-- The numbers of the connections in use. A number is in at most one connection of the whole relay: that is how
-- a Cloud API webhook finds its workspace. A disconnected connection's numbers are removed.
CREATE TABLE whatsapp_numbers (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    connection_id TEXT NOT NULL REFERENCES whatsapp_connections (id),
    -- The provider's id for the number (the Cloud API's phone_number_id, TimelinesAI's account id).
    sender_id TEXT NOT NULL,
    phone TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (connection_id, sender_id)
);
CREATE UNIQUE INDEX whatsapp_numbers_by_sender ON whatsapp_numbers (sender_id);
CREATE UNIQUE INDEX whatsapp_numbers_by_phone ON whatsapp_numbers (phone);
CREATE INDEX whatsapp_numbers_by_workspace ON whatsapp_numbers (workspace_id);

-- What admins did: connect, disconnect, restrict, erase, settings changes.
CREATE TABLE admin_log (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    user_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    -- What the action was about (a connection id, a number), and its details as JSON: never a secret.
    subject TEXT,
    details TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX admin_log_by_workspace ON admin_log (workspace_id, at DESC, id DESC);
