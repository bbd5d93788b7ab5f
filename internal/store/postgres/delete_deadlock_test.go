package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestDeleteEndpointOutlivesADeadlockWithAnOutcome: a transaction that, as
// a worker writing outcomes does, locks a delivery and then its endpoint's
// row, meets a DeleteEndpoint that locked the row and cascades to the
// delivery. PostgreSQL fails the delete, which waited first (SQLSTATE
// 40P01); DeleteEndpoint tries again once the outcome commits, and the
// endpoint is gone.
func TestDeleteEndpointOutlivesADeadlockWithAnOutcome(t *testing.T) {
	u := testdb.PostgresURL(t)
	s := migrated(t, u)
	ctx := t.Context()
	e, err := s.CreateEndpoint(ctx, store.Endpoint{URL: "https://a.example", Secret: "s", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(ctx, store.Event{Type: "document.created"}, store.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	conn := testdb.Connect(t, u)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(t.Context()) })
	// The outcome's first lock: the delivery.
	if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET last_error = 'writing' WHERE webhook_id = $1`, e.ID); err != nil {
		t.Fatal(err)
	}
	deleted := make(chan error, 1)
	go func() { deleted <- s.DeleteEndpoint(ctx, e.ID) }()
	// Wait until the delete holds the endpoint's row and waits for the
	// delivery.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting bool
		err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM webhooks%')`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the delete never waited for the delivery's lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The outcome's second lock: the endpoint's health, held by the delete:
	// a deadlock, which PostgreSQL breaks by failing the delete.
	if _, err := tx.Exec(ctx, `UPDATE webhooks SET failure_count = failure_count WHERE id = $1`, e.ID); err != nil {
		t.Fatalf("the outcome's update failed, not the delete: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-deleted:
		if err != nil {
			t.Fatalf("DeleteEndpoint: %v, want it to succeed after the deadlock", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("DeleteEndpoint never returned")
	}
	if _, err := s.GetEndpoint(ctx, e.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetEndpoint after the delete: %v, want ErrNotFound", err)
	}
}
