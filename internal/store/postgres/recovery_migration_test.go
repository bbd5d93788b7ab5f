package postgres_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestRecoveryMigratesFromAnOlderSchema migrates a database of the release
// before automatic recovery (every migration before 010) with an endpoint
// failing since an hour ago, a delivery that failed for good during that
// outage and one that is pending: nothing is lost, nothing is probed or
// recovered by the migration, and the endpoint's next 2xx recovers the
// failed delivery.
func TestRecoveryMigratesFromAnOlderSchema(t *testing.T) {
	u := testdb.PostgresURL(t)
	conn := testdb.Connect(t, u)
	applyBelow(t, conn, "migrations", 10)
	const older = `
		INSERT INTO webhooks (id, target_url, secret, title, failure_count, failing_since)
		VALUES (1, 'https://a.example/hook', 'secret-0123456789', 'old', 3, now() - interval '1 hour');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, status, retry_count, max_retries, processed_at)
		VALUES (1, '0190b6a4-0000-7000-8000-000000000001', 'document.created', '{"n": 1}', 'failed', 2, 2, now() - interval '30 minutes'),
		       (1, '0190b6a4-0000-7000-8000-000000000002', 'document.created', '{"n": 2}', 'pending', 0, 3, NULL)`
	if _, err := conn.Exec(t.Context(), older); err != nil {
		t.Fatalf("fill the older schema: %v", err)
	}
	storetest.RecoveryAfterMigration(t, migrated(t, u))
}
