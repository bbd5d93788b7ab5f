-- Customer-portal links and the sessions they open (store.PortalSession).
-- Only the SHA-256 of the link's token and of the session's cookie are
-- kept. branding is JSON text ({"title", "color"}). Times are microseconds
-- since the Unix epoch. A new table: nothing of an earlier release changes.
CREATE TABLE hookrelay_portal_sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   BLOB NOT NULL UNIQUE,
    tenant_id    TEXT NOT NULL,
    branding     TEXT NOT NULL DEFAULT '{}',
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    used_at      INTEGER,
    session_hash BLOB UNIQUE
);

CREATE INDEX idx_hookrelay_portal_sessions_expires ON hookrelay_portal_sessions (expires_at);
