package postgres_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestEventTypesMigrateFromAnOlderSchema migrates a database of the release
// before the event-type catalog (every migration before 015) with an
// endpoint, an event and its queued delivery: nothing is lost and the new,
// empty catalog takes types.
func TestEventTypesMigrateFromAnOlderSchema(t *testing.T) {
	u := testdb.PostgresURL(t)
	olderSchema(t, u, "migrations", 15, storetest.RowsBeforeEventTypes)
	storetest.EventTypesAfterMigration(t, migrated(t, u))
}
