-- Endpoint ownership (store.EndpointVerification): an endpoint created with
-- require_verification waits, unverified, until an answer echoes the
-- challenge of event verification_event_id. The defaults keep every row of
-- an earlier release, of WEBHOOK_URLS and of Ackify CE's own inserts
-- verified, so nothing they send changes.
ALTER TABLE webhooks ADD COLUMN unverified BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE webhooks ADD COLUMN verified_at TIMESTAMPTZ;
ALTER TABLE webhooks ADD COLUMN verification_event_id UUID;
ALTER TABLE webhooks ADD COLUMN verification_sent_at TIMESTAMPTZ;
