package sqlite_test

import (
	"database/sql"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestRecoveryMigratesFromAnOlderSchema migrates a file of the release
// before automatic recovery (every migration before 006) with an endpoint
// failing since an hour ago, a delivery that failed for good during that
// outage and one that is pending: nothing is lost, nothing is probed or
// recovered by the migration, and the endpoint's next 2xx recovers the
// failed delivery.
func TestRecoveryMigratesFromAnOlderSchema(t *testing.T) {
	path := testdb.SQLitePath(t)
	db := applyMigrationsBefore(t, path, 6)
	const older = `
		INSERT INTO webhooks (id, target_url, secret, title, failure_count, failing_since)
		VALUES (1, 'https://a.example/hook', 'secret-0123456789', 'old', 3,
			CAST((unixepoch('subsec') - 3600) * 1000000 AS INTEGER));
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, status, retry_count, max_retries, processed_at)
		VALUES (1, '0190b6a4-0000-7000-8000-000000000001', 'document.created', '{"n": 1}', 'failed', 2, 2,
			CAST((unixepoch('subsec') - 1800) * 1000000 AS INTEGER)),
		       (1, '0190b6a4-0000-7000-8000-000000000002', 'document.created', '{"n": 2}', 'pending', 0, 3, NULL)`
	if _, err := db.ExecContext(t.Context(), older); err != nil {
		t.Fatalf("fill the older schema: %v", err)
	}
	db.Close()
	storetest.RecoveryAfterMigration(t, migrated(t, path))
}

// applyMigrationsBefore applies the embedded migrations below version to a
// new file at path and records them, as a release that had only those left
// its file; it returns the open file, closed when t ends at the latest.
func applyMigrationsBefore(t *testing.T, path string, version int) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	applyBelow(t, db, version)
	return db
}
