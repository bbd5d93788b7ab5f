package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// This file rebuilds, for tests, the part of Ackify CE's schema that its
// webhook worker and hookrelay share, as Ackify's own golang-migrate
// migrations leave it (github.com/btouchard/ackify-ce, backend/migrations).
// It is a description written for hookrelay, not a copy of those files
// (they are AGPL): the same tables, columns, defaults, checks, index names,
// trigger and functions, with the behaviour that matters here.
//
// Ackify's schema grew in steps, and a database may sit at any of them:
//
//   - ackifySeed: the e-mail queue's retry function (Ackify 0006), the
//     webhook tables with their indexes and retry trigger (0010), and the
//     title column (0011). This is the schema of the commit hookrelay was
//     seeded from.
//   - ackifyJitter: the retry function replaced by one with 0–30 % jitter
//     (0014).
//   - ackifyTenants: instance_metadata holding the instance's tenant, a
//     tenant_id column on both webhook tables filled with it, tenant_id
//     indexes, and triggers that refuse to change a row's tenant (0015).
//   - ackifyRLS: current_tenant_id() reading the app.tenant_id setting, and
//     row-level security, forced even on the owner, that lets a session see
//     and write only the rows of its tenant; the runtime role gets the
//     table privileges (0016).

// ackifyStage is one step of Ackify's schema; role is the name of the
// runtime role (Ackify's ackify_app), used by the steps that grant to it.
type ackifyStage struct {
	name    string
	version int // golang-migrate's version once the step is applied
	sql     func(role string) string
}

var ackifySeed = ackifyStage{"seed", 11, func(string) string {
	return `
-- The e-mail queue, reduced to what its retry trigger reads; Ackify's
-- calculate_next_retry_time is written for it, and webhooks reuse it.
CREATE TABLE email_queue (
    id            BIGSERIAL PRIMARY KEY,
    status        TEXT NOT NULL DEFAULT 'pending',
    retry_count   INT NOT NULL DEFAULT 0,
    next_retry_at TIMESTAMPTZ
);

-- Backoff of Ackify's first version: a minute doubled per retry, no jitter,
-- no bound on the exponent.
CREATE FUNCTION calculate_next_retry_time(retry_count INT) RETURNS TIMESTAMPTZ
LANGUAGE plpgsql AS $f$
BEGIN
    RETURN now() + power(2, retry_count) * interval '1 minute';
END
$f$;

CREATE FUNCTION update_email_queue_retry_time() RETURNS TRIGGER
LANGUAGE plpgsql AS $f$
BEGIN
    IF OLD.status <> 'processing' AND NEW.status = 'processing' THEN
        NEW.next_retry_at := calculate_next_retry_time(NEW.retry_count);
    END IF;
    RETURN NEW;
END
$f$;

CREATE TRIGGER trigger_update_email_queue_retry BEFORE UPDATE ON email_queue
    FOR EACH ROW EXECUTE FUNCTION update_email_queue_retry_time();

-- Subscriptions: a target, a plain-string secret, the event types.
CREATE TABLE webhooks (
    id                BIGSERIAL PRIMARY KEY,
    target_url        TEXT NOT NULL,
    secret            TEXT NOT NULL,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    events            TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    headers           JSONB,
    description       TEXT,
    created_by        TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_delivered_at TIMESTAMPTZ,
    failure_count     INT NOT NULL DEFAULT 0
);
CREATE INDEX idx_webhooks_active ON webhooks (active);
CREATE INDEX idx_webhooks_events_gin ON webhooks USING GIN (events);

-- The queue: one row per subscription and event, with the payload to POST.
CREATE TABLE webhook_deliveries (
    id               BIGSERIAL PRIMARY KEY,
    webhook_id       BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_type       TEXT NOT NULL,
    event_id         UUID NOT NULL,
    payload          JSONB NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL DEFAULT 'pending',
    retry_count      INT NOT NULL DEFAULT 0,
    max_retries      INT NOT NULL DEFAULT 6,
    priority         INT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    scheduled_for    TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at     TIMESTAMPTZ,
    next_retry_at    TIMESTAMPTZ,
    request_headers  JSONB,
    response_status  INT,
    response_headers JSONB,
    response_body    TEXT,
    last_error       TEXT,
    CHECK (status IN ('pending', 'processing', 'delivered', 'failed', 'cancelled'))
);
CREATE INDEX idx_webhook_deliveries_status_scheduled ON webhook_deliveries (status, scheduled_for)
    WHERE status IN ('pending', 'processing');
CREATE INDEX idx_webhook_deliveries_priority_scheduled ON webhook_deliveries (priority DESC, scheduled_for)
    WHERE status = 'pending';
CREATE INDEX idx_webhook_deliveries_retry ON webhook_deliveries (next_retry_at)
    WHERE status = 'processing' AND retry_count < max_retries;
CREATE INDEX idx_webhook_deliveries_webhook_id ON webhook_deliveries (webhook_id);
CREATE INDEX idx_webhook_deliveries_event_type ON webhook_deliveries (event_type);

CREATE FUNCTION update_webhook_retry_time() RETURNS TRIGGER
LANGUAGE plpgsql AS $f$
BEGIN
    IF OLD.status <> 'processing' AND NEW.status = 'processing' THEN
        NEW.next_retry_at := calculate_next_retry_time(NEW.retry_count);
    END IF;
    RETURN NEW;
END
$f$;

CREATE TRIGGER trigger_update_webhook_retry BEFORE UPDATE ON webhook_deliveries
    FOR EACH ROW EXECUTE FUNCTION update_webhook_retry_time();

-- The title, added in a later step with IF NOT EXISTS.
ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS title TEXT NOT NULL DEFAULT '';`
}}

var ackifyJitter = ackifyStage{"jitter", 14, func(string) string {
	return `
CREATE OR REPLACE FUNCTION calculate_next_retry_time(retry_count INT) RETURNS TIMESTAMPTZ
LANGUAGE plpgsql AS $f$
BEGIN
    -- a minute doubled per retry, stretched by a random 0 to 30 percent
    RETURN now() + power(2, retry_count) * (1.0 + 0.3 * random()) * interval '1 minute';
END
$f$;`
}}

var ackifyTenants = ackifyStage{"tenants", 15, func(string) string {
	return `
CREATE TABLE IF NOT EXISTS instance_metadata (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO instance_metadata DEFAULT VALUES;

ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS tenant_id UUID;
ALTER TABLE webhook_deliveries ADD COLUMN IF NOT EXISTS tenant_id UUID;
ALTER TABLE email_queue ADD COLUMN IF NOT EXISTS tenant_id UUID;
UPDATE webhooks SET tenant_id = (SELECT id FROM instance_metadata LIMIT 1) WHERE tenant_id IS NULL;
UPDATE webhook_deliveries SET tenant_id = (SELECT id FROM instance_metadata LIMIT 1) WHERE tenant_id IS NULL;
UPDATE email_queue SET tenant_id = (SELECT id FROM instance_metadata LIMIT 1) WHERE tenant_id IS NULL;
CREATE INDEX IF NOT EXISTS idx_webhooks_tenant_id ON webhooks (tenant_id);
CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_tenant_id ON webhook_deliveries (tenant_id);

-- Once set, a row's tenant never changes.
CREATE FUNCTION prevent_tenant_id_modification() RETURNS TRIGGER
LANGUAGE plpgsql AS $f$
BEGIN
    IF OLD.tenant_id IS NOT NULL AND NEW.tenant_id IS DISTINCT FROM OLD.tenant_id THEN
        RAISE EXCEPTION 'tenant_id of a row cannot change';
    END IF;
    RETURN NEW;
END
$f$;
CREATE TRIGGER tr_webhooks_tenant_id_immutable BEFORE UPDATE ON webhooks
    FOR EACH ROW EXECUTE FUNCTION prevent_tenant_id_modification();
CREATE TRIGGER tr_webhook_deliveries_tenant_id_immutable BEFORE UPDATE ON webhook_deliveries
    FOR EACH ROW EXECUTE FUNCTION prevent_tenant_id_modification();`
}}

var ackifyRLS = ackifyStage{"rls", 19, func(role string) string {
	var b strings.Builder
	b.WriteString(`
-- The session's tenant, from the app.tenant_id setting; NULL (no row
-- matches) when it is unset or not a UUID.
CREATE FUNCTION current_tenant_id() RETURNS UUID
LANGUAGE plpgsql STABLE AS $f$
DECLARE
    raw TEXT := current_setting('app.tenant_id', true);
BEGIN
    IF coalesce(raw, '') = '' THEN
        RETURN NULL;
    END IF;
    RETURN raw::UUID;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END
$f$;`)
	for _, table := range []string{"webhooks", "webhook_deliveries", "email_queue"} {
		fmt.Fprintf(&b, `
ALTER TABLE %[1]s ENABLE ROW LEVEL SECURITY;
ALTER TABLE %[1]s FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation_%[1]s ON %[1]s
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON %[1]s TO %[2]s;
GRANT USAGE, SELECT ON SEQUENCE %[1]s_id_seq TO %[2]s;`, table, role)
	}
	fmt.Fprintf(&b, `
GRANT SELECT ON instance_metadata TO %s;`, role)
	return b.String()
}}

// ackifyVersions are the Ackify schemas hookrelay must adopt, by name.
var ackifyVersions = []struct {
	name   string
	stages []ackifyStage
}{
	{"seed", []ackifyStage{ackifySeed}},
	{"tenants", []ackifyStage{ackifySeed, ackifyJitter, ackifyTenants}},
	{"today", []ackifyStage{ackifySeed, ackifyJitter, ackifyTenants, ackifyRLS}},
}

// buildAckify applies stages on conn, then records the last version in
// golang-migrate's schema_migrations table, as Ackify's migrate tool does.
func buildAckify(t *testing.T, conn *pgx.Conn, role string, stages []ackifyStage) {
	t.Helper()
	for _, s := range stages {
		if _, err := conn.Exec(t.Context(), s.sql(role)); err != nil {
			t.Fatalf("Ackify schema, step %s: %v", s.name, err)
		}
	}
	last := stages[len(stages)-1].version
	const golangMigrate = `
		CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL);
		INSERT INTO schema_migrations (version, dirty) VALUES (%d, false)`
	if _, err := conn.Exec(t.Context(), fmt.Sprintf(golangMigrate, last)); err != nil {
		t.Fatalf("schema_migrations: %v", err)
	}
}

// hasStage reports whether stages include the one named name.
func hasStage(stages []ackifyStage, name string) bool {
	for _, s := range stages {
		if s.name == name {
			return true
		}
	}
	return false
}

// ackifyTx runs fn in a transaction as Ackify's repositories do: with its
// tenant in app.tenant_id for that transaction when tenant is not empty
// (Ackify's WithTenantContext). The transaction is rolled back if fn fails.
func ackifyTx(t *testing.T, conn *pgx.Conn, tenant string, fn func(tx pgx.Tx)) {
	t.Helper()
	ctx := t.Context()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if tenant != "" {
		if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
			t.Fatal(err)
		}
	}
	fn(tx)
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
}
