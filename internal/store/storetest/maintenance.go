package storetest

import (
	"maps"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

var maintenanceTests = []test{
	{"CountByStatusHasEveryStatus", func(t *testing.T, f *fixture) {
		zero := map[store.Status]int64{
			store.StatusPending: 0, store.StatusProcessing: 0, store.StatusDelivered: 0,
			store.StatusFailed: 0, store.StatusCancelled: 0,
		}
		f.sameCounts(zero)
		ep := f.endpoint()
		want := maps.Clone(zero)
		for _, status := range []store.Status{store.StatusPending, store.StatusPending, store.StatusDelivered, store.StatusFailed, store.StatusCancelled, store.StatusProcessing} {
			f.deliveryIn(ep, "document.created", status)
			want[status]++
		}
		f.sameCounts(want)
	}},
	{"DeleteFinishedBeforeKeepsUnfinishedWork", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		finished := []store.Delivery{
			f.deliveryIn(ep, "document.created", store.StatusDelivered),
			f.deliveryIn(ep, "document.created", store.StatusFailed),
			f.deliveryIn(ep, "document.created", store.StatusCancelled),
		}
		open := []store.Delivery{
			f.deliveryIn(ep, "document.created", store.StatusPending),
			f.deliveryIn(ep, "document.created", store.StatusProcessing),
		}
		shared := f.publish("document.created", toEndpoints(ep.ID))
		sharedDelivery := f.deliveriesOf(shared.Event.ID)[0]
		if _, err := f.s.CancelDelivery(f.ctx, sharedDelivery.ID); err != nil {
			t.Fatal(err)
		}
		other := f.endpoint()
		sharedOpen := f.publish("document.created", toEndpoints(other.ID))
		unsent := f.publish("document.created", toEndpoints(404))

		if n, err := f.s.DeleteFinishedBefore(f.ctx, time.Now().Add(-time.Hour)); n != 0 || err != nil {
			t.Fatalf("delete before an hour ago: %d, %v; want 0", n, err)
		}
		n, err := f.s.DeleteFinishedBefore(f.ctx, time.Now().Add(time.Hour))
		if n != 4 || err != nil {
			t.Fatalf("delete finished: %d, %v; want 4", n, err)
		}
		for _, d := range append(finished, sharedDelivery) {
			_, err := f.s.GetDelivery(f.ctx, d.ID)
			wantErr(t, "finished delivery", err, store.ErrNotFound)
			if n := len(f.attempts(d.ID)); n != 0 {
				t.Errorf("deleted delivery %d kept %d attempts", d.ID, n)
			}
			_, err = f.s.GetEvent(f.ctx, d.EventID)
			wantErr(t, "event left without deliveries", err, store.ErrNotFound)
		}
		_, err = f.s.GetEvent(f.ctx, unsent.Event.ID)
		wantErr(t, "event that had no deliveries", err, store.ErrNotFound)
		for _, d := range open {
			if got := f.delivery(d.ID); got.Status != d.Status {
				t.Errorf("delivery %d became %s", d.ID, got.Status)
			}
			if _, err := f.s.GetEvent(f.ctx, d.EventID); err != nil {
				t.Errorf("event of an open delivery: %v", err)
			}
		}
		if _, err := f.s.GetEvent(f.ctx, sharedOpen.Event.ID); err != nil {
			t.Errorf("event with a pending delivery: %v", err)
		}
	}},
}

// sameCounts checks CountByStatus.
func (f *fixture) sameCounts(want map[store.Status]int64) {
	f.t.Helper()
	got, err := f.s.CountByStatus(f.ctx)
	if err != nil {
		f.t.Fatalf("count: %v", err)
	}
	if !maps.Equal(got, want) {
		f.t.Errorf("counts %v, want %v", got, want)
	}
}

var retentionTests = []test{
	{"DeleteFinishedBeforeDeletesMoreThanABatch", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		const n = store.RetentionBatch + 150
		for sent := 0; sent < n; {
			batch := min(n-sent, store.MaxPublishMany)
			pubs := make([]store.Publication, batch)
			for i := range pubs {
				pubs[i] = store.Publication{Event: store.Event{Type: "document.created"}, Options: store.PublishOptions{EndpointIDs: []int64{ep.ID}}}
			}
			if _, err := f.s.PublishMany(f.ctx, pubs); err != nil {
				t.Fatal(err)
			}
			sent += batch
		}
		for done := 0; done < n; {
			claimed := f.claim(500)
			if len(claimed) == 0 {
				t.Fatalf("claimed nothing after %d of %d", done, n)
			}
			outcomes := make([]store.Outcome, len(claimed))
			for i, c := range claimed {
				outcomes[i] = delivered(c)
			}
			f.complete(store.HealthPolicy{}, outcomes...)
			done += len(claimed)
		}
		removed, err := f.s.DeleteFinishedBefore(f.ctx, time.Now().Add(time.Hour))
		if removed != n || err != nil {
			t.Fatalf("deleted %d, %v; want all %d, in batches", removed, err, n)
		}
		if left := f.list(store.DeliveryFilter{}); len(left) != 0 {
			t.Errorf("%d deliveries left", len(left))
		}
	}},
}
