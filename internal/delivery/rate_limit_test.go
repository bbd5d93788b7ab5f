package delivery_test

import (
	"context"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testdb"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// TestRateLimitHoldsAcrossProcesses runs two workers, each on a store of its
// own (two connection pools, as two `serve` processes have) on one
// PostgreSQL schema, against an endpoint limited to 5 requests a second.
// The loopback receiver records when each request arrives: over any span
// of those arrivals there are at most one second's worth (5) plus 5 a
// second, with a quarter second of slack for the time between a claim and
// its request; and both workers sent some.
func TestRateLimitHoldsAcrossProcesses(t *testing.T) {
	const limit, events = 5, 30
	url := testdb.PostgresURL(t)
	stores := make([]store.Store, 2)
	for i := range stores {
		stores[i] = testenv.PostgresAt(t, url)
	}
	rcv := newReceiver(t, status(http.StatusOK))
	addEndpoint(t, stores[0], rcv.URL, func(e *store.Endpoint) { e.RateLimitPerSecond = limit })
	for range events {
		publish(t, stores[0], "", "document.created", 3)
	}
	sent := make([]*countingObserver, len(stores))
	for i, s := range stores {
		opts := fastOptions(t)
		sent[i] = &countingObserver{}
		opts.Observer = sent[i]
		startWorker(t, s, opts, 5*time.Second)
	}
	testwait.Until(t, "every event received", func() bool { return len(rcv.received()) >= events })

	var arrivals []time.Time
	for _, r := range rcv.received() {
		arrivals = append(arrivals, r.at)
	}
	testenv.AtRate(t, arrivals, limit, 250*time.Millisecond)
	for i, o := range sent {
		if o.attempts.Load() == 0 {
			t.Errorf("worker %d sent nothing: the test must share the limit between two workers", i)
		}
	}
}

// TestTooManyRequestsLowersTheRate: a 429 answer, through the worker's
// outcome, halves the endpoint's rate in the store: the deliveries claimed
// next over the limit wait 1 s apart at 2/s, not 500 ms.
func TestTooManyRequestsLowersTheRate(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		s := newStore(t)
		rcv := newReceiver(t, status(http.StatusTooManyRequests))
		ep := addEndpoint(t, s, rcv.URL, func(e *store.Endpoint) { e.RateLimitPerSecond = 2 })
		first := publish(t, s, "", "document.created", 0) // its 429 is its last attempt
		stop := startWorker(t, s, fastOptions(t), 5*time.Second)
		d := waitFor(t, s, onlyDelivery(t, s, first.Event.ID).ID, "the 429 recorded", hasStatus(store.StatusFailed))
		stop()
		if d.ResponseStatus == nil || *d.ResponseStatus != http.StatusTooManyRequests {
			t.Fatalf("delivery %+v, want its 429 recorded", d)
		}
		for range 6 {
			publish(t, s, "", "document.created", 3)
		}
		if _, err := s.Claim(context.Background(), store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "test"}); err != nil {
			t.Fatal(err)
		}
		pending, err := s.ListDeliveries(context.Background(), store.DeliveryFilter{EndpointID: ep.ID, Status: store.StatusPending})
		if err != nil {
			t.Fatal(err)
		}
		var times []time.Time
		for _, p := range pending {
			times = append(times, p.ScheduledFor)
		}
		slices.SortFunc(times, time.Time.Compare)
		if len(times) > 0 { // those at the claim's horizon (store.RateHorizon) wait for it, not a token
			times = slices.DeleteFunc(times, times[len(times)-1].Equal)
		}
		if len(times) < 2 {
			t.Fatalf("%d deliveries wait for a token before the horizon, want several", len(times))
		}
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap != time.Second {
				t.Errorf("token times %v: gap %v, want 1 s (2/s halved)", times, gap)
			}
		}
	})
}

// countingObserver counts the attempts of one worker.
type countingObserver struct {
	delivery.NopObserver
	attempts atomic.Int64
}

func (o *countingObserver) AttemptFinished(store.Claimed, delivery.SendResult, store.Result) {
	o.attempts.Add(1)
}

// TestDeferredDeliveriesWakeTheWorker runs a worker whose poll interval is an
// hour against an endpoint limited to 5 requests a second, with 12 events
// published before it starts: the first claim sends the burst and defers the
// others to their token times, and the worker claims again at those times,
// with no poll and no new publish to wake it, until every event is received.
func TestDeferredDeliveriesWakeTheWorker(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		const limit, events = 5, 12
		s := newStore(t)
		rcv := newReceiver(t, status(http.StatusOK))
		addEndpoint(t, s, rcv.URL, func(e *store.Endpoint) { e.RateLimitPerSecond = limit })
		for range events {
			publish(t, s, "", "document.created", 3)
		}
		opts := fastOptions(t)
		opts.PollInterval = time.Hour
		startWorker(t, s, opts, 5*time.Second)
		testwait.Until(t, "every event received without a poll", func() bool { return len(rcv.received()) >= events })
	})
}
