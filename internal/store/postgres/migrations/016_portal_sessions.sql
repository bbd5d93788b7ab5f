-- Customer-portal links and the sessions they open (store.PortalSession).
-- Only the SHA-256 of the link's token and of the session's cookie are
-- kept. branding is JSON text ({"title", "color"}). A new table: nothing
-- of an earlier release changes.
CREATE TABLE hookrelay_portal_sessions (
    id           BIGSERIAL PRIMARY KEY,
    token_hash   BYTEA NOT NULL UNIQUE,
    tenant_id    TEXT NOT NULL,
    branding     TEXT NOT NULL DEFAULT '{}',
    expires_at   TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    used_at      TIMESTAMPTZ,
    session_hash BYTEA UNIQUE
);

CREATE INDEX idx_hookrelay_portal_sessions_expires ON hookrelay_portal_sessions (expires_at);
