-- Endpoint ownership (store.EndpointVerification): an endpoint created with
-- require_verification waits, unverified, until an answer echoes the
-- challenge of event verification_event_id. The defaults keep every row of
-- an earlier release, and of WEBHOOK_URLS, verified, so nothing they send
-- changes. Times are microseconds since the Unix epoch.
ALTER TABLE webhooks ADD COLUMN unverified INTEGER NOT NULL DEFAULT 0 CHECK (unverified IN (0, 1));
ALTER TABLE webhooks ADD COLUMN verified_at INTEGER;
ALTER TABLE webhooks ADD COLUMN verification_event_id TEXT;
ALTER TABLE webhooks ADD COLUMN verification_sent_at INTEGER;
