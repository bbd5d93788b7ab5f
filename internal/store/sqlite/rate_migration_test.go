package sqlite_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestRateLimitsMigrateFromAnOlderSchema migrates a file of the release
// before rate limits (migrations 001 to 003, with an endpoint and pending
// deliveries in it): nothing is lost, the endpoint is unlimited, and a
// limit set afterwards holds.
func TestRateLimitsMigrateFromAnOlderSchema(t *testing.T) {
	path := testdb.SQLitePath(t)
	olderFile(t, path, 4, `
		INSERT INTO webhooks (id, target_url, secret, title) VALUES (1, 'https://a.example/hook', 'secret-0123456789', 'old');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
		VALUES (1, '0190b6a4-0000-7000-8000-000000000001', 'document.created', '{"n": 1}'),
		       (1, '0190b6a4-0000-7000-8000-000000000002', 'document.created', '{"n": 2}'),
		       (1, '0190b6a4-0000-7000-8000-000000000003', 'document.created', '{"n": 3}')`)
	storetest.RateLimitsAfterMigration(t, migrated(t, path))
}
