-- hookrelay's additions to the seed schema: endpoint health and secret
-- rotation, delivery leases, the event envelope and the attempt log.

ALTER TABLE webhooks
    ADD COLUMN title                      TEXT NOT NULL DEFAULT '',
    ADD COLUMN signature_profile          TEXT NOT NULL DEFAULT 'standard',
    ADD COLUMN previous_secret            TEXT,
    ADD COLUMN previous_secret_expires_at TIMESTAMPTZ,
    ADD COLUMN max_retries                INT CHECK (max_retries >= 0),
    ADD COLUMN disabled_reason            TEXT,
    ADD COLUMN disabled_at                TIMESTAMPTZ,
    ADD COLUMN failing_since              TIMESTAMPTZ;

COMMENT ON COLUMN webhooks.max_retries IS 'Retry budget of new deliveries; NULL uses the global setting';
COMMENT ON COLUMN webhooks.failing_since IS 'First failed attempt since the last success';

CREATE INDEX idx_webhooks_created_by ON webhooks (created_by);

ALTER TABLE webhook_deliveries
    ADD COLUMN lease_expires_at TIMESTAMPTZ,
    ADD COLUMN locked_by        TEXT;

COMMENT ON COLUMN webhook_deliveries.lease_expires_at IS 'End of the claim of a processing delivery';
COMMENT ON COLUMN webhook_deliveries.locked_by IS 'Worker holding the claim of a processing delivery';

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

CREATE TABLE webhook_events (
    id         UUID PRIMARY KEY,
    type       TEXT NOT NULL,
    data       JSONB NOT NULL DEFAULT '{}',
    priority   INT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE webhook_events IS 'Published events: the envelope every delivery of an event sends';

CREATE INDEX idx_webhook_events_created_at ON webhook_events (created_at);

CREATE TABLE webhook_delivery_attempts (
    id               BIGSERIAL PRIMARY KEY,
    delivery_id      BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt          INT NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    duration_ms      BIGINT NOT NULL DEFAULT 0,
    request_headers  JSONB,
    response_status  INT,
    response_headers JSONB,
    response_body    TEXT,
    error            TEXT
);

COMMENT ON TABLE webhook_delivery_attempts IS 'One row per HTTP request of a delivery';

CREATE INDEX idx_webhook_delivery_attempts_delivery_id
    ON webhook_delivery_attempts (delivery_id);
