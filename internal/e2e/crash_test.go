package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/storeopen"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// databases lists the DATABASE_URLs of a fresh database per store.
func databases(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return testdb.SQLitePath(t) },
		"postgres": func(t *testing.T) string { return testdb.PostgresURL(t) },
	}
}

// openStore opens the database a hookrelay process uses, from the test.
func openStore(t *testing.T, databaseURL string) store.Store {
	t.Helper()
	st, err := storeopen.Open(context.Background(), databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func serveEnv(databaseURL, receiverURL string) []string {
	return []string{
		"DATABASE_URL=" + databaseURL,
		"WEBHOOK_URLS=" + receiverURL,
		"WEBHOOK_SECRET=crash-test-secret-123",
		"WEBHOOK_TIMEOUT_MS=1000",
		"WEBHOOK_MAX_RETRIES=10",
		"HOOKRELAY_LISTEN=127.0.0.1:0",
		"HOOKRELAY_LEASE=2s",
		"HOOKRELAY_BACKOFF_BASE=20ms",
		"HOOKRELAY_BACKOFF_CAP=200ms",
		"HOOKRELAY_POLL_INTERVAL=50ms",
		"HOOKRELAY_CONCURRENCY=16",
		"HOOKRELAY_ENDPOINT_CONCURRENCY=16",
		"HOOKRELAY_BATCH_SIZE=20",
	}
}

// TestKillNineLosesNothing publishes a few hundred events while `hookrelay
// serve` delivers them, kills it with SIGKILL mid-flight, restarts it, and
// checks that every event reached the receiver and nothing is left pending.
func TestKillNineLosesNothing(t *testing.T) {
	for name, newDatabase := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			const events = 300
			databaseURL := newDatabase(t)
			rcv := newCountingReceiver(t, 3*time.Millisecond)
			env := serveEnv(databaseURL, rcv.URL)
			if _, stderr, code := run(t, env, "migrate"); code != 0 {
				t.Fatalf("migrate: exit %d: %s", code, stderr)
			}
			first := start(t, env, "serve")
			st := openStore(t, databaseURL)
			ids := publishUnderLoad(t, st, rcv, events/2)
			// Requests wait at the receiver from now on, so that those of
			// the second half are in flight when the process dies: the
			// point of the test.
			rcv.hold()
			ids = append(ids, publishEvents(t, st, events/2)...)
			waitUntil(t, 30*time.Second, "deliveries in flight before the kill", func() bool { return rcv.held.Load() > 0 })
			inFlight := rcv.held.Load()
			first.kill()
			if got := rcv.unique(); got >= events {
				t.Fatalf("every event arrived before the kill (%d): nothing was in flight", got)
			}
			t.Logf("killed with %d requests in flight and %d of %d events arrived", inFlight, rcv.unique(), events)
			rcv.release()

			second := start(t, env, "serve")
			waitAllDelivered(t, st, rcv, events)
			for _, id := range ids {
				if !rcv.has(id) {
					t.Errorf("event %s never arrived", id)
				}
			}
			if err := second.stop(t); err != nil {
				t.Errorf("serve after SIGTERM: %v", err)
			}
		})
	}
}

// publishUnderLoad waits until the serve process has synced its endpoint,
// publishes n events, and returns once a fifth of them have arrived, so that
// what comes next happens in the middle of the work.
func publishUnderLoad(t *testing.T, st store.Store, rcv *countingReceiver, n int) []string {
	t.Helper()
	waitUntil(t, 20*time.Second, "endpoint synced", func() bool {
		list, err := st.ListEndpoints(context.Background(), store.EndpointFilter{})
		return err == nil && len(list) == 1
	})
	ids := publishEvents(t, st, n)
	waitUntil(t, 30*time.Second, "some deliveries", func() bool { return rcv.unique() >= n/5 })
	return ids
}

// publishEvents publishes n events, one by one, and returns their IDs.
func publishEvents(t *testing.T, st store.Store, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ev := store.Event{Type: "document.created", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
		if err := ev.Normalize(); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Publish(context.Background(), ev, store.PublishOptions{MaxRetries: 10}); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		ids[i] = ev.ID
	}
	return ids
}

// waitAllDelivered waits until n events have arrived and the queue holds n
// delivered deliveries and nothing pending or processing.
func waitAllDelivered(t *testing.T, st store.Store, rcv *countingReceiver, n int) {
	t.Helper()
	waitUntil(t, 90*time.Second, "every event delivered", func() bool { return rcv.unique() == n })
	waitUntil(t, 60*time.Second, "queue settled", func() bool {
		counts, err := st.CountByStatus(context.Background())
		return err == nil && counts[store.StatusDelivered] == int64(n) &&
			counts[store.StatusPending] == 0 && counts[store.StatusProcessing] == 0
	})
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
