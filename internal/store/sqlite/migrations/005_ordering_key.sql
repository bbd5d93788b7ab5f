-- Ordering keys: deliveries of events that share a key are sent to each
-- endpoint one at a time, in publish order (see Store.Claim). Both columns
-- are nullable: rows written before, or by another program, have no key.
ALTER TABLE webhook_events ADD COLUMN ordering_key TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN ordering_key TEXT;

-- The claim's check that a keyed delivery is at the head of its line: is a
-- delivery of the same endpoint and key processing, or one with a lower id
-- pending? Only keyed deliveries that are waiting or in flight are in it.
CREATE INDEX idx_webhook_deliveries_ordering
    ON webhook_deliveries (webhook_id, ordering_key, status, id)
    WHERE ordering_key IS NOT NULL AND status IN ('pending', 'processing');
