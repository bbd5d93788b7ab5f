-- Tenants (issue 21): the tenant an endpoint belongs to, the tenant of an
-- event, and the tenant of a delivery (its endpoint's, copied at publish).
-- NULL is no tenant, which every row of an earlier release keeps. IDs are
-- text checked by store.ValidateTenantID.
ALTER TABLE webhooks ADD COLUMN tenant_id TEXT;
ALTER TABLE webhook_events ADD COLUMN tenant_id TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN tenant_id TEXT;

-- A publish's fan-out to its tenant's endpoints (tenant_id IS ?, NULL
-- for none, so not a partial index), and the lists by tenant.
CREATE INDEX idx_webhooks_tenant_id ON webhooks (tenant_id);
CREATE INDEX idx_webhook_events_tenant_created
    ON webhook_events (tenant_id, created_at DESC, id DESC) WHERE tenant_id IS NOT NULL;
CREATE INDEX idx_webhook_deliveries_tenant_id ON webhook_deliveries (tenant_id, id) WHERE tenant_id IS NOT NULL;
