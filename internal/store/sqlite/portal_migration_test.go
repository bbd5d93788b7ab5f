package sqlite_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestPortalSessionsMigrateFromAnOlderSchema migrates a file of the release
// before portal sessions (every migration before 011) with an endpoint of
// a tenant: nothing is lost, and portal links work.
func TestPortalSessionsMigrateFromAnOlderSchema(t *testing.T) {
	path := testdb.SQLitePath(t)
	db := applyMigrationsBefore(t, path, 11)
	older := `INSERT INTO webhooks (id, target_url, secret, title, tenant_id) VALUES (1, 'https://a.example/hook', 'secret-0123456789', 'old', 'acme')`
	if _, err := db.ExecContext(t.Context(), older); err != nil {
		t.Fatalf("fill the older schema: %v", err)
	}
	db.Close()
	storetest.PortalSessionsAfterMigration(t, migrated(t, path))
}
