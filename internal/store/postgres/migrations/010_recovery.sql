-- Automatic recovery (see Store.Complete and Store.ProbeSucceeded).
--
-- recovered_at is when a failed delivery was queued again because its
-- endpoint came back; a delivery is recovered at most once. The probe columns
-- say that an endpoint was disabled by its health rules and is being probed:
-- probing_since is when that started, next_probe_at when the next probe is
-- due, probe_count how many probes failed so far. Every column is nullable or
-- defaulted, so adding them rewrites no row and the rows that another program
-- (Ackify CE) writes are neither recovered nor probed until hookrelay says so.
ALTER TABLE webhook_deliveries ADD COLUMN IF NOT EXISTS recovered_at TIMESTAMPTZ;
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS probing_since TIMESTAMPTZ;
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS next_probe_at TIMESTAMPTZ;
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS probe_count INTEGER NOT NULL DEFAULT 0;

-- The recovery's search for an endpoint's failed deliveries that were never
-- recovered, by the time they failed. Only such rows are in it.
CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_recoverable
    ON webhook_deliveries (webhook_id, processed_at)
    WHERE status = 'failed' AND recovered_at IS NULL;
