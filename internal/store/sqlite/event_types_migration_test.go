package sqlite_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestEventTypesMigrateFromAnOlderSchema migrates a file of the release
// before the event-type catalog (every migration before 010) with an
// endpoint, an event and its queued delivery: nothing is lost and the new,
// empty catalog takes types.
func TestEventTypesMigrateFromAnOlderSchema(t *testing.T) {
	path := testdb.SQLitePath(t)
	olderFile(t, path, 10, storetest.RowsBeforeEventTypes)
	storetest.EventTypesAfterMigration(t, migrated(t, path))
}
