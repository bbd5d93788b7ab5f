package postgres_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestVerificationMigratesFromAnOlderSchema migrates a database that the
// release before endpoint verification migrated (every migration before
// 011), with an endpoint and a queued delivery in it: the endpoint keeps
// every field and is verified (trusted, as before), and its delivery is
// claimed as before.
func TestVerificationMigratesFromAnOlderSchema(t *testing.T) {
	ctx := t.Context()
	u := testdb.PostgresURL(t)
	conn := testdb.Connect(t, u)
	applyBelow(t, conn, "migrations", 11)
	const rows = `
		INSERT INTO webhooks (title, target_url, secret, created_by, rate_limit_per_second)
			VALUES ('plain', 'https://a.example/hook', 'secret-a-0123456789', 'api', 7);
		INSERT INTO webhook_events (id, type, data) VALUES ('11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
			SELECT id, '11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}' FROM webhooks`
	if _, err := conn.Exec(ctx, rows); err != nil {
		t.Fatalf("rows before verification: %v", err)
	}

	storetest.VerificationAfterMigration(t, migrated(t, u))
}
