package sqlite_test

import (
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// TestMaintainerLeaseMigratesFromAnOlderSchema migrates a file of the
// release before the maintainer's lease (migrations 001 and 002, with an
// endpoint and a pending delivery in it): nothing is lost, and the lease
// works on the migrated file.
func TestMaintainerLeaseMigratesFromAnOlderSchema(t *testing.T) {
	path := testdb.SQLitePath(t)
	olderFile(t, path, 3, `
		INSERT INTO webhooks (id, target_url, secret) VALUES (1, 'https://a.example/hook', 'secret-0123456789');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
		VALUES (1, '0190b6a4-0000-7000-8000-000000000001', 'document.created', '{"n": 1}')`)

	s := migrated(t, path)
	e, err := s.GetEndpoint(t.Context(), 1)
	if err != nil || e.URL != "https://a.example/hook" {
		t.Fatalf("endpoint after migrating: %+v, %v", e, err)
	}
	claimed, err := s.Claim(t.Context(), store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 1 || claimed[0].Delivery.EventID != "0190b6a4-0000-7000-8000-000000000001" {
		t.Fatalf("claimed %d deliveries after migrating, want the one pending (%v)", len(claimed), err)
	}
	m, ok, err := s.TryMaintain(t.Context(), "migrated", time.Minute)
	if err != nil || !ok {
		t.Fatalf("TryMaintain on the migrated file = %v, %v", ok, err)
	}
	m.Release()
}

// TestMaintainerLeaseOfADeadHolderExpires: a process holding the
// maintainer's lease goes away without releasing it (its store closes under
// it, so that it can neither renew nor delete the row); another process on
// the file takes the lease over once it has expired, within its ttl.
func TestMaintainerLeaseOfADeadHolderExpires(t *testing.T) {
	path := testdb.SQLitePath(t)
	other := migrated(t, path)
	dying, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	const ttl = 300 * time.Millisecond
	held, ok, err := dying.TryMaintain(t.Context(), "dying", ttl)
	if err != nil || !ok {
		t.Fatalf("TryMaintain = %v, %v; want the maintainership", ok, err)
	}
	if _, ok, err := other.TryMaintain(t.Context(), "other", ttl); err != nil || ok {
		t.Fatalf("TryMaintain while held = %v, %v; want refused", ok, err)
	}
	dying.Close()
	testwait.Receive(t, held.Lost(), "the dead holder's maintainership ends")
	var m store.Maintainership
	testwait.Until(t, "the other process takes the expired lease", func() bool {
		m, ok, err = other.TryMaintain(t.Context(), "other", ttl)
		if err != nil {
			t.Fatalf("TryMaintain: %v", err)
		}
		return ok
	})
	m.Release()
}
