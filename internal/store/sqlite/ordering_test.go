package sqlite_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestMigrateToOrderingKeys migrates a file that the release before
// ordering keys migrated (every migration before 005), with an event and a
// queued delivery in it: both are kept, read with no key, and the delivery
// is claimed as before; events published afterwards keep their key.
func TestMigrateToOrderingKeys(t *testing.T) {
	path := testdb.SQLitePath(t)
	olderFile(t, path, 5, storetest.RowsBeforeOrderingKeys)

	storetest.OrderingKeysAfterMigration(t, migrated(t, path))
}
