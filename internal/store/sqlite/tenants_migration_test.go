package sqlite_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestTenantsMigrateFromAnOlderSchema migrates a file of the release before
// tenants (every migration before 009) with an endpoint, an event and its
// pending delivery: nothing is lost, and the rows have no tenant.
func TestTenantsMigrateFromAnOlderSchema(t *testing.T) {
	path := testdb.SQLitePath(t)
	db := applyMigrationsBefore(t, path, 9)
	older := `
		INSERT INTO webhooks (id, target_url, secret, title) VALUES (1, 'https://a.example/hook', 'secret-0123456789', 'old');
		INSERT INTO webhook_events (id, type, data) VALUES ('` + storetest.TenantsOlderEventID + `', 'document.created', '{"n": 1}');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, status, max_retries)
		VALUES (1, '` + storetest.TenantsOlderEventID + `', 'document.created', '{"n": 1}', 'pending', 3)`
	if _, err := db.ExecContext(t.Context(), older); err != nil {
		t.Fatalf("fill the older schema: %v", err)
	}
	db.Close()
	storetest.TenantsAfterMigration(t, migrated(t, path))
}
