-- Ackify CE's tenant column, and rows that name no signature profile.
--
-- tenant_id is the column that Ackify CE adds to both tables (its migration
-- 0015, which also uses ADD COLUMN IF NOT EXISTS, so either may come first).
-- hookrelay copies an endpoint's tenant to the deliveries it creates and
-- stamps new endpoints with the session's app.tenant_id, Ackify's setting, so
-- that Ackify's row-level security policies (its migration 0016) admit them.
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS tenant_id UUID;
ALTER TABLE webhook_deliveries ADD COLUMN IF NOT EXISTS tenant_id UUID;

CREATE INDEX IF NOT EXISTS idx_webhooks_tenant_id ON webhooks (tenant_id);
CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_tenant_id ON webhook_deliveries (tenant_id)
    WHERE tenant_id IS NOT NULL;

-- The first release of 002 gave signature_profile NOT NULL DEFAULT
-- 'standard'; rows that another program inserts (Ackify's) must name none, so
-- that they get HOOKRELAY_SIGNATURE_PROFILE. Rows already stored keep theirs.
ALTER TABLE webhooks
    ALTER COLUMN signature_profile DROP NOT NULL,
    ALTER COLUMN signature_profile DROP DEFAULT;
