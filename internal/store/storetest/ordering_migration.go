package storetest

import (
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// RowsBeforeOrderingKeys are the rows that the tests of both stores put in
// a database of the release before ordering keys (one endpoint, one event,
// its queued delivery), in SQL that both stores run, before
// OrderingKeysAfterMigration checks them.
const RowsBeforeOrderingKeys = `
		INSERT INTO webhooks (title, target_url, secret, created_by) VALUES ('plain', 'https://a.example/hook', 'secret-a-0123456789', 'api');
		INSERT INTO webhook_events (id, type, data) VALUES ('11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
			SELECT id, '11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}' FROM webhooks`

// OrderingKeysAfterMigration checks s, a store just migrated from a release
// before ordering keys with one endpoint, event
// 11111111-2222-4333-8444-555555555555 (document.created) and its queued
// delivery in it (RowsBeforeOrderingKeys): the event is kept without a key, an event published
// afterwards keeps its key, and a claim hands out the old delivery (no
// key) before the new one.
func OrderingKeysAfterMigration(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	ev, err := s.GetEvent(ctx, "11111111-2222-4333-8444-555555555555")
	if err != nil || ev.OrderingKey != "" || ev.Type != "document.created" {
		t.Fatalf("event %+v (%v), want the stored one without a key", ev, err)
	}
	if _, err := s.Publish(ctx, store.Event{Type: "document.created", OrderingKey: "doc-1"}, store.PublishOptions{MaxRetries: 3}); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim = %d (%v), want the old delivery and the new one", len(claimed), err)
	}
	if claimed[0].Event.ID != ev.ID || claimed[0].Delivery.OrderingKey != "" || claimed[1].Delivery.OrderingKey != "doc-1" {
		t.Errorf("claimed %+v, %+v; want the old delivery without a key, then the new one with doc-1", claimed[0].Delivery, claimed[1].Delivery)
	}
}
