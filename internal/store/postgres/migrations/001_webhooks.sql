-- The seed schema (Ackify CE's webhooks migration): endpoint subscriptions and
-- the delivery queue, with the retry-time trigger and the function it calls.
--
-- Every statement adds only what is missing, so that this migration also
-- adopts a database where Ackify CE created these objects itself: its tables,
-- indexes, trigger and functions are left exactly as they are.

CREATE TABLE IF NOT EXISTS webhooks (
    id                BIGSERIAL PRIMARY KEY,
    target_url        TEXT NOT NULL,
    secret            TEXT NOT NULL,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    events            TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    headers           JSONB,
    description       TEXT,
    created_by        TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_delivered_at TIMESTAMPTZ,
    failure_count     INT NOT NULL DEFAULT 0
);

COMMENT ON TABLE webhooks IS 'Third-party webhook subscriptions';
COMMENT ON COLUMN webhooks.events IS 'Array of event types the webhook subscribes to';

CREATE INDEX IF NOT EXISTS idx_webhooks_active ON webhooks (active);
CREATE INDEX IF NOT EXISTS idx_webhooks_events_gin ON webhooks USING GIN (events);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id            BIGSERIAL PRIMARY KEY,
    webhook_id    BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_type    TEXT NOT NULL,
    event_id      UUID NOT NULL,
    payload       JSONB NOT NULL DEFAULT '{}',

    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'processing', 'delivered', 'failed', 'cancelled')),
    retry_count   INT NOT NULL DEFAULT 0,
    max_retries   INT NOT NULL DEFAULT 6,
    priority      INT NOT NULL DEFAULT 0,

    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    scheduled_for TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at  TIMESTAMPTZ,
    next_retry_at TIMESTAMPTZ,

    -- What the last attempt sent and received, truncated by the sender.
    request_headers  JSONB,
    response_status  INT,
    response_headers JSONB,
    response_body    TEXT,
    last_error       TEXT
);

CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_status_scheduled
    ON webhook_deliveries (status, scheduled_for)
    WHERE status IN ('pending', 'processing');

CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_priority_scheduled
    ON webhook_deliveries (priority DESC, scheduled_for ASC)
    WHERE status = 'pending';

CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_retry
    ON webhook_deliveries (next_retry_at)
    WHERE status = 'processing' AND retry_count < max_retries;

CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_webhook_id ON webhook_deliveries (webhook_id);

CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_event_type ON webhook_deliveries (event_type);

-- calculate_next_retry_time is Ackify's backoff: one minute times
-- 2^retry_count, plus up to 30% jitter. The exponent stops at 20 (about two
-- years) so that a large retry_count cannot overflow the interval type.
-- Ackify CE defines its own (its e-mail queue calls it too): when one is
-- already there, it stays. update_webhook_retry_time and its trigger give a
-- delivery that enters processing the time of its next retry; they too are
-- created only when missing.
DO $migration$
BEGIN
    IF to_regprocedure('calculate_next_retry_time(integer)') IS NULL THEN
        CREATE FUNCTION calculate_next_retry_time(retry_count INT)
        RETURNS TIMESTAMPTZ
        LANGUAGE sql VOLATILE
        AS $fn$
            SELECT now()
                + interval '1 minute'
                * power(2, least(greatest(retry_count, 0), 20))
                * (1 + random() * 0.3)
        $fn$;
    END IF;

    IF to_regprocedure('update_webhook_retry_time()') IS NULL THEN
        CREATE FUNCTION update_webhook_retry_time()
        RETURNS TRIGGER
        LANGUAGE plpgsql
        AS $fn$
        BEGIN
            IF NEW.status = 'processing' AND OLD.status != 'processing' THEN
                NEW.next_retry_at = calculate_next_retry_time(NEW.retry_count);
            END IF;
            RETURN NEW;
        END;
        $fn$;
    END IF;

    IF NOT EXISTS (
        SELECT FROM pg_trigger
        WHERE tgrelid = 'webhook_deliveries'::regclass
          AND tgname = 'trigger_update_webhook_retry'
    ) THEN
        CREATE TRIGGER trigger_update_webhook_retry
            BEFORE UPDATE ON webhook_deliveries
            FOR EACH ROW
            EXECUTE FUNCTION update_webhook_retry_time();
    END IF;
END
$migration$;
