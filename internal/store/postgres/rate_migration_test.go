package postgres_test

import (
	"os"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestRateLimitsMigrateFromAnOlderSchema migrates a schema of the release
// before rate limits (migrations 001 to 006, with an endpoint and a pending
// delivery in it): nothing is lost, the endpoint is unlimited, its delivery
// is claimed, and a limit set afterwards holds.
func TestRateLimitsMigrateFromAnOlderSchema(t *testing.T) {
	u := testdb.PostgresURL(t)
	conn := connect(t, u)
	files := []string{"001_webhooks.sql", "002_hookrelay.sql", "003_event_data_text.sql",
		"004_tenant_and_default_profile.sql", "005_endpoint_deactivated_notify.sql", "006_fewer_delivery_indexes.sql"}
	if _, err := conn.Exec(t.Context(), `
		CREATE TABLE hookrelay_schema_migrations (
			version INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for i, file := range files {
		body, err := os.ReadFile("migrations/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(t.Context(), string(body)); err != nil {
			t.Fatalf("apply %s: %v", file, err)
		}
		if _, err := conn.Exec(t.Context(), `INSERT INTO hookrelay_schema_migrations (version, name) VALUES ($1, $2)`, i+1, file); err != nil {
			t.Fatal(err)
		}
	}
	const older = `
		INSERT INTO webhooks (id, target_url, secret, title) VALUES (1, 'https://a.example/hook', 'secret-0123456789', 'old');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
		VALUES (1, '0190b6a4-0000-7000-8000-000000000001', 'document.created', '{"n": 1}'),
		       (1, '0190b6a4-0000-7000-8000-000000000002', 'document.created', '{"n": 2}'),
		       (1, '0190b6a4-0000-7000-8000-000000000003', 'document.created', '{"n": 3}')`
	if _, err := conn.Exec(t.Context(), older); err != nil {
		t.Fatalf("fill the older schema: %v", err)
	}

	storetest.RateLimitsAfterMigration(t, migrated(t, u))
}
