package delivery_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// loadedReceiver answers 204 at once while calm; while overloaded it
// answers after 20 ms + 4 ms × (n−1)², n being the requests it holds with
// this one (920 ms at 16), as a receiver whose work queues up does.
type loadedReceiver struct {
	*httptest.Server
	inFlight   atomic.Int64
	overloaded atomic.Bool
}

func newLoadedReceiver(t *testing.T) *loadedReceiver {
	t.Helper()
	r := &loadedReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := r.inFlight.Add(1)
		defer r.inFlight.Add(-1)
		if r.overloaded.Load() {
			delay := time.NewTimer(20*time.Millisecond + time.Duration((n-1)*(n-1))*4*time.Millisecond)
			defer delay.Stop()
			select {
			case <-delay.C:
			case <-req.Context().Done():
				return
			}
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

	publishEvents(t, s, e.ID, 100)
	startWorker(t, s, o, 10*time.Second)
	testwait.Until(t, fmt.Sprintf("limit %d never reached the ceiling %d with a calm receiver", limit(), ceiling), func() bool {
		return limit() == ceiling
	})

	rcv.overloaded.Store(true)
	publishEvents(t, s, e.ID, 200)
	testwait.Until(t, "limit did not fall under overload", func() bool { return limit() <= ceiling/4 })

	rcv.overloaded.Store(false)
	publishEvents(t, s, e.ID, 400)
	testwait.Until(t, "limit did not recover once the receiver was calm", func() bool { return limit() == ceiling })

	// No attempt failed: a timeout would have left its delivery pending
	// for its retry, a minute away.
	testwait.Until(t, "deliveries not all delivered", func() bool { return counts(t, s)[store.StatusDelivered] == 700 })
}
