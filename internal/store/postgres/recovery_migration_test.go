package postgres_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

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
	conn := connect(t, u)
	applyMigrationsBefore(t, conn, 10)
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

// applyMigrationsBefore applies the embedded migrations below version to
// the empty schema of conn and records them, as a release that had only
// those left its database.
func applyMigrationsBefore(t *testing.T, conn *pgx.Conn, version int) {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), `
		CREATE TABLE hookrelay_schema_migrations (
			version INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		v, _ := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if v >= version {
			continue
		}
		sql, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(t.Context(), string(sql)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := conn.Exec(t.Context(), `INSERT INTO hookrelay_schema_migrations (version, name) VALUES ($1, $2)`, v, name); err != nil {
			t.Fatal(err)
		}
	}
}
