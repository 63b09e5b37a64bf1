-- Sign-in sessions: what a Zoho user's panel presents (`Authorization: Bearer`), and what top-level pages keep in
-- a cookie. Only the token's SHA-256 is kept. A bearer session may be renewed up to 30 days after it expired.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    -- bearer (a panel's) or cookie (a top-level page's).
    kind TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    -- Set when it was renewed or its user is no longer allowed in: it opens nothing any more.
    revoked_at BIGINT
);
CREATE INDEX sessions_by_user ON sessions (workspace_id, user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Sign-ins under way. `id` is also the hand-off a panel names when it could not receive the session from the
-- window it opened: it claims the session with a secret of which only the SHA-256 is kept. The OAuth `state` is
-- kept as its SHA-256 too.
CREATE TABLE sign_ins (
    id TEXT PRIMARY KEY,
    crm TEXT NOT NULL,
    state_hash TEXT UNIQUE,
    -- The origin the session is posted to (a panel's), or the relay path a top-level page returns to.
    origin TEXT,
    return_to TEXT,
    claim_hash TEXT,
    expires_at BIGINT NOT NULL,
    -- Set by the callback: who signed in.
    workspace_id TEXT REFERENCES workspaces (id),
    user_id TEXT REFERENCES users (id),
    completed_at BIGINT,
    claimed_at BIGINT
);
CREATE INDEX sign_ins_by_expiry ON sign_ins (expires_at);

-- Zoho refreshes its tokens at the accounts server of the user's data centre.
ALTER TABLE crm_tokens ADD COLUMN accounts_server TEXT;
