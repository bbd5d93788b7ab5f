package storetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

var orderingTests = []test{
	{"OrderingKeyIsStoredOnTheEventAndItsDeliveries", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.endpoint()
		res := f.publish("order.paid", withKey("order-7"))
		if res.Event.OrderingKey != "order-7" {
			t.Errorf("published event's key %q, want order-7", res.Event.OrderingKey)
		}
		many, err := f.s.PublishMany(f.ctx, []store.Publication{
			{Event: store.Event{Type: "order.paid", OrderingKey: "order-8"}, Options: store.PublishOptions{MaxRetries: 3}},
			{Event: store.Event{Type: "order.paid"}, Options: store.PublishOptions{MaxRetries: 3}},
		})
		if err != nil || many[0].Err != nil || many[1].Err != nil {
			t.Fatalf("publish many: %v, %+v", err, many)
		}
		for ev, want := range map[string]string{res.Event.ID: "order-7", many[0].Event.ID: "order-8", many[1].Event.ID: ""} {
			stored, err := f.s.GetEvent(f.ctx, ev)
			if err != nil || stored.OrderingKey != want {
				t.Errorf("event %s has key %q (%v), want %q", ev, stored.OrderingKey, err, want)
			}
			for _, d := range f.deliveriesOf(ev) {
				if d.OrderingKey != want {
					t.Errorf("delivery %d has key %q, want %q", d.ID, d.OrderingKey, want)
				}
			}
		}
		for _, c := range f.claim(10) {
			if c.Event.OrderingKey != c.Delivery.OrderingKey {
				t.Errorf("claimed event key %q, delivery key %q", c.Event.OrderingKey, c.Delivery.OrderingKey)
			}
		}
	}},
	{"OrderingKeyIsValidated", func(t *testing.T, f *fixture) {
		f.endpoint()
		for _, key := range []string{strings.Repeat("k", store.MaxOrderingKeyLength+1), "a\x00b", "\xff"} {
			_, err := f.s.Publish(f.ctx, store.Event{Type: "order.paid", OrderingKey: key}, store.PublishOptions{})
			var fe *store.FieldError
			if !errors.As(err, &fe) || fe.Field != "ordering_key" {
				t.Errorf("publish with key %q: %v, want a FieldError for ordering_key", key, err)
			}
		}
		res := f.publish("order.paid", withKey(strings.Repeat("é", store.MaxOrderingKeyLength/2)))
		if len(res.Event.OrderingKey) != store.MaxOrderingKeyLength-1 {
			t.Errorf("stored key of %d bytes, want %d", len(res.Event.OrderingKey), store.MaxOrderingKeyLength-1)
		}
	}},
	{"ClaimHandsOutOneDeliveryPerEndpointAndKeyInIDOrder", func(t *testing.T, f *fixture) {
		one := f.endpoint()
		f.endpoint()
		var a, b []string // event IDs of key a and key b, in publish order
		for range 3 {
			a = append(a, f.publish("order.paid", withKey("a")).Event.ID)
		}
		for range 2 {
			b = append(b, f.publish("order.paid", withKey("b")).Event.ID)
		}
		free := f.publish("order.paid").Event.ID

		// Per endpoint: the head of a, the head of b, and the free event.
		first := f.claim(100)
		want := map[string]int{a[0]: 2, b[0]: 2, free: 2}
		if got := claimedEvents(first); !maps.Equal(got, want) {
			t.Fatalf("first claim took %v, want %v (heads of each key, on each endpoint)", got, want)
		}
		if more := f.claim(100); len(more) != 0 {
			t.Fatalf("claimed %v while the heads are processing", claimedIDs(more))
		}
		// One endpoint's head of a is delivered: its next is released, and
		// nothing of the other endpoint.
		for _, c := range first {
			if c.Event.ID == a[0] && c.Delivery.EndpointID == one.ID {
				f.complete(store.HealthPolicy{}, delivered(c))
			}
		}
		next := f.claimOne()
		if next.Event.ID != a[1] || next.Delivery.EndpointID != one.ID {
			t.Errorf("claimed event %s of endpoint %d, want a's second (%s) of endpoint %d", next.Event.ID, next.Delivery.EndpointID, a[1], one.ID)
		}
		// Everything else ends: the lines run to their ends in order.
		var outcomes []store.Outcome
		for _, c := range append(first, next) {
			if c.Event.ID != a[0] || c.Delivery.EndpointID != one.ID {
				outcomes = append(outcomes, delivered(c))
			}
		}
		f.complete(store.HealthPolicy{}, outcomes...)
		last := f.claim(100)
		// Endpoint one is a step ahead on a.
		want = map[string]int{a[1]: 1, a[2]: 1, b[1]: 2}
		if got := claimedEvents(last); !maps.Equal(got, want) {
			t.Fatalf("claimed %v, want %v", got, want)
		}
		for _, c := range last {
			f.complete(store.HealthPolicy{}, delivered(c))
		}
		final := f.claim(100)
		want = map[string]int{a[2]: 1}
		if got := claimedEvents(final); !maps.Equal(got, want) {
			t.Fatalf("claimed %v, want %v", got, want)
		}
	}},
	{"ARetryingHeadHoldsBackItsKeyOnly", func(t *testing.T, f *fixture) {
		f.endpoint()
		head := f.publish("order.paid", withKey("a")).Event.ID
		f.publish("order.paid", withKey("a"))
		c := f.claimOne()
		if c.Event.ID != head {
			t.Fatalf("claimed %s, want the head %s", c.Event.ID, head)
		}
		f.complete(store.HealthPolicy{}, retryAt(c, wholeSecond(time.Hour)))
		other := f.publish("order.paid", withKey("b")).Event.ID
		free := f.publish("order.paid").Event.ID
		got := claimedEvents(f.claim(100))
		if want := map[string]int{other: 1, free: 1}; !maps.Equal(got, want) {
			t.Fatalf("claimed %v while a's head waits for its retry, want %v (other keys only)", got, want)
		}
	}},
	{"AFinishedHeadReleasesTheNext", func(t *testing.T, f *fixture) {
		f.endpoint()
		var line []string
		for range 4 {
			line = append(line, f.publish("order.paid", withKey("a")).Event.ID)
		}
		// Failed for good.
		c := f.claimOne()
		f.complete(store.HealthPolicy{}, failed(c))
		// Handed back unsent: still the head.
		c = f.claimOne()
		if c.Event.ID != line[1] {
			t.Fatalf("claimed %s after a failed head, want the next %s", c.Event.ID, line[1])
		}
		if err := f.s.Release(f.ctx, []store.Lease{c.Lease}); err != nil {
			t.Fatal(err)
		}
		c = f.claimOne()
		if c.Event.ID != line[1] {
			t.Fatalf("claimed %s after a hand-back, want the same head %s", c.Event.ID, line[1])
		}
		// Cancelled while processing.
		if _, err := f.s.CancelDelivery(f.ctx, c.Delivery.ID); err != nil {
			t.Fatal(err)
		}
		c = f.claimOne()
		if c.Event.ID != line[2] {
			t.Fatalf("claimed %s after a cancelled head, want the next %s", c.Event.ID, line[2])
		}
		f.complete(store.HealthPolicy{}, delivered(c))
		if c = f.claimOne(); c.Event.ID != line[3] {
			t.Fatalf("claimed %s after a delivered head, want the last %s", c.Event.ID, line[3])
		}
	}},
	{"ARescuedHeadStaysAtTheHead", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		head := f.publish("order.paid", withKey("a")).Event.ID
		next := f.publish("order.paid", withKey("a")).Event.ID
		if c := f.claimOne(leaseFor(time.Millisecond)); c.Event.ID != head {
			t.Fatalf("claimed %s, want the head %s", c.Event.ID, head)
		}
		f.expire()
		c := f.claimOne()
		if c.Event.ID != head || c.Lease.RetryCount != 1 {
			t.Fatalf("claimed %s at retry %d after the lease expired, want the head %s at retry 1", c.Event.ID, c.Lease.RetryCount, head)
		}
		// A disabled endpoint holds its line; enabled, it goes on in order.
		f.complete(store.HealthPolicy{}, delivered(c))
		f.setActive(ep.ID, false)
		if got := f.claim(10); len(got) != 0 {
			t.Fatalf("claimed %v of a disabled endpoint", claimedIDs(got))
		}
		f.setActive(ep.ID, true)
		if c := f.claimOne(); c.Event.ID != next {
			t.Fatalf("claimed %s, want %s", c.Event.ID, next)
		}
	}},
	{"ABatchKeepsItsOrderWithinAKey", func(t *testing.T, f *fixture) {
		f.endpoint()
		var pubs []store.Publication
		for range 4 {
			pubs = append(pubs, store.Publication{Event: store.Event{Type: "order.paid", OrderingKey: "a"}, Options: store.PublishOptions{MaxRetries: 3}})
		}
		results, err := f.s.PublishMany(f.ctx, pubs)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range results {
			c := f.claimOne()
			if c.Event.ID != r.Event.ID {
				t.Fatalf("claim %d took event %s, want the batch's event %d (%s)", i, c.Event.ID, i, r.Event.ID)
			}
			f.complete(store.HealthPolicy{}, delivered(c))
		}
	}},
	{"ARetriedDeliveryWaitsForTheOneInFlight", func(t *testing.T, f *fixture) {
		f.endpoint()
		first := f.publish("order.paid", withKey("a")).Event.ID
		second := f.publish("order.paid", withKey("a")).Event.ID
		third := f.publish("order.paid", withKey("a")).Event.ID
		c := f.claimOne()
		f.complete(store.HealthPolicy{}, failed(c))
		inFlight := f.claimOne()
		if inFlight.Event.ID != second {
			t.Fatalf("claimed %s, want %s", inFlight.Event.ID, second)
		}
		// The failed head is retried by hand while the second is in flight:
		// it keeps its place, before the third, but starts only after the
		// second ends.
		if _, err := f.s.RetryDelivery(f.ctx, c.Delivery.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.claim(100); len(got) != 0 {
			t.Fatalf("claimed %v while %s is in flight", claimedIDs(got), second)
		}
		f.complete(store.HealthPolicy{}, delivered(inFlight))
		if got := f.claimOne(); got.Event.ID != first {
			t.Fatalf("claimed %s, want the retried %s before %s", got.Event.ID, first, third)
		}
	}},
	{"ConcurrentClaimsKeepEachKeysOrder", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.endpoint()
		const keys, perKey = 4, 8
		for i := range keys * perKey {
			f.publish("order.paid", withKey(fmt.Sprintf("k%d", i%keys)))
		}
		const workers = 6
		var mu sync.Mutex
		inFlight := map[string]int64{} // endpoint/key → delivery
		sent := map[string][]int64{}   // endpoint/key → deliveries in claim order
		line := func(c store.Claimed) string {
			return fmt.Sprintf("%d/%s", c.Delivery.EndpointID, c.Delivery.OrderingKey)
		}
		deadline := time.Now().Add(testwait.Timeout)
		var wg sync.WaitGroup
		for w := range workers {
			worker := fmt.Sprintf("w%d", w)
			wg.Go(func() {
				for time.Now().Before(deadline) {
					claimed, err := f.s.Claim(f.ctx, store.ClaimRequest{Limit: 3, Lease: time.Minute, Worker: worker})
					if err != nil {
						t.Errorf("worker %s: claim: %v", worker, err)
						return
					}
					mu.Lock()
					done := 0
					for _, s := range sent {
						done += len(s)
					}
					for _, c := range claimed {
						if other, busy := inFlight[line(c)]; busy {
							t.Errorf("%s: claimed delivery %d while %d is in flight", line(c), c.Delivery.ID, other)
						}
						inFlight[line(c)] = c.Delivery.ID
						sent[line(c)] = append(sent[line(c)], c.Delivery.ID)
					}
					mu.Unlock()
					if len(claimed) == 0 && done == 2*keys*perKey {
						return
					}
					// Out of flight before its outcome commits, so that the
					// next of its line is never claimed while it is marked.
					mu.Lock()
					var outcomes []store.Outcome
					for _, c := range claimed {
						delete(inFlight, line(c))
						outcomes = append(outcomes, delivered(c))
					}
					mu.Unlock()
					if _, err := f.s.Complete(f.ctx, outcomes, store.HealthPolicy{}); err != nil {
						t.Errorf("worker %s: complete: %v", worker, err)
						return
					}
				}
				t.Errorf("worker %s: the queue did not drain within %v", worker, testwait.Timeout)
			})
		}
		testwait.Group(t, &wg, "claiming workers")
		if len(sent) != 2*keys {
			t.Fatalf("%d lines, want %d", len(sent), 2*keys)
		}
		for line, ids := range sent {
			if len(ids) != perKey || !slices.IsSorted(ids) {
				t.Errorf("line %s sent %v, want %d deliveries in ID order", line, ids, perKey)
			}
		}
	}},
}

func withKey(k string) func(*publication) { return func(p *publication) { p.ev.OrderingKey = k } }

// claimedEvents counts claimed deliveries by event ID.
func claimedEvents(claimed []store.Claimed) map[string]int {
	n := map[string]int{}
	for _, c := range claimed {
		n[c.Event.ID]++
	}
	return n
}
