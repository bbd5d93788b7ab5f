-- Ordering keys: deliveries of events that share a key are sent to each
-- endpoint one at a time, in publish order (see Store.Claim).
--
-- Both columns are nullable and have no default, so adding them rewrites no
-- row, and rows that another program (Ackify CE) inserts have no key and are
-- claimed as before.
ALTER TABLE webhook_events ADD COLUMN IF NOT EXISTS ordering_key TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN IF NOT EXISTS ordering_key TEXT;

-- The claim's check that a keyed delivery is at the head of its line: is a
-- delivery of the same endpoint and key processing, or one with a lower id
-- pending? Only keyed deliveries that are waiting or in flight are in it, so
-- deliveries without a key cost it nothing, and a finished delivery leaves it.
CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_ordering
    ON webhook_deliveries (webhook_id, ordering_key, status, id)
    WHERE ordering_key IS NOT NULL AND status IN ('pending', 'processing');
