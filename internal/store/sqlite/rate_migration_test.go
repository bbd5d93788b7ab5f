package sqlite_test

import (
	"database/sql"
	"os"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestRateLimitsMigrateFromAnOlderSchema migrates a file of the release
// before rate limits (migrations 001 to 003, with an endpoint and pending
// deliveries in it): nothing is lost, the endpoint is unlimited, and a
// limit set afterwards holds.
func TestRateLimitsMigrateFromAnOlderSchema(t *testing.T) {
	path := testdb.SQLitePath(t)
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, file := range []string{"migrations/001_webhooks.sql", "migrations/002_hookrelay.sql", "migrations/003_maintainer.sql"} {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(t.Context(), string(body)); err != nil {
			t.Fatalf("apply %s: %v", file, err)
		}
	}
	const older = `
		CREATE TABLE hookrelay_schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
		INSERT INTO hookrelay_schema_migrations VALUES
			(1, '001_webhooks.sql', 0), (2, '002_hookrelay.sql', 0), (3, '003_maintainer.sql', 0);
		INSERT INTO webhooks (id, target_url, secret, title) VALUES (1, 'https://a.example/hook', 'secret-0123456789', 'old');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
		VALUES (1, '0190b6a4-0000-7000-8000-000000000001', 'document.created', '{"n": 1}'),
		       (1, '0190b6a4-0000-7000-8000-000000000002', 'document.created', '{"n": 2}'),
		       (1, '0190b6a4-0000-7000-8000-000000000003', 'document.created', '{"n": 3}')`
	if _, err := db.ExecContext(t.Context(), older); err != nil {
		t.Fatalf("fill the older schema: %v", err)
	}
	storetest.RateLimitsAfterMigration(t, migrated(t, path))
}
