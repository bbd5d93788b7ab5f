package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestRateLimitHoldsAcrossServeProcesses runs two `hookrelay serve`
// processes on one PostgreSQL database and limits their endpoint to 5
// requests a second: the arrival times the loopback receiver records keep
// the limit within one second's worth, whichever process sends.
func TestRateLimitHoldsAcrossServeProcesses(t *testing.T) {
	const limit, events = 5, 30
	databaseURL := testdb.PostgresURL(t)
	rcvURL, received := testenv.Arrivals(t, nil)

	env := serveEnv(databaseURL, rcvURL)
	if _, stderr, code := run(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	st := openStore(t, databaseURL)
	// One after the other: two processes syncing WEBHOOK_URLS at the same
	// moment may both add the endpoint.
	start(t, env, "serve")
	var endpoint store.Endpoint
	waitUntil(t, 20*time.Second, "endpoint synced", func() bool {
		list, err := st.ListEndpoints(context.Background(), store.EndpointFilter{})
		if err == nil && len(list) == 1 {
			endpoint = list[0]
		}
		return err == nil && len(list) == 1
	})
	second := start(t, env, "serve")
	waitUntil(t, 20*time.Second, "the second process started", func() bool { return second.logged("hookrelay started") })
	if list, err := st.ListEndpoints(context.Background(), store.EndpointFilter{}); err != nil || len(list) != 1 {
		t.Fatalf("endpoints after the second sync: %d, %v; want the one", len(list), err)
	}
	rate := limit
	if _, err := st.UpdateEndpoint(context.Background(), endpoint.ID, store.EndpointPatch{RateLimitPerSecond: &rate}); err != nil {
		t.Fatal(err)
	}
	publishEvents(t, st, events)
	waitUntil(t, 60*time.Second, "every event received", func() bool { return len(received()) >= events })
	testenv.AtRate(t, received(), limit, 250*time.Millisecond)
}
