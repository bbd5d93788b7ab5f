package sqlite_test

import (
	"database/sql"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// olderFile brings the new file at path to what an earlier release left
// behind, for the tests that a file migrates forward with nothing lost: it
// creates hookrelay_schema_migrations, applies and records the migrations
// numbered below before (testdb.ApplyMigrationsBelow), then runs rows (the
// release's data: one or more statements). It closes its connection before
// it returns, so that the store the test opens next is the file's only user.
func olderFile(t *testing.T, path string, before int, rows string) {
	t.Helper()
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	applyBelow(t, db, before)
	if _, err := db.ExecContext(t.Context(), rows); err != nil {
		t.Fatalf("fill the older file: %v", err)
	}
}

// applyBelow creates hookrelay_schema_migrations in db, then applies and
// records the migrations numbered below before (testdb.ApplyMigrationsBelow).
func applyBelow(t *testing.T, db *sql.DB, before int) {
	t.Helper()
	exec := func(query string, args ...any) error {
		_, err := db.ExecContext(t.Context(), query, args...)
		return err
	}
	if err := exec(`
		CREATE TABLE hookrelay_schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL DEFAULT 0)`); err != nil {
		t.Fatal(err)
	}
	testdb.ApplyMigrationsBelow(t, "migrations", before, `INSERT INTO hookrelay_schema_migrations (version, name) VALUES (?, ?)`, exec)
}

// TestMigrateToOrderingKeys migrates a file that the release before
// ordering keys migrated (every migration before 005), with an event and a
// queued delivery in it: both are kept, read with no key, and the delivery
// is claimed as before; events published afterwards keep their key.
func TestMigrateToOrderingKeys(t *testing.T) {
	path := testdb.SQLitePath(t)
	olderFile(t, path, 5, storetest.RowsBeforeOrderingKeys)

	storetest.OrderingKeysAfterMigration(t, migrated(t, path))
}

// TestRateLimitsMigrateFromAnOlderSchema migrates a file of the release
// before rate limits (migrations 001 to 003, with an endpoint and pending
// deliveries in it): nothing is lost, the endpoint is unlimited, and a
// limit set afterwards holds.
func TestRateLimitsMigrateFromAnOlderSchema(t *testing.T) {
	path := testdb.SQLitePath(t)
	olderFile(t, path, 4, storetest.RowsBeforeRateLimits)
	storetest.RateLimitsAfterMigration(t, migrated(t, path))
}

// TestMigrateToTraceContext migrates a file that the release before trace
// contexts migrated (every migration before 008), with an event and a
// queued delivery in it: both are kept, without a trace context, and events
// published afterwards keep theirs.
func TestMigrateToTraceContext(t *testing.T) {
	path := testdb.SQLitePath(t)
	olderFile(t, path, 8, storetest.RowsBeforeTraceContext)
	storetest.TraceContextAfterMigration(t, migrated(t, path))
}
