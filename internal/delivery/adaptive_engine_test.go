package delivery_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
)

// loadedReceiver answers 204 after 50 ms while calm; while overloaded after
// 50 ms + 5 ms × (n−1)², n being the requests it holds with this one
// (130 ms at 5, 1.2 s at 16), as a receiver whose work queues up does. The
// calm 50 ms keeps the test machine's own hiccups, which a loaded machine
// running the race detector has, from looking like latency jumps.
type loadedReceiver struct {
	*httptest.Server
	inFlight   atomic.Int64
	overloaded atomic.Bool
	cut        atomic.Int64 // requests whose sender hung up before the answer
}

func newLoadedReceiver(t *testing.T) *loadedReceiver {
	t.Helper()
	r := &loadedReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := r.inFlight.Add(1)
		defer r.inFlight.Add(-1)
		d := 50 * time.Millisecond
		if r.overloaded.Load() {
			d += time.Duration((n-1)*(n-1)) * 5 * time.Millisecond
		}
		delay := time.NewTimer(d)
		defer delay.Stop()
		select {
		case <-delay.C:
		case <-req.Context().Done():
			r.cut.Add(1)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

// publishEvents publishes n events to endpoint, in batches.
func publishEvents(t *testing.T, s store.Store, endpoint int64, n int) {
	t.Helper()
	for n > 0 {
		batch := make([]store.Publication, min(n, 200))
		for i := range batch {
			batch[i] = store.Publication{
				Event:   store.Event{Type: "document.created", Data: []byte(`{"n":1}`)},
				Options: store.PublishOptions{MaxRetries: 3, EndpointIDs: []int64{endpoint}},
			}
		}
		if _, err := s.PublishMany(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
		n -= len(batch)
	}
}

// busyWait bounds busyUntil: longer than testwait.Until's 10 s, as stalls of a
// loaded machine look like latency jumps and may halve the limit on its way
// up, each costing a few round trips of 50 ms.
const busyWait = 30 * time.Second

// busyUntil waits until cond holds, or fails t after busyWait, keeping at
// least 100 deliveries of endpoint pending meanwhile, so that answers keep
// coming: the limit moves only with them.
func busyUntil(t *testing.T, s store.Store, endpoint int64, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(busyWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not true after %s", what, busyWait)
		}
		if counts(t, s)[store.StatusPending] < 100 {
			publishEvents(t, s, endpoint, 200)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// With serve's defaults, an endpoint's limit reaches its ceiling while the
// receiver answers at once, falls when the receiver slows down with the
// requests it holds (on latency alone: nothing times out), and climbs back
// to the ceiling once the receiver is calm again. Every figure is the
// worker's published limit (what /metrics and the dashboard show).
func testAdaptiveLimit(t *testing.T, s store.Store) {
	const ceiling = hookrelay.DefaultEndpointConcurrency
	rcv := newLoadedReceiver(t)
	e := addEndpoint(t, s, rcv.URL)
	limits := delivery.NewLimits(ceiling, true)
	o := serveOptions(t)
	o.Limits = limits
	limit := func() int { l, _ := limits.Limit(e.ID); return l }

	startWorker(t, s, o, 10*time.Second)
	busyUntil(t, s, e.ID, "limit never reached the ceiling with a calm receiver", func() bool { return limit() == ceiling })

	rcv.overloaded.Store(true)
	busyUntil(t, s, e.ID, "limit did not fall under overload", func() bool { return limit() <= ceiling/4 })

	rcv.overloaded.Store(false)
	busyUntil(t, s, e.ID, "limit did not recover once the receiver was calm", func() bool { return limit() == ceiling })

	// The limit fell on latency alone: no request timed out.
	if n := rcv.cut.Load(); n != 0 {
		t.Errorf("%d requests timed out; want none (the receiver answers within 1.2 s, the timeout is 10 s)", n)
	}
}
