package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
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
	var mu sync.Mutex
	var arrivals []time.Time
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
	}))
	t.Cleanup(rcv.Close)
	received := func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), arrivals...)
	}

	env := serveEnv(databaseURL, rcv.URL)
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
	got := slices.SortedFunc(slices.Values(received()), time.Time.Compare)
	testenv.WithinRate(t, got, limit, 250*time.Millisecond)
	if took := got[len(got)-1].Sub(got[0]); took < time.Duration(events/limit-2)*time.Second {
		t.Errorf("%d requests took %v, want about %d s at %d/s", events, took, events/limit-1, limit)
	}
}
