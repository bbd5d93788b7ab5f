-- hookrelay's additions to the seed schema: endpoint health and secret
-- rotation, delivery leases, the event envelope and the attempt log. Types
-- are mapped as in 001_webhooks.sql.

ALTER TABLE webhooks ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN signature_profile TEXT NOT NULL DEFAULT 'standard';
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
ALTER TABLE webhooks ADD COLUMN previous_secret_expires_at INTEGER;
-- Retry budget of new deliveries; NULL uses the global setting.
ALTER TABLE webhooks ADD COLUMN max_retries INTEGER CHECK (max_retries >= 0);
ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;
ALTER TABLE webhooks ADD COLUMN disabled_at INTEGER;
-- First failed attempt since the last success.
ALTER TABLE webhooks ADD COLUMN failing_since INTEGER;

CREATE INDEX idx_webhooks_created_by ON webhooks (created_by);

-- The claim of a processing delivery: when it ends, and which worker holds it.
ALTER TABLE webhook_deliveries ADD COLUMN lease_expires_at INTEGER;
ALTER TABLE webhook_deliveries ADD COLUMN locked_by TEXT;

-- One delivery per endpoint and event: publishing is idempotent.
CREATE UNIQUE INDEX idx_webhook_deliveries_webhook_event
    ON webhook_deliveries (webhook_id, event_id);

-- Leases to rescue when a worker dies.
CREATE INDEX idx_webhook_deliveries_lease
    ON webhook_deliveries (lease_expires_at)
    WHERE status = 'processing';

-- Listings, newest first, by the usual filters.
CREATE INDEX idx_webhook_deliveries_webhook_id_id ON webhook_deliveries (webhook_id, id DESC);
CREATE INDEX idx_webhook_deliveries_status_id ON webhook_deliveries (status, id DESC);
CREATE INDEX idx_webhook_deliveries_event_id ON webhook_deliveries (event_id);
CREATE INDEX idx_webhook_deliveries_created_at ON webhook_deliveries (created_at);

-- Retention of finished deliveries.
CREATE INDEX idx_webhook_deliveries_finished
    ON webhook_deliveries (processed_at)
    WHERE status IN ('delivered', 'failed', 'cancelled');

-- Published events: the envelope every delivery of an event sends.
CREATE TABLE webhook_events (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    priority   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER))
);

CREATE INDEX idx_webhook_events_created_at ON webhook_events (created_at);

-- One row per HTTP request of a delivery.
CREATE TABLE webhook_delivery_attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id      INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt          INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    duration_ms      INTEGER NOT NULL DEFAULT 0,
    request_headers  TEXT,
    response_status  INTEGER,
    response_headers TEXT,
    response_body    TEXT,
    error            TEXT
);

CREATE INDEX idx_webhook_delivery_attempts_delivery_id
    ON webhook_delivery_attempts (delivery_id);
