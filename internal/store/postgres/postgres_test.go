package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/postgres"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		u := testdb.PostgresURL(t)
		return foreignRows{migrated(t, u), u}
	})
}

// TestStoreEncrypted runs the suite through the wrapper that keeps secrets
// encrypted at rest: with a key, a store behaves the same.
func TestStoreEncrypted(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		u := testdb.PostgresURL(t)
		return foreignRows{testenv.Sealed(t, migrated(t, u)), u}
	})
}

// foreignRows is a store whose database another program writes too
// (storetest.ForeignWriter), as Ackify CE does.
type foreignRows struct {
	store.Store
	url string
}

// InsertForeignDelivery inserts a delivery row alone, as Ackify's Enqueue does.
func (s foreignRows) InsertForeignDelivery(ctx context.Context, endpointID int64, eventID, eventType, payload string, createdAt time.Time) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, `
		INSERT INTO webhook_deliveries (webhook_id, event_type, event_id, payload, created_at, scheduled_for)
		VALUES ($1, $2, $3, $4, $5, $5)`, endpointID, eventType, eventID, payload, createdAt)
	return err
}

// EndSlowDown ends the slow-down of endpoint endpointID a second ago.
func (s foreignRows) EndSlowDown(ctx context.Context, endpointID int64) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, `UPDATE hookrelay_endpoint_rates SET slow_until = now() - interval '1 second'
		WHERE webhook_id = $1`, endpointID)
	return err
}

func TestConcurrentMigrations(t *testing.T) {
	u := testdb.PostgresURL(t)
	stores := []*postgres.Store{open(t, u), open(t, u), open(t, u)}
	if current, err := stores[0].MigrationsCurrent(t.Context()); err != nil || current {
		t.Fatalf("MigrationsCurrent on an empty schema = %v, %v; want false", current, err)
	}
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			if err := s.Migrate(t.Context()); err != nil {
				t.Errorf("process %d: migrate: %v", i, err)
			}
		})
	}
	testwait.Group(t, &wg, "migrating processes")
	for i, s := range stores {
		if current, err := s.MigrationsCurrent(t.Context()); err != nil || !current {
			t.Errorf("process %d: MigrationsCurrent = %v, %v; want true", i, current, err)
		}
	}
}

// TestMigrateBesideAnotherTool migrates a schema where the application's
// migration tool already keeps a schema_migrations table (golang-migrate's):
// hookrelay records its migrations in a table of its own and leaves that one
// alone.
func TestMigrateBesideAnotherTool(t *testing.T) {
	u := testdb.PostgresURL(t)
	conn := testdb.Connect(t, u)
	const golangMigrate = `
		CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
		INSERT INTO schema_migrations VALUES (20240101120000, false)`
	if _, err := conn.Exec(t.Context(), golangMigrate); err != nil {
		t.Fatal(err)
	}
	storetest.MigrateNew(t, open(t, u))
	var theirs, ours int
	err := conn.QueryRow(t.Context(), `
		SELECT (SELECT count(*) FROM schema_migrations WHERE version = 20240101120000 AND NOT dirty),
		       (SELECT count(*) FROM hookrelay_schema_migrations)`).Scan(&theirs, &ours)
	if err != nil || theirs != 1 || ours == 0 {
		t.Errorf("schema_migrations has %d rows of the other tool, hookrelay_schema_migrations %d rows (%v); want 1 and some", theirs, ours, err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://hookrelay:s3cret@127.0.0.1:1/db?sslmode=disable&connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "connect to PostgreSQL at 127.0.0.1:1") {
		t.Errorf("error %v, want it to say which server did not answer", err)
	}
	if err != nil && strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q shows the password", err)
	}
	if _, err := postgres.Open(t.Context(), "postgres://%zz"); err == nil {
		t.Error("no error for a malformed URL")
	}
}

func TestPublishTxFollowsTheCallersTransaction(t *testing.T) {
	u := testdb.PostgresURL(t)
	s := migrated(t, u)
	if _, err := s.CreateEndpoint(t.Context(), store.Endpoint{URL: "https://a.example", Secret: "s", Active: true}); err != nil {
		t.Fatal(err)
	}
	conn := testdb.Connect(t, u)
	publishIn := func(commit bool) string {
		tx, err := conn.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		rollBackAtEnd(t, tx)
		res, err := postgres.PublishTx(t.Context(), tx, store.Event{Type: "document.created", Data: json.RawMessage(`{}`)}, store.PublishOptions{})
		if err != nil || res.Deliveries != 1 {
			t.Fatalf("PublishTx = %+v, %v; want 1 delivery", res, err)
		}
		if res.Event.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt %v is not in UTC", res.Event.CreatedAt)
		}
		end := tx.Rollback
		if commit {
			end = tx.Commit
		}
		if err := end(t.Context()); err != nil {
			t.Fatal(err)
		}
		return res.Event.ID
	}
	rolledBack := publishIn(false)
	if _, err := s.GetEvent(t.Context(), rolledBack); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("event of a rolled back transaction: %v, want not found", err)
	}
	committed := publishIn(true)
	ds, err := s.ListDeliveries(t.Context(), store.DeliveryFilter{EventID: committed})
	if err != nil || len(ds) != 1 {
		t.Errorf("deliveries of a committed publish: %d, %v; want 1", len(ds), err)
	}
}

// rollBackAtEnd rolls tx back when t ends, so that a test failing inside it
// leaves no connection busy for the pool's Close to wait on.
func rollBackAtEnd(t *testing.T, tx pgx.Tx) {
	t.Helper()
	t.Cleanup(func() {
		if err := tx.Rollback(context.Background()); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
			t.Errorf("roll back the test's transaction: %v", err)
		}
	})
}

func TestWakeupsReconnect(t *testing.T) {
	u, err := url.Parse(testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	name := "wakeups-" + strings.TrimPrefix(u.Query().Get("search_path"), "test_")
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	s := migrated(t, u.String())
	if _, err := s.CreateEndpoint(t.Context(), store.Endpoint{URL: "https://a.example", Secret: "s", Active: true}); err != nil {
		t.Fatal(err)
	}
	admin := testdb.Connect(t, u.String())

	// listener returns the backend of the store's LISTEN connection, 0 when
	// there is none.
	listener := func() int {
		var pid int
		err := admin.QueryRow(t.Context(), `
			SELECT pid FROM pg_stat_activity
			WHERE application_name = $1 AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`, name).Scan(&pid)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		return pid
	}
	wake := s.Wakeups(t.Context())
	storetest.Eventually(t, "the listener to connect", func() bool { return listener() != 0 })
	first := listener()
	if _, err := admin.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, first); err != nil {
		t.Fatal(err)
	}
	storetest.Eventually(t, "the listener to reconnect", func() bool { pid := listener(); return pid != 0 && pid != first })
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("no wakeup after reconnecting: notifications may have been lost meanwhile")
	}
	if _, err := s.Publish(t.Context(), store.Event{Type: "document.created"}, store.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("no wakeup after a publish on the new connection")
	}
}

func TestNextRetryTime(t *testing.T) {
	u := testdb.PostgresURL(t)
	migrated(t, u)
	conn := testdb.Connect(t, u)
	for retry, base := range []float64{1, 2, 4, 8} {
		var minutes float64
		err := conn.QueryRow(t.Context(), `SELECT extract(epoch FROM calculate_next_retry_time($1) - now()) / 60`, retry).Scan(&minutes)
		if err != nil {
			t.Fatal(err)
		}
		if minutes < base || minutes > base*1.3 {
			t.Errorf("retry %d: next retry in %.2f minutes, want %v to %v", retry, minutes, base, base*1.3)
		}
	}
}

// migrated opens a store on databaseURL and migrates it.
func migrated(t *testing.T, databaseURL string) *postgres.Store {
	t.Helper()
	s := open(t, databaseURL)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// open opens a store on databaseURL, closed when t ends.
func open(t *testing.T, databaseURL string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), databaseURL)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
