-- Automatic recovery (see Store.Complete and Store.ProbeSucceeded).
-- recovered_at: when a failed delivery was queued again because its endpoint
-- came back (at most once). probing_since, next_probe_at, probe_count: the
-- endpoint was disabled by its health rules and is being probed. Times are
-- microseconds since the Unix epoch, like every other time column.
ALTER TABLE webhook_deliveries ADD COLUMN recovered_at INTEGER;
ALTER TABLE webhooks ADD COLUMN probing_since INTEGER;
ALTER TABLE webhooks ADD COLUMN next_probe_at INTEGER;
ALTER TABLE webhooks ADD COLUMN probe_count INTEGER NOT NULL DEFAULT 0;

CREATE INDEX idx_webhook_deliveries_recoverable
    ON webhook_deliveries (webhook_id, processed_at)
    WHERE status = 'failed' AND recovered_at IS NULL;
