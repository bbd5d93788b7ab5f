package postgres_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestTenantsMigrateFromAnOlderSchema migrates a database of the release
// before tenants (every migration before 014: tenant_id UUID columns, no
// tenant on events) with an endpoint, an event and its pending delivery:
// nothing is lost, and the rows have no tenant.
func TestTenantsMigrateFromAnOlderSchema(t *testing.T) {
	u := testdb.PostgresURL(t)
	conn := testdb.Connect(t, u)
	applyBelow(t, conn, "migrations", 14)
	for _, stmt := range []string{
		`INSERT INTO webhooks (id, target_url, secret, title) VALUES (1, 'https://a.example/hook', 'secret-0123456789', 'old')`,
		`SELECT setval('webhooks_id_seq', 1)`,
		`INSERT INTO webhook_events (id, type, data) VALUES ('` + storetest.TenantsOlderEventID + `', 'document.created', '{"n": 1}')`,
		`INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, status, max_retries)
		 VALUES (1, '` + storetest.TenantsOlderEventID + `', 'document.created', '{"n": 1}', 'pending', 3)`,
	} {
		if _, err := conn.Exec(t.Context(), stmt); err != nil {
			t.Fatalf("fill the older schema: %v", err)
		}
	}
	storetest.TenantsAfterMigration(t, migrated(t, u))
}
