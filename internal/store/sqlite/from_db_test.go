package sqlite_test

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

func TestStoreOnTheCallersHandle(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		path := testdb.SQLitePath(t)
		s := sqlite.New(openDSN(t, path))
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("migrate through the caller's handle: %v", err)
		}
		return foreignRows{s, path}
	})
}

func TestPublishTxOnTheCallersHandle(t *testing.T) {
	db := openDSN(t, testdb.SQLitePath(t))
	s := sqlite.New(db)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateEndpoint(t.Context(), store.Endpoint{URL: "https://a.example", Secret: "s", Active: true}); err != nil {
		t.Fatal(err)
	}
	publishIn := func(commit bool) string {
		tx, err := db.BeginTx(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { // a test failing inside the transaction leaves no connection busy
			if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
				t.Errorf("roll back the test's transaction: %v", err)
			}
		})
		res, err := sqlite.PublishTx(t.Context(), tx, store.Event{Type: "document.created"}, store.PublishOptions{})
		if err != nil || res.Deliveries != 1 {
			t.Fatalf("PublishTx = %+v, %v; want 1 delivery", res, err)
		}
		end := tx.Rollback
		if commit {
			end = tx.Commit
		}
		if err := end(); err != nil {
			t.Fatal(err)
		}
		return res.Event.ID
	}
	if _, err := s.GetEvent(t.Context(), publishIn(false)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("event of a rolled back transaction: %v, want not found", err)
	}
	ds, err := s.ListDeliveries(t.Context(), store.DeliveryFilter{EventID: publishIn(true)})
	if err != nil || len(ds) != 1 {
		t.Errorf("deliveries of a committed publish: %d, %v; want 1", len(ds), err)
	}
}

// openDSN opens the caller's handle of the file at path, as an application
// does, closed when t ends.
func openDSN(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
