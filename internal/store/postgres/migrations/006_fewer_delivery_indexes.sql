-- Every claim and every outcome writes a new version of a delivery row, and
-- each version is entered in every index of webhook_deliveries that covers
-- it (a status change is never a HOT update). Indexes that no query needs
-- cost on every delivery, so hookrelay keeps only those it uses:
--
-- * one unique index on (event_id, webhook_id) serves both the uniqueness of
--   a delivery per endpoint and event and the look-ups by event, where two
--   indexes did;
-- * listings filtered by creation time scan the newest first by id, which
--   follows creation time, so created_at needs no index of its own;
-- * the tenant index holds only rows that have a tenant, the only ones a
--   tenant filter can match (an index of that name that Ackify CE created
--   stays as it is).
CREATE UNIQUE INDEX IF NOT EXISTS idx_webhook_deliveries_event_webhook
    ON webhook_deliveries (event_id, webhook_id);
DROP INDEX IF EXISTS idx_webhook_deliveries_webhook_event;
DROP INDEX IF EXISTS idx_webhook_deliveries_event_id;
DROP INDEX IF EXISTS idx_webhook_deliveries_created_at;
