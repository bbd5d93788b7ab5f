-- Tenants (issue 21): a tenant_id on endpoints, events and deliveries.
--
-- On a database that hookrelay alone uses, tenant IDs are text (see
-- store.ValidateTenantID): the UUID columns that 004 added for Ackify CE
-- become TEXT (a rewrite of both tables, under an exclusive lock, as long
-- as the tables are big). On Ackify CE's database they stay UUIDs: its
-- row-level security policies compare them with current_tenant_id(), a
-- UUID, and its trigger refuses to change a row's tenant. A database is
-- Ackify's when its schema holds one of Ackify's own objects: the
-- email_queue table (every Ackify schema since its first migrations), the
-- instance_metadata table or current_tenant_id() (its tenant steps), or a
-- row-level security policy on the webhook tables.
--
-- Ackify must be installed first: on a database where hookrelay made the
-- columns TEXT, Ackify's later policies (tenant_id = current_tenant_id())
-- would compare text with uuid and fail. The README says so.
--
-- hookrelay_tenant(p) is the tenant a write stores for the given ID p: p,
-- or when p is empty or NULL the session's app.tenant_id (Ackify's
-- setting, that its policies read), as the column's type. Callers validate
-- p first (store.ValidateTenantID), so the cast to uuid never fails on p.
DO $migration$
DECLARE
    ackify BOOLEAN := to_regclass(quote_ident(current_schema()) || '.email_queue') IS NOT NULL
        OR to_regclass(quote_ident(current_schema()) || '.instance_metadata') IS NOT NULL
        OR to_regprocedure(quote_ident(current_schema()) || '.current_tenant_id()') IS NOT NULL
        OR EXISTS (SELECT FROM pg_catalog.pg_policies
                   WHERE schemaname = current_schema() AND tablename IN ('webhooks', 'webhook_deliveries'));
    typ TEXT := CASE WHEN ackify THEN 'uuid' ELSE 'text' END;
BEGIN
    IF NOT ackify THEN
        ALTER TABLE webhooks ALTER COLUMN tenant_id TYPE TEXT;
        ALTER TABLE webhook_deliveries ALTER COLUMN tenant_id TYPE TEXT;
    END IF;
    EXECUTE format('ALTER TABLE webhook_events ADD COLUMN IF NOT EXISTS tenant_id %s', typ);
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION hookrelay_tenant(p TEXT) RETURNS %1$s
        LANGUAGE sql STABLE AS
        'SELECT coalesce(nullif(p, ''''), nullif(current_setting(''app.tenant_id'', true), ''''))::%1$s'
    $f$, typ);
END
$migration$;

-- The events of a tenant, newest first (ListEvents with a tenant).
CREATE INDEX IF NOT EXISTS idx_webhook_events_tenant_created
    ON webhook_events (tenant_id, created_at DESC, id DESC) WHERE tenant_id IS NOT NULL;
-- The active endpoints of a tenant (a publish's fan-out); 004's
-- idx_webhooks_tenant_id serves the lists.
CREATE INDEX IF NOT EXISTS idx_webhooks_active_tenant ON webhooks (tenant_id) WHERE active;
