package postgres_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestEventDataMigratesToText migrates a schema of the release before event
// data became text (migrations 001 and 002, with an event and its delivery
// in it): nothing is lost, the event keeps the text of its JSONB value, and
// its pending delivery is still sent.
func TestEventDataMigratesToText(t *testing.T) {
	u := testdb.PostgresURL(t)
	conn := olderSchema(t, u, "migrations", 3, `
		INSERT INTO webhooks (id, target_url, secret) VALUES (1, 'https://a.example/hook', 'secret-0123456789');
		INSERT INTO webhook_events (id, type, data, priority)
		VALUES ('0190b6a4-0000-7000-8000-000000000001', 'document.created', '{"z": 1, "a": [1.50, "\u00e9"]}', 4);
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, priority)
		VALUES (1, '0190b6a4-0000-7000-8000-000000000001', 'document.created', '{"z": 1, "a": [1.50, "\u00e9"]}', 4)`)
	var before string
	if err := conn.QueryRow(t.Context(), `SELECT data::text FROM webhook_events`).Scan(&before); err != nil {
		t.Fatal(err)
	}

	s := migrated(t, u)
	ev, err := s.GetEvent(t.Context(), "0190b6a4-0000-7000-8000-000000000001")
	if err != nil {
		t.Fatalf("get the migrated event: %v", err)
	}
	if string(ev.Data) != before || ev.Type != "document.created" || ev.Priority != 4 {
		t.Errorf("migrated event %+v with data %s, want the data %s", ev, ev.Data, before)
	}
	var dataType string
	if err := conn.QueryRow(t.Context(), `
		SELECT data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'webhook_events' AND column_name = 'data'`).Scan(&dataType); err != nil || dataType != "text" {
		t.Errorf("webhook_events.data is %q (%v), want text", dataType, err)
	}
	claimed, err := s.Claim(t.Context(), store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "test"})
	if err != nil || len(claimed) != 1 || string(claimed[0].Event.Data) != before {
		t.Fatalf("claim after the migration: %+v, %v; want the old delivery with its data", claimed, err)
	}
}

// TestPublishTxLeavesTheCallersTransactionUsable publishes, in the caller's
// transaction, an event that is refused and one whose writes fail in the
// database: both are errors, and the caller's transaction goes on and
// commits its own write.
func TestPublishTxLeavesTheCallersTransactionUsable(t *testing.T) {
	u := testdb.PostgresURL(t)
	s := migrated(t, u)
	if _, err := s.CreateEndpoint(t.Context(), store.Endpoint{URL: "https://a.example", Secret: "s", Active: true}); err != nil {
		t.Fatal(err)
	}
	conn := testdb.Connect(t, u)
	if _, err := conn.Exec(t.Context(), `
		CREATE TABLE app_rows (n INT);
		ALTER TABLE webhook_deliveries ADD CONSTRAINT test_fails CHECK (event_type <> 'test.fails')`); err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(t.Context()) })
	_, err = postgres.PublishTx(t.Context(), tx, store.Event{Type: "a.b", Data: json.RawMessage(`{"k":"\u0000"}`)}, store.PublishOptions{})
	var fe *store.FieldError
	if !errors.As(err, &fe) || fe.Field != "data" {
		t.Errorf("publish of a NUL escape: %v, want a *store.FieldError for data", err)
	}
	// A constraint of the test's makes the deliveries' insert fail in the
	// database, after the event's insert succeeded.
	failing, err := postgres.PublishTx(t.Context(), tx, store.Event{Type: "test.fails"}, store.PublishOptions{})
	if err == nil {
		t.Fatalf("publish against a failing constraint succeeded: %+v", failing)
	}
	mustExec(t, tx, `INSERT INTO app_rows VALUES (1)`)
	res, err := postgres.PublishTx(t.Context(), tx, store.Event{Type: "a.b"}, store.PublishOptions{})
	if err != nil || res.Deliveries != 1 {
		t.Fatalf("publish after two failures: %+v, %v", res, err)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatalf("commit the caller's transaction: %v", err)
	}
	var rows, failedEvents int
	if err := conn.QueryRow(t.Context(), `
		SELECT (SELECT count(*) FROM app_rows), (SELECT count(*) FROM webhook_events WHERE type = 'test.fails')`).Scan(&rows, &failedEvents); err != nil || rows != 1 || failedEvents != 0 {
		t.Errorf("after commit: %d app rows, %d events of the failed publish (%v); want 1 and 0", rows, failedEvents, err)
	}
}

func mustExec(t *testing.T, tx pgx.Tx, sql string) {
	t.Helper()
	if _, err := tx.Exec(t.Context(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
