package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

var claimTests = []test{
	{"ClaimSendsRowsWithoutAnEventRecord", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		w, ok := f.s.(ForeignWriter)
		if !ok {
			t.Fatalf("the store of the suite (%T) must implement storetest.ForeignWriter", f.s)
		}
		const id = "0b7f7f2e-3c1a-4d8e-9a51-2f0d6c1b9e47"
		created := wholeSecond(-time.Minute)
		if err := w.InsertForeignDelivery(f.ctx, ep.ID, id, "signature.created", `{"doc_id": "d-1"}`, created); err != nil {
			t.Fatalf("insert a delivery as Ackify does: %v", err)
		}
		c := f.claimOne()
		if c.Delivery.EventID != id || c.Delivery.EndpointID != ep.ID || c.Delivery.Status != store.StatusProcessing {
			t.Fatalf("claimed delivery %+v, want the inserted one", c.Delivery)
		}
		if c.Event.ID != id || c.Event.Type != "signature.created" || c.Event.Priority != 0 {
			t.Errorf("claimed event %+v, want one made of the delivery's columns", c.Event)
		}
		sameJSON(t, "event data", c.Event.Data, []byte(`{"doc_id": "d-1"}`))
		sameInstant(t, "event CreatedAt", c.Event.CreatedAt, created)
		f.complete(store.HealthPolicy{}, delivered(c))
		if got := f.delivery(c.Delivery.ID); got.Status != store.StatusDelivered {
			t.Errorf("status %s after delivery, want delivered", got.Status)
		}
	}},
	{"ClaimReturnsWhatIsNeededToSend", func(t *testing.T, f *fixture) {
		ep := f.endpoint(func(e *store.Endpoint) { e.Headers = map[string]string{"X-Tenant": "7"} })
		res := f.publish("document.created", withPriority(2))
		before := time.Now()
		c := f.claimOne(asWorker("worker-a"), leaseFor(time.Minute))

		d := c.Delivery
		if d.Status != store.StatusProcessing || d.EndpointID != ep.ID || d.EventID != res.Event.ID || d.RetryCount != 0 || d.MaxRetries != 3 {
			t.Errorf("claimed delivery %+v", d)
		}
		if d.LeaseExpiresAt == nil || d.LeaseExpiresAt.Before(before.Add(time.Minute-clockSlack)) || d.LeaseExpiresAt.After(time.Now().Add(time.Minute+clockSlack)) {
			t.Errorf("LeaseExpiresAt = %v, want about a minute from now", d.LeaseExpiresAt)
		}
		if d.NextRetryAt == nil || !d.NextRetryAt.After(before) {
			t.Errorf("NextRetryAt = %v, want the seed's retry time, in the future", d.NextRetryAt)
		}
		if c.Lease != (store.Lease{DeliveryID: d.ID, Worker: "worker-a", RetryCount: 0}) {
			t.Errorf("lease %+v", c.Lease)
		}
		if c.Event.ID != res.Event.ID || c.Event.Type != "document.created" || c.Event.Priority != 2 {
			t.Errorf("claimed event %+v, want %+v", c.Event, res.Event)
		}
		sameJSON(t, "event data", c.Event.Data, res.Event.Data)
		sameInstant(t, "event CreatedAt", c.Event.CreatedAt, res.Event.CreatedAt)
		sameEndpoint(t, c.Endpoint, ep)
		if stored := f.delivery(d.ID); stored.Status != store.StatusProcessing {
			t.Errorf("stored status %s, want processing", stored.Status)
		}
		if again := f.claim(10); len(again) != 0 {
			t.Errorf("claimed %d more, want 0: a processing delivery is not due", len(again))
		}
	}},
	{"ClaimOrdersByPriorityThenSchedule", func(t *testing.T, f *fixture) {
		f.endpoint()
		early := f.publish("a.early").Event.ID
		late := f.publish("a.late").Event.ID
		// Reschedule both, the later-published one earlier.
		for _, c := range f.claim(10) {
			at := wholeSecond(-time.Hour)
			if c.Event.ID == early {
				at = wholeSecond(-30 * time.Minute)
			}
			f.complete(store.HealthPolicy{}, retryAt(c, at))
		}
		low := f.publish("a.low", withPriority(-1)).Event.ID
		high := f.publish("a.high", withPriority(5)).Event.ID
		mid := f.publish("a.mid", withPriority(1)).Event.ID
		plain := f.publish("a.plain").Event.ID

		var got []string
		for _, c := range f.claim(10) {
			got = append(got, c.Event.ID)
		}
		want := []string{high, mid, late, early, plain, low}
		if !slices.Equal(got, want) {
			t.Errorf("claim order %v\nwant %v (priority DESC, scheduled_for ASC, id ASC)", got, want)
		}
	}},
	{"ClaimTakesAtMostLimit", func(t *testing.T, f *fixture) {
		f.endpoint()
		for range 3 {
			f.publish("document.created")
		}
		if got := f.claim(0); len(got) != 0 {
			t.Errorf("limit 0 claimed %d", len(got))
		}
		first, second, third := f.claim(2), f.claim(2), f.claim(2)
		if len(first) != 2 || len(second) != 1 || len(third) != 0 {
			t.Errorf("claimed %d, %d, %d; want 2, 1, 0", len(first), len(second), len(third))
		}
	}},
	{"ClaimSkipsDeliveriesNotDueYet", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.publish("document.created")
		c := f.claimOne()
		f.complete(store.HealthPolicy{}, retryAt(c, wholeSecond(time.Hour)))
		if got := f.claim(10); len(got) != 0 {
			t.Fatalf("claimed %d deliveries scheduled an hour from now", len(got))
		}
		if _, err := f.s.RetryDelivery(f.ctx, c.Delivery.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.claimOne(); got.Delivery.ID != c.Delivery.ID || got.Lease.RetryCount != 1 {
			t.Errorf("claimed %+v after making it due, want delivery %d at retry 1", got.Lease, c.Delivery.ID)
		}
	}},
	{"ClaimSkipsInactiveEndpoints", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		f.publish("document.created")
		f.setActive(ep.ID, false)
		if got := f.claim(10); len(got) != 0 {
			t.Fatalf("claimed %d deliveries of an inactive endpoint", len(got))
		}
		f.setActive(ep.ID, true)
		if got := f.claimOne(); got.Delivery.EndpointID != ep.ID {
			t.Errorf("claimed a delivery of %d, want %d", got.Delivery.EndpointID, ep.ID)
		}
	}},
	{"ClaimSkipsWebhooks", func(t *testing.T, f *fixture) {
		busy, idle := f.endpoint(), f.endpoint()
		f.publish("document.created")
		f.publish("document.created")
		got := f.claim(10, func(r *store.ClaimRequest) { r.SkipEndpoints = []int64{busy.ID} })
		if len(got) != 2 || got[0].Delivery.EndpointID != idle.ID || got[1].Delivery.EndpointID != idle.ID {
			t.Errorf("claimed %v, want the two deliveries of endpoint %d only", claimedIDs(got), idle.ID)
		}
	}},
	{"ConcurrentClaimsNeverShareADelivery", func(t *testing.T, f *fixture) {
		for range 4 {
			f.endpoint()
		}
		for range 10 {
			f.publish("document.created")
		}
		const workers = 8
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		for w := range workers {
			worker := string(rune('a' + w))
			wg.Go(func() {
				for {
					claimed, err := f.s.Claim(f.ctx, store.ClaimRequest{Limit: 3, Lease: time.Minute, Worker: worker})
					if err != nil {
						t.Errorf("worker %s: claim: %v", worker, err)
						return
					}
					if len(claimed) == 0 {
						return
					}
					mu.Lock()
					for _, c := range claimed {
						if other, dup := seen[c.Delivery.ID]; dup {
							t.Errorf("delivery %d claimed by %s and %s", c.Delivery.ID, other, worker)
						}
						seen[c.Delivery.ID] = worker
					}
					mu.Unlock()
				}
			})
		}
		testwait.Group(t, &wg, "claiming workers")
		if len(seen) != 40 {
			t.Errorf("claimed %d distinct deliveries, want 40", len(seen))
		}
	}},
}

// updateEndpoint writes p to endpoint id and returns the stored row.
func (f *fixture) updateEndpoint(id int64, p store.EndpointPatch) store.Endpoint {
	f.t.Helper()
	updated, err := f.s.UpdateEndpoint(f.ctx, id, p)
	if err != nil {
		f.t.Fatalf("update endpoint %d: %v", id, err)
	}
	return updated
}

// setActive enables or disables endpoint id as a person does.
func (f *fixture) setActive(id int64, active bool) store.Endpoint {
	f.t.Helper()
	return f.updateEndpoint(id, store.EndpointPatch{Activation: &store.Activation{Active: active, Reason: "test", At: time.Now()}})
}
