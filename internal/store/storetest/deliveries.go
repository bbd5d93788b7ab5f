package storetest

import (
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

var deliveryTests = []test{
	{"RetryAnExhaustedDeliveryGivesOneMoreAttempt", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.publish("document.created", withRetries(1))
		first := f.claimOne()
		f.complete(store.HealthPolicy{}, retryAt(first, wholeSecond(-time.Second)))
		f.complete(store.HealthPolicy{}, failed(f.claimOne()))
		d := f.retry(first.Delivery.ID)
		if d.RetryCount != 2 || d.MaxRetries != 2 {
			t.Errorf("retried exhausted delivery: retry %d of %d, want 2 of 2", d.RetryCount, d.MaxRetries)
		}
		if c := f.claimOne(); c.Lease.RetryCount != 2 {
			t.Errorf("claimed at retry %d, want 2", c.Lease.RetryCount)
		}
	}},
	{"RetryAPermanentFailureCountsItsAttempt", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		d := f.deliveryIn(ep, "document.created", store.StatusFailed)
		d = f.retry(d.ID)
		if d.RetryCount != 1 || d.MaxRetries != 3 {
			t.Errorf("retried failure: retry %d of %d, want 1 of 3", d.RetryCount, d.MaxRetries)
		}
	}},
	{"RetryCancelledOrPendingKeepsTheCount", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		cancelled := f.deliveryIn(ep, "document.created", store.StatusCancelled)
		pending := f.deliveryIn(ep, "document.created", store.StatusPending)
		for _, id := range []int64{cancelled.ID, pending.ID} {
			if d := f.retry(id); d.RetryCount != 0 || d.MaxRetries != 3 {
				t.Errorf("retried delivery %d: retry %d of %d, want 0 of 3", id, d.RetryCount, d.MaxRetries)
			}
		}
	}},
	{"RetryConflicts", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		for _, status := range []store.Status{store.StatusProcessing, store.StatusDelivered} {
			d := f.deliveryIn(ep, "document.created", status)
			_, err := f.s.RetryDelivery(f.ctx, d.ID)
			wantErr(t, "retry "+string(status), err, store.ErrConflict)
			if got := f.delivery(d.ID); got.Status != status {
				t.Errorf("a refused retry changed %s to %s", status, got.Status)
			}
		}
		_, err := f.s.RetryDelivery(f.ctx, 404)
		wantErr(t, "retry missing", err, store.ErrNotFound)
	}},
	{"CancelPendingOrProcessing", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		pending := f.deliveryIn(ep, "document.created", store.StatusPending)
		f.publish("document.created", toEndpoints(ep.ID), withPriority(1000))
		inFlight := f.claim(1)[0]
		for _, id := range []int64{pending.ID, inFlight.Delivery.ID} {
			d, err := f.s.CancelDelivery(f.ctx, id)
			if err != nil {
				t.Fatalf("cancel %d: %v", id, err)
			}
			if d.Status != store.StatusCancelled || d.LeaseExpiresAt != nil {
				t.Errorf("cancelled %+v: want cancelled, no lease", d)
			}
			f.recentPtr("ProcessedAt", d.ProcessedAt)
			if got := f.delivery(id); got.Status != store.StatusCancelled {
				t.Errorf("stored status %s, want cancelled", got.Status)
			}
		}
		if res := f.complete(store.HealthPolicy{}, delivered(inFlight)); res.Applied != 0 {
			t.Errorf("the outcome of a cancelled delivery was applied")
		}
		if got := f.claim(10); len(got) != 0 {
			t.Errorf("claimed %d cancelled deliveries", len(got))
		}
	}},
	{"CancelConflicts", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		for _, status := range []store.Status{store.StatusDelivered, store.StatusFailed, store.StatusCancelled} {
			d := f.deliveryIn(ep, "document.created", status)
			_, err := f.s.CancelDelivery(f.ctx, d.ID)
			wantErr(t, "cancel "+string(status), err, store.ErrConflict)
		}
		_, err := f.s.CancelDelivery(f.ctx, 404)
		wantErr(t, "cancel missing", err, store.ErrNotFound)
	}},
	{"ReplayFailedAndCancelledThatMatch", func(t *testing.T, f *fixture) {
		a, b := f.endpoint(), f.endpoint()
		var replayable, others []store.Delivery
		for _, ep := range []store.Endpoint{a, b} {
			for _, typ := range []string{"document.created", "reminder.sent"} {
				for _, status := range []store.Status{store.StatusFailed, store.StatusCancelled} {
					replayable = append(replayable, f.deliveryIn(ep, typ, status))
				}
				for _, status := range []store.Status{store.StatusDelivered, store.StatusProcessing, store.StatusPending} {
					others = append(others, f.deliveryIn(ep, typ, status))
				}
			}
		}
		first := replayable[0]
		from, to := first.CreatedAt, replayable[3].CreatedAt
		cases := []struct {
			name   string
			filter store.DeliveryFilter
			match  func(store.Delivery) bool
		}{
			{"not a UUID", store.DeliveryFilter{EventID: "nope"}, func(store.Delivery) bool { return false }},
			{"event", store.DeliveryFilter{EventID: first.EventID, Status: store.StatusDelivered}, func(d store.Delivery) bool { return d.EventID == first.EventID }},
			{"time range", store.DeliveryFilter{CreatedAfter: &from, CreatedBefore: &to},
				func(d store.Delivery) bool { return !d.CreatedAt.Before(from) && d.CreatedAt.Before(to) }},
			{"endpoint and type", store.DeliveryFilter{EndpointID: b.ID, EventType: "reminder.sent", Limit: 1},
				func(d store.Delivery) bool { return d.EndpointID == b.ID && d.EventType == "reminder.sent" }},
			{"the rest", store.DeliveryFilter{}, func(store.Delivery) bool { return true }},
		}
		done := map[int64]bool{}
		for _, c := range cases {
			want := 0
			for _, d := range replayable {
				if c.match(d) && !done[d.ID] {
					want++
					done[d.ID] = true
				}
			}
			n, err := f.s.ReplayDeliveries(f.ctx, c.filter)
			if err != nil || n != want {
				t.Errorf("replay %s: %d, %v; want %d", c.name, n, err, want)
			}
		}
		for _, d := range replayable {
			if got := f.delivery(d.ID); got.Status != store.StatusPending || got.ProcessedAt != nil {
				t.Errorf("replayed delivery %d is %s, processed at %v; want pending", d.ID, got.Status, got.ProcessedAt)
			}
		}
		for _, d := range others {
			if got := f.delivery(d.ID); got.Status != d.Status {
				t.Errorf("replay changed a %s delivery to %s", d.Status, got.Status)
			}
		}
	}},
}

// retry retries delivery id and checks that it is pending and due now.
func (f *fixture) retry(id int64) store.Delivery {
	f.t.Helper()
	d, err := f.s.RetryDelivery(f.ctx, id)
	if err != nil {
		f.t.Fatalf("retry %d: %v", id, err)
	}
	if d.Status != store.StatusPending || d.ProcessedAt != nil || d.LeaseExpiresAt != nil {
		f.t.Errorf("retried %+v: want pending, not processed, no lease", d)
	}
	f.recent("ScheduledFor", d.ScheduledFor)
	if stored := f.delivery(id); stored.Status != store.StatusPending || stored.RetryCount != d.RetryCount {
		f.t.Errorf("stored %+v differs from the returned delivery", stored)
	}
	return d
}
