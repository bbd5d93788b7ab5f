package sqlite_test

import (
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestMigrateToOrderingKeys migrates a file that the release before
// ordering keys migrated (every migration before 005), with an event and a
// queued delivery in it: both are kept, read with no key, and the delivery
// is claimed as before; events published afterwards keep their key.
func TestMigrateToOrderingKeys(t *testing.T) {
	ctx := t.Context()
	path := testdb.SQLitePath(t)
	olderFile(t, path, 5, `
		INSERT INTO webhooks (title, target_url, secret, created_by) VALUES ('plain', 'https://a.example/hook', 'secret-a-0123456789', 'api');
		INSERT INTO webhook_events (id, type, data) VALUES ('11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
			SELECT id, '11111111-2222-4333-8444-555555555555', 'document.created', '{"doc_id": "d-1"}' FROM webhooks`)

	s := migrated(t, path)
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
