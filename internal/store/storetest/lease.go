package storetest

import (
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

var leaseTests = []test{
	{"ReleaseHandsDeliveriesBack", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.publish("document.created")
		f.publish("document.created")
		claimed := f.claim(10)
		stale := claimed[1].Lease
		stale.Worker = "someone-else"
		if err := f.s.Release(f.ctx, []store.Lease{claimed[0].Lease, stale}); err != nil {
			t.Fatalf("release: %v", err)
		}
		d := f.delivery(claimed[0].Delivery.ID)
		if d.Status != store.StatusPending || d.RetryCount != 0 || d.LeaseExpiresAt != nil {
			t.Errorf("released delivery %+v: want pending, retry 0, no lease", d)
		}
		if d := f.delivery(claimed[1].Delivery.ID); d.Status != store.StatusProcessing {
			t.Errorf("a lease held by another worker was released: %s", d.Status)
		}
		if again := f.claimOne(); again.Delivery.ID != claimed[0].Delivery.ID || again.Lease.RetryCount != 0 {
			t.Errorf("claimed %+v again, want delivery %d at retry 0", again.Lease, claimed[0].Delivery.ID)
		}
		if err := f.s.Release(f.ctx, nil); err != nil {
			t.Errorf("release nothing: %v", err)
		}
	}},
	{"RescueLeavesLiveLeases", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.publish("document.created")
		f.claimOne()
		if n, err := f.s.RescueExpired(f.ctx, 0); n != 0 || err != nil {
			t.Errorf("RescueExpired = %d, %v; want 0 while the lease holds", n, err)
		}
	}},
	{"RescueOlderThanLeavesRecentlyExpiredLeases", func(t *testing.T, f *fixture) {
		// What a process that is not the maintainer does: it takes back only
		// leases that expired long ago.
		f.endpoint()
		f.publish("document.created")
		lost := f.claimOne(leaseFor(time.Millisecond))
		Eventually(t, "the lease expires", func() bool {
			return f.delivery(lost.Delivery.ID).LeaseExpiresAt.Before(time.Now().Add(-10 * time.Millisecond))
		})
		if n, err := f.s.RescueExpired(f.ctx, time.Hour); n != 0 || err != nil {
			t.Errorf("RescueExpired(1h) = %d, %v; want 0 for a lease that expired just now", n, err)
		}
		if d := f.delivery(lost.Delivery.ID); d.Status != store.StatusProcessing {
			t.Errorf("a recently expired lease was rescued: %s", d.Status)
		}
		Eventually(t, "rescue the lease that expired more than 1ms ago", func() bool {
			n, err := f.s.RescueExpired(f.ctx, time.Millisecond)
			if err != nil {
				t.Fatalf("rescue expired: %v", err)
			}
			return n == 1
		})
		if n, err := f.s.RescueExpired(f.ctx, 0); n != 0 || err != nil {
			t.Errorf("RescueExpired again = %d, %v; want 0: nothing is rescued twice", n, err)
		}
	}},
	{"RescueCountsTheLostAttempt", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.publish("document.created", withRetries(1))
		first := f.claimOne(leaseFor(time.Millisecond))
		f.expire()
		d := f.delivery(first.Delivery.ID)
		if d.Status != store.StatusPending || d.RetryCount != 1 || d.LeaseExpiresAt != nil || d.LastError != "lease expired: worker lost" {
			t.Errorf("rescued delivery %+v: want pending, retry 1, no lease, last error \"lease expired: worker lost\"", d)
		}
		f.recent("ScheduledFor", d.ScheduledFor)
		unset(t, "ProcessedAt", d.ProcessedAt)

		second := f.claimOne(leaseFor(time.Millisecond))
		if second.Lease.RetryCount != 1 || second.Delivery.ID != first.Delivery.ID {
			t.Fatalf("claimed again %+v, want delivery %d at retry 1", second.Lease, first.Delivery.ID)
		}
		f.expire()
		d = f.delivery(first.Delivery.ID)
		if d.Status != store.StatusFailed || d.RetryCount != 1 || d.LeaseExpiresAt != nil || d.LastError != "lease expired: worker lost" {
			t.Errorf("delivery after its last lease expired %+v: want failed, retry 1, no lease", d)
		}
		f.recentPtr("ProcessedAt", d.ProcessedAt)
		if got := f.claim(10); len(got) != 0 {
			t.Errorf("claimed a failed delivery")
		}
	}},
	{"CompleteSkipsAStaleLease", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.publish("document.created")
		lost := f.claimOne(asWorker("lost"), leaseFor(time.Millisecond))
		f.expire()
		current := f.claimOne(asWorker("current"))

		if res := f.complete(store.HealthPolicy{}, delivered(lost)); res.Applied != 0 {
			t.Errorf("stale outcome applied: %+v", res)
		}
		if d := f.delivery(current.Delivery.ID); d.Status != store.StatusProcessing {
			t.Errorf("a stale outcome changed the delivery to %s", d.Status)
		}
		if n := len(f.attempts(current.Delivery.ID)); n != 0 {
			t.Errorf("a stale outcome recorded %d attempts", n)
		}
		if res := f.complete(store.HealthPolicy{}, delivered(current)); res.Applied != 1 {
			t.Errorf("current outcome not applied: %+v", res)
		}
		if d := f.delivery(current.Delivery.ID); d.Status != store.StatusDelivered || d.RetryCount != 1 {
			t.Errorf("delivery %+v, want delivered at retry 1", d)
		}
	}},
}

// attempts lists the attempts of a delivery.
func (f *fixture) attempts(id int64) []store.Attempt {
	f.t.Helper()
	as, err := f.s.ListAttempts(f.ctx, id)
	if err != nil {
		f.t.Fatalf("list attempts of %d: %v", id, err)
	}
	return as
}
