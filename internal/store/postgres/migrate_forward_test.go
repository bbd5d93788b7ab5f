package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// olderSchema brings the empty schema at databaseURL to what an earlier
// release left behind, for the tests that a database migrates forward with
// nothing lost: it creates hookrelay_schema_migrations, applies and records
// the migrations of dir ("migrations", or a release's copy under testdata)
// numbered below before (testdb.ApplyMigrationsBelow), then runs rows (the
// release's data: one or more statements). It returns its connection to
// the schema, closed when t ends.
func olderSchema(t *testing.T, databaseURL, dir string, before int, rows string) *pgx.Conn {
	t.Helper()
	conn := testdb.Connect(t, databaseURL)
	applyBelow(t, conn, dir, before)
	if _, err := conn.Exec(t.Context(), rows); err != nil {
		t.Fatalf("fill the older schema: %v", err)
	}
	return conn
}

// applyBelow creates hookrelay_schema_migrations on conn's schema, then
// applies and records the migrations of dir numbered below before
// (testdb.ApplyMigrationsBelow).
func applyBelow(t *testing.T, conn *pgx.Conn, dir string, before int) {
	t.Helper()
	exec := func(query string, args ...any) error {
		_, err := conn.Exec(t.Context(), query, args...)
		return err
	}
	if err := exec(`
		CREATE TABLE hookrelay_schema_migrations (
			version INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	testdb.ApplyMigrationsBelow(t, dir, before, `INSERT INTO hookrelay_schema_migrations (version, name) VALUES ($1, $2)`, exec)
}

// TestMigrateToOrderingKeys migrates a database that the release before
// ordering keys migrated (every migration before 008), with an event and a
// queued delivery in it: both are kept, read with no key, and the delivery
// is claimed as before; events published afterwards keep their key.
func TestMigrateToOrderingKeys(t *testing.T) {
	u := testdb.PostgresURL(t)
	olderSchema(t, u, "migrations", 8, storetest.RowsBeforeOrderingKeys)

	storetest.OrderingKeysAfterMigration(t, migrated(t, u))
}

// TestRateLimitsMigrateFromAnOlderSchema migrates a schema of the release
// before rate limits (migrations 001 to 006, with an endpoint and a pending
// delivery in it): nothing is lost, the endpoint is unlimited, its delivery
// is claimed, and a limit set afterwards holds.
func TestRateLimitsMigrateFromAnOlderSchema(t *testing.T) {
	u := testdb.PostgresURL(t)
	olderSchema(t, u, "migrations", 7, storetest.RowsBeforeRateLimits)
	storetest.RateLimitsAfterMigration(t, migrated(t, u))
}

// TestMigrateToTraceContext migrates a database that the release before
// trace contexts migrated (every migration before 013), with an event and a
// queued delivery in it: both are kept, without a trace context, and events
// published afterwards keep theirs.
func TestMigrateToTraceContext(t *testing.T) {
	u := testdb.PostgresURL(t)
	olderSchema(t, u, "migrations", 13, storetest.RowsBeforeTraceContext)
	storetest.TraceContextAfterMigration(t, migrated(t, u))
}
