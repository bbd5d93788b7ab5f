package postgres_test

import (
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
	olderSchema(t, u, "migrations", 7, storetest.RowsBeforeRateLimits)
	storetest.RateLimitsAfterMigration(t, migrated(t, u))
}
