-- The seed schema (Ackify CE's webhooks migration) in SQLite: endpoint
-- subscriptions and the delivery queue.
--
-- Types follow the PostgreSQL schema: BIGSERIAL is INTEGER PRIMARY KEY
-- AUTOINCREMENT, BOOLEAN is INTEGER 0/1, TEXT[] and JSONB are TEXT holding
-- JSON, UUID is TEXT in canonical (lower-case) form, and TIMESTAMPTZ is
-- INTEGER microseconds since the Unix epoch (UTC), the precision of
-- PostgreSQL. The store writes every time itself; the defaults only serve rows
-- written by hand.
--
-- Left out: the GIN index on webhooks.events (SQLite has none, and the store
-- matches subscriptions in Go) and the trigger that sets next_retry_at when a
-- delivery enters processing: Claim, the only way into processing, sets it
-- with the same formula in the statement that claims.

CREATE TABLE webhooks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    target_url        TEXT NOT NULL,
    secret            TEXT NOT NULL,
    active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    events            TEXT NOT NULL DEFAULT '[]' CHECK (json_type(events) = 'array'),
    headers           TEXT CHECK (headers IS NULL OR json_type(headers) = 'object'),
    description       TEXT,
    created_by        TEXT,
    created_at        INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    updated_at        INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    last_delivered_at INTEGER,
    failure_count     INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX idx_webhooks_active ON webhooks (active);

CREATE TABLE webhook_deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id    INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_type    TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    payload       TEXT NOT NULL DEFAULT '{}',

    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'processing', 'delivered', 'failed', 'cancelled')),
    retry_count   INTEGER NOT NULL DEFAULT 0,
    max_retries   INTEGER NOT NULL DEFAULT 6,
    priority      INTEGER NOT NULL DEFAULT 0,

    created_at    INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    scheduled_for INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    processed_at  INTEGER,
    next_retry_at INTEGER,

    -- What the last attempt sent and received, truncated by the sender.
    request_headers  TEXT,
    response_status  INTEGER,
    response_headers TEXT,
    response_body    TEXT,
    last_error       TEXT
);

CREATE INDEX idx_webhook_deliveries_status_scheduled
    ON webhook_deliveries (status, scheduled_for)
    WHERE status IN ('pending', 'processing');

-- The order of Claim; id (the rowid) is the last key of every index.
CREATE INDEX idx_webhook_deliveries_priority_scheduled
    ON webhook_deliveries (priority DESC, scheduled_for ASC)
    WHERE status = 'pending';

CREATE INDEX idx_webhook_deliveries_retry
    ON webhook_deliveries (next_retry_at)
    WHERE status = 'processing' AND retry_count < max_retries;

CREATE INDEX idx_webhook_deliveries_webhook_id ON webhook_deliveries (webhook_id);

CREATE INDEX idx_webhook_deliveries_event_type ON webhook_deliveries (event_type);
