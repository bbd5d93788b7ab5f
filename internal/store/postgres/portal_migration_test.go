package postgres_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestPortalSessionsMigrateFromAnOlderSchema migrates a database of the
// release before portal sessions (every migration before 016) with an
// endpoint of a tenant: nothing is lost, and portal links work.
func TestPortalSessionsMigrateFromAnOlderSchema(t *testing.T) {
	u := testdb.PostgresURL(t)
	conn := testdb.Connect(t, u)
	applyBelow(t, conn, "migrations", 16)
	for _, stmt := range []string{
		`INSERT INTO webhooks (id, target_url, secret, title, tenant_id) VALUES (1, 'https://a.example/hook', 'secret-0123456789', 'old', 'acme')`,
		`SELECT setval('webhooks_id_seq', 1)`,
	} {
		if _, err := conn.Exec(t.Context(), stmt); err != nil {
			t.Fatalf("fill the older schema: %v", err)
		}
	}
	storetest.PortalSessionsAfterMigration(t, migrated(t, u))
}
