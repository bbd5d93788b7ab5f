package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		path := testdb.SQLitePath(t)
		return foreignRows{migrated(t, path), path}
	})
}

// TestStoreEncrypted runs the suite through the wrapper that keeps secrets
// encrypted at rest: with a key, a store behaves the same.
func TestStoreEncrypted(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		path := testdb.SQLitePath(t)
		return foreignRows{testenv.Sealed(t, migrated(t, path)), path}
	})
}

// foreignRows is a store whose file another program writes too
// (storetest.ForeignWriter).
type foreignRows struct {
	store.Store
	path string
}

// InsertForeignDelivery inserts a delivery row alone, with no event record,
// through a connection of its own.
func (s foreignRows) InsertForeignDelivery(ctx context.Context, endpointID int64, eventID, eventType, payload string, createdAt time.Time) error {
	db, err := sql.Open("sqlite", sqlite.DSN(s.path))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `
		INSERT INTO webhook_deliveries (webhook_id, event_type, event_id, payload, created_at, scheduled_for)
		VALUES (?, ?, ?, ?, ?, ?)`, endpointID, eventType, eventID, payload, createdAt.UnixMicro(), createdAt.UnixMicro())
	return err
}

// EndSlowDown ends the slow-down of endpoint endpointID a second ago.
func (s foreignRows) EndSlowDown(ctx context.Context, endpointID int64) error {
	db, err := sql.Open("sqlite", sqlite.DSN(s.path))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `UPDATE hookrelay_endpoint_rates SET slow_until = ? WHERE webhook_id = ?`,
		time.Now().Add(-time.Second).UnixMicro(), endpointID)
	return err
}

// migrated opens a store on the file at path and migrates it.
func migrated(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s := open(t, path)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// open opens a store on the file at path, closed when t ends.
func open(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestMigrateBesideAnotherTool migrates a file where the application's
// migration tool already keeps a schema_migrations table (golang-migrate's):
// hookrelay records its migrations in a table of its own and leaves that one
// alone.
func TestMigrateBesideAnotherTool(t *testing.T) {
	path := testdb.SQLitePath(t)
	db := openDSN(t, path)
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (20240101120000, false)`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	storetest.MigrateNew(t, open(t, path))
	var theirs, ours int
	err := db.QueryRowContext(t.Context(), `
		SELECT (SELECT count(*) FROM schema_migrations WHERE version = 20240101120000 AND NOT dirty),
		       (SELECT count(*) FROM hookrelay_schema_migrations)`).Scan(&theirs, &ours)
	if err != nil || theirs != 1 || ours == 0 {
		t.Errorf("schema_migrations has %d rows of the other tool, hookrelay_schema_migrations %d rows (%v); want 1 and some", theirs, ours, err)
	}
}

func TestOpenAnyPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd dir?#%", "hook relay?.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s := migrated(t, path)
	ep, err := s.CreateEndpoint(t.Context(), store.Endpoint{URL: "https://a.example", Secret: "s", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path given: %v", err)
	}
	if _, err := open(t, path).GetEndpoint(t.Context(), ep.ID); err != nil {
		t.Errorf("reopened store: %v", err)
	}
	for _, bad := range []string{"", ":memory:"} {
		if _, err := sqlite.Open(t.Context(), bad); err == nil {
			t.Errorf("Open(%q) succeeded, want an error", bad)
		}
	}
}

// TestDurableSettings pins the settings that DSN, and so every connection of
// the store, applies: a commit is synced (synchronous FULL in WAL mode) so
// that it survives a crash of the process or of the machine.
func TestDurableSettings(t *testing.T) {
	db := openDSN(t, testdb.SQLitePath(t))
	want := map[string]string{
		"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000", "temp_store": "2",
	}
	for pragma, value := range want {
		var got string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != value {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, value)
		}
	}
}

// TestStoresShareAFile runs two stores on one new file, as two processes
// do: both migrate it at once, then one publishes while the other claims and
// completes. Their writers wait for each other's lock rather than fail.
func TestStoresShareAFile(t *testing.T) {
	path := testdb.SQLitePath(t)
	publisher, worker := open(t, path), open(t, path)
	if current, err := worker.MigrationsCurrent(t.Context()); err != nil || current {
		t.Fatalf("MigrationsCurrent on a new file = %v, %v; want false", current, err)
	}
	var migrations sync.WaitGroup
	for _, s := range []*sqlite.Store{publisher, worker} {
		migrations.Go(func() {
			if err := s.Migrate(t.Context()); err != nil {
				t.Errorf("migrate: %v", err)
			}
		})
	}
	testwait.Group(t, &migrations, "migrations")
	if current, err := worker.MigrationsCurrent(t.Context()); err != nil || !current {
		t.Fatalf("MigrationsCurrent = %v, %v; want true", current, err)
	}
	addEndpoints(t, publisher, 2)
	const events, deliveries = 100, 200
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range events / 4 {
				if _, err := publishOne(t.Context(), publisher); err != nil {
					t.Errorf("publish: %v", err)
					return
				}
			}
		})
	}
	done := 0
	storetest.Eventually(t, "every delivery completed", func() bool {
		claimed, err := worker.Claim(t.Context(), store.ClaimRequest{Limit: 50, Lease: time.Minute, Worker: "w"})
		if err != nil {
			t.Fatalf("claim: %v", err)
		}
		res, err := worker.Complete(t.Context(), deliveredAll(claimed), store.HealthPolicy{})
		if err != nil {
			t.Fatalf("complete: %v", err)
		}
		done += res.Applied
		return done == deliveries
	})
	testwait.Group(t, &wg, "publishers")
}

func TestClaimSetsTheSeedsNextRetryTime(t *testing.T) {
	s := migrated(t, testdb.SQLitePath(t))
	addEndpoints(t, s, 1)
	if _, err := publishOne(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	for retry, minutes := range []time.Duration{1, 2, 4} {
		before := time.Now()
		claimed, err := s.Claim(t.Context(), store.ClaimRequest{Limit: 1, Lease: time.Minute, Worker: "w"})
		if err != nil || len(claimed) != 1 || claimed[0].Lease.RetryCount != retry {
			t.Fatalf("claim at retry %d: %+v, %v", retry, claimed, err)
		}
		next := *claimed[0].Delivery.NextRetryAt
		if low, high := before.Add(minutes*time.Minute), time.Now().Add(minutes*time.Minute*13/10); next.Before(low) || next.After(high) {
			t.Errorf("retry %d: next retry at %v, want between %v and %v", retry, next, low, high)
		}
		out := store.Outcome{Lease: claimed[0].Lease, Result: store.ResultRetry, RetryAt: time.Now().Add(-time.Second)}
		if _, err := s.Complete(t.Context(), []store.Outcome{out}, store.HealthPolicy{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWakeupsReachEverySubscriber(t *testing.T) {
	s := migrated(t, testdb.SQLitePath(t))
	addEndpoints(t, s, 1)
	ctx, cancel := context.WithCancel(t.Context())
	first, second := s.Wakeups(ctx), s.Wakeups(t.Context())
	if _, err := publishOne(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	for _, wake := range []<-chan struct{}{first, second} {
		if !receive(t, wake) {
			t.Fatal("wakeups closed")
		}
	}
	cancel()
	if receive(t, first) {
		t.Error("wakeups of a cancelled context did not close")
	}
	if _, err := publishOne(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if !receive(t, second) {
		t.Error("the other subscriber was not woken")
	}
}

// receive receives from wake and reports whether it is still open, failing
// t after five seconds.
func receive(t *testing.T, wake <-chan struct{}) bool {
	t.Helper()
	select {
	case _, ok := <-wake:
		return ok
	case <-time.After(5 * time.Second):
		t.Fatal("nothing on the wakeup channel after 5s")
		return false
	}
}

// addEndpoints adds n active endpoints that subscribe to every event.
func addEndpoints(tb testing.TB, s store.Store, n int) {
	tb.Helper()
	for i := range n {
		e := store.Endpoint{URL: fmt.Sprintf("https://receiver-%d.example/hook", i), Secret: "secret", Active: true}
		if _, err := s.CreateEndpoint(tb.Context(), e); err != nil {
			tb.Fatal(err)
		}
	}
}

// publishOne publishes a new document.created event.
func publishOne(ctx context.Context, s store.Store) (store.PublishResult, error) {
	return s.Publish(ctx, store.Event{Type: "document.created"}, store.PublishOptions{MaxRetries: 3})
}

// deliveredAll is a delivered outcome for each of claimed.
func deliveredAll(claimed []store.Claimed) []store.Outcome {
	outcomes := make([]store.Outcome, len(claimed))
	for i, c := range claimed {
		outcomes[i] = store.Outcome{Lease: c.Lease, Result: store.ResultDelivered, Attempt: store.Attempt{Attempt: 1, StartedAt: time.Now()}}
	}
	return outcomes
}
