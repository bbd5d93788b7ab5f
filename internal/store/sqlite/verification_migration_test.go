package sqlite_test

import (
	"database/sql"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestVerificationMigratesFromAnOlderSchema migrates a file that the
// release before endpoint verification migrated (every migration before
// 007), with an endpoint and a queued delivery in it: the endpoint keeps
// every field and is verified (trusted, as before), and its delivery is
// claimed as before.
func TestVerificationMigratesFromAnOlderSchema(t *testing.T) {
	ctx := t.Context()
	path := testdb.SQLitePath(t)
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	applyBelow(t, db, 7)
	for _, q := range []string{
		`INSERT INTO webhooks (title, target_url, secret, created_by, rate_limit_per_second)
			VALUES ('plain', 'https://a.example/hook', 'secret-a-0123456789', 'api', 7)`,
		`INSERT INTO webhook_events (id, type, data) VALUES ('11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}')`,
		`INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
			SELECT id, '11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}' FROM webhooks`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("rows before verification: %v", err)
		}
	}
	db.Close()

	storetest.VerificationAfterMigration(t, migrated(t, path))
}
