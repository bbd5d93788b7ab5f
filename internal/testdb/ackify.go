package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The Ackify fixture rebuilds, for tests, the part of Ackify CE's schema that its
// webhook worker and hookrelay share, as Ackify's own golang-migrate
// migrations leave it (github.com/btouchard/ackify-ce, backend/migrations).
// It is a description written for hookrelay, not a copy of those files
// (they are AGPL): the same tables, columns, defaults, checks, index names,
// trigger and functions, with the behaviour that matters here.
//
// Ackify's schema grew in steps, and a database may sit at any of them:
//
//   - AckifySeed: the e-mail queue's retry function (Ackify 0006), the
//     webhook tables with their indexes and retry trigger (0010), and the
//     title column (0011). This is the schema of the commit hookrelay was
//     seeded from.
//   - AckifyJitter: the retry function replaced by one with 0–30 % jitter
//     (0014).
//   - AckifyTenants: instance_metadata holding the instance's tenant, a
//     tenant_id column on both webhook tables filled with it, tenant_id
//     indexes, and triggers that refuse to change a row's tenant (0015).
//   - AckifyRLS: current_tenant_id() reading the app.tenant_id setting, and
//     row-level security, forced even on the owner, that lets a session see
//     and write only the rows of its tenant; the runtime role gets the
//     table privileges (0016).

// AckifyStage is one step of Ackify's schema; role is the name of the
// runtime role (Ackify's ackify_app), used by the steps that grant to it.
type AckifyStage struct {
	// Name names the step in test names and messages.
	Name string
	// Version is golang-migrate's version once the step is applied.
	Version int
	// SQL returns the step's statements, granting to role where Ackify does.
	SQL func(role string) string
}

// AckifySeed is Ackify's schema at the commit hookrelay was seeded from
// (its migrations up to 0011).
var AckifySeed = AckifyStage{"seed", 11, func(string) string {
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

// AckifyJitter replaces the retry function with one with jitter (0014).
var AckifyJitter = AckifyStage{"jitter", 14, func(string) string {
	return `
CREATE OR REPLACE FUNCTION calculate_next_retry_time(retry_count INT) RETURNS TIMESTAMPTZ
LANGUAGE plpgsql AS $f$
BEGIN
    -- a minute doubled per retry, stretched by a random 0 to 30 percent
    RETURN now() + power(2, retry_count) * (1.0 + 0.3 * random()) * interval '1 minute';
END
$f$;`
}}

// AckifyTenants adds the instance's tenant to every row (0015).
var AckifyTenants = AckifyStage{"tenants", 15, func(string) string {
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

// AckifyRLS forces row-level security by tenant and grants the runtime
// role (0016).
var AckifyRLS = AckifyStage{"rls", 19, func(role string) string {
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

// AckifyVersions are the Ackify schemas hookrelay must adopt, by name.
var AckifyVersions = []struct {
	Name   string
	Stages []AckifyStage
}{
	{"seed", []AckifyStage{AckifySeed}},
	{"tenants", []AckifyStage{AckifySeed, AckifyJitter, AckifyTenants}},
	{"today", []AckifyStage{AckifySeed, AckifyJitter, AckifyTenants, AckifyRLS}},
}

// BuildAckify applies stages on conn (failing t on an error), then records the last version in
// golang-migrate's schema_migrations table, as Ackify's migrate tool does.
func BuildAckify(t testing.TB, conn *pgx.Conn, role string, stages []AckifyStage) {
	t.Helper()
	for _, s := range stages {
		if _, err := conn.Exec(t.Context(), s.SQL(role)); err != nil {
			t.Fatalf("Ackify schema, step %s: %v", s.Name, err)
		}
	}
	last := stages[len(stages)-1].Version
	const golangMigrate = `
		CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL);
		INSERT INTO schema_migrations (version, dirty) VALUES (%d, false)`
	if _, err := conn.Exec(t.Context(), fmt.Sprintf(golangMigrate, last)); err != nil {
		t.Fatalf("schema_migrations: %v", err)
	}
}

// HasAckifyStage reports whether stages include the one named name.
func HasAckifyStage(stages []AckifyStage, name string) bool {
	for _, s := range stages {
		if s.Name == name {
			return true
		}
	}
	return false
}

// PostgresRole creates a login role that owns nothing, as Ackify's ackify_app,
// with USAGE of the schema of owner (a connection to ownerURL), dropped when
// t ends. It returns a URL that connects as the role to the same schema, and
// the role's name.
func PostgresRole(t testing.TB, owner *pgx.Conn, ownerURL string) (roleURL, role string) {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	role = "hookrelay_app_" + hex.EncodeToString(b[:])
	password := hex.EncodeToString(b[:]) + "-pw"
	var schema string
	if err := owner.QueryRow(t.Context(), `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	stmts := fmt.Sprintf(`CREATE ROLE %[1]s LOGIN PASSWORD '%[2]s'; GRANT USAGE ON SCHEMA %[3]s TO %[1]s`, role, password, schema)
	if _, err := owner.Exec(t.Context(), stmts); err != nil {
		t.Fatalf("create role: %v", err)
	}
	t.Cleanup(func() {
		// Before the schema goes (its cleanup was registered first): revoke
		// what the role was granted, then drop it.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, ownerURL)
		if err == nil {
			_, err = conn.Exec(ctx, fmt.Sprintf(`DROP OWNED BY %[1]s; DROP ROLE %[1]s`, role))
			conn.Close(ctx)
		}
		if err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
	})
	u, err := url.Parse(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, password)
	return u.String(), role
}

// GrantHookrelayTables grants role what `hookrelay serve` needs on the tables
// hookrelay added, as the README says; Ackify's own grants cover its tables.
func GrantHookrelayTables(t testing.TB, owner *pgx.Conn, role string) {
	t.Helper()
	stmts := fmt.Sprintf(`
		GRANT SELECT ON hookrelay_schema_migrations TO %[1]s;
		GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_events, webhook_delivery_attempts, hookrelay_endpoint_rates, hookrelay_event_types TO %[1]s;
		GRANT USAGE, SELECT ON SEQUENCE webhook_delivery_attempts_id_seq TO %[1]s`, role)
	if _, err := owner.Exec(t.Context(), stmts); err != nil {
		t.Fatalf("grant hookrelay's tables: %v", err)
	}
}

// WithPostgresOptions returns databaseURL with the libpq options parameter set,
// escaped with its spaces written %20 (pgx does not read + as a space).
func WithPostgresOptions(t testing.TB, databaseURL, options string) string {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += "options=" + strings.ReplaceAll(url.QueryEscape(options), "+", "%20")
	return u.String()
}
