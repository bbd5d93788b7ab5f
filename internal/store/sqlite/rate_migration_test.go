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
	olderFile(t, path, 4, storetest.RowsBeforeRateLimits)
	storetest.RateLimitsAfterMigration(t, migrated(t, path))
}
