package storetest

import (
	"maps"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

var completeTests = []test{
	{"CompleteDelivered", func(t *testing.T, f *fixture) {
		ep := f.failingEndpoint(3)
		f.publish("document.created")
		c := f.claimOne()
		out := delivered(c)
		if res := f.complete(store.HealthPolicy{}, out); res.Applied != 1 || len(res.Disabled) != 0 {
			t.Fatalf("result %+v, want 1 applied", res)
		}
		f.finished(out, store.StatusDelivered)

		e := f.getEndpoint(ep.ID)
		f.recentPtr("LastDeliveredAt", e.LastDeliveredAt)
		if e.FailureCount != 0 || e.FailingSince != nil || !e.Active {
			t.Errorf("endpoint after a success: %+v; want failure count 0, not failing, active", e)
		}
	}},
	{"CompleteRetry", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		claimed := f.claimNew(2)
		at := wholeSecond(time.Hour)
		out := retryAt(claimed[0], at)
		f.complete(store.HealthPolicy{}, out)
		d := f.delivery(claimed[0].Delivery.ID)
		if d.Status != store.StatusPending || d.RetryCount != 1 || d.LeaseExpiresAt != nil {
			t.Errorf("delivery %+v: want pending, retry 1, no lease", d)
		}
		sameInstant(t, "ScheduledFor", d.ScheduledFor, at)
		sameTimePtr(t, "NextRetryAt", d.NextRetryAt, &at)
		unset(t, "ProcessedAt", d.ProcessedAt)
		sameAttemptData(t, d, out.Attempt)
		f.sameAttempts(d.ID, out.Attempt)

		e := f.getEndpoint(ep.ID)
		if e.FailureCount != 1 || e.LastDeliveredAt != nil {
			t.Errorf("endpoint after a failure: count %d, last delivered %v; want 1, nil", e.FailureCount, e.LastDeliveredAt)
		}
		f.recentPtr("FailingSince", e.FailingSince)
		since := *e.FailingSince

		f.complete(store.HealthPolicy{}, retryAt(claimed[1], at))
		e = f.getEndpoint(ep.ID)
		if e.FailureCount != 2 {
			t.Errorf("failure count %d, want 2", e.FailureCount)
		}
		sameTimePtr(t, "FailingSince after a second failure", e.FailingSince, &since)
	}},
	{"CompleteFailed", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		claimed := f.claimNew(2)
		permanent := failed(claimed[0])
		network := store.Outcome{Lease: claimed[1].Lease, Result: store.ResultFailed, Attempt: attemptOf(claimed[1], 0, "dial tcp: connection refused")}
		if res := f.complete(store.HealthPolicy{}, permanent, network); res.Applied != 2 {
			t.Fatalf("applied %d, want 2", res.Applied)
		}
		for _, out := range []store.Outcome{permanent, network} {
			f.finished(out, store.StatusFailed)
		}
		if e := f.getEndpoint(ep.ID); e.FailureCount != 2 || e.FailingSince == nil {
			t.Errorf("endpoint %+v: want 2 failures, failing", e)
		}
	}},
	{"CompleteKeepsEveryAttempt", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.publish("document.created")
		first := f.claimOne()
		retry := retryAt(first, wholeSecond(-time.Second))
		f.complete(store.HealthPolicy{}, retry)
		second := f.claimOne()
		done := delivered(second)
		f.complete(store.HealthPolicy{}, done)
		f.sameAttempts(first.Delivery.ID, retry.Attempt, done.Attempt)
		if n := len(f.attempts(404)); n != 0 {
			t.Errorf("unknown delivery has %d attempts", n)
		}
	}},
	{"CompleteBatchAddsUpPerEndpoint", func(t *testing.T, f *fixture) {
		mixed := f.failingEndpoint(5)
		failing := f.endpoint()
		for range 3 {
			f.publish("document.created")
		}
		byEndpoint := map[int64][]store.Claimed{}
		for _, c := range f.claim(10) {
			byEndpoint[c.Delivery.EndpointID] = append(byEndpoint[c.Delivery.EndpointID], c)
		}
		m, x := byEndpoint[mixed.ID], byEndpoint[failing.ID]
		stale := delivered(x[2])
		stale.Lease.Worker = "someone-else"
		res := f.complete(store.HealthPolicy{},
			failed(m[0]), retryAt(x[0], wholeSecond(time.Hour)), delivered(m[1]),
			failed(x[1]), retryAt(m[2], wholeSecond(time.Hour)), stale)
		if res.Applied != 5 {
			t.Errorf("applied %d, want 5 (one lease is someone else's)", res.Applied)
		}
		e := f.getEndpoint(mixed.ID)
		if e.FailureCount != 1 || e.FailingSince == nil || e.LastDeliveredAt == nil {
			t.Errorf("fail, deliver, fail: %+v; want 1 failure since the success, failing, delivered", e)
		}
		f.recentPtr("FailingSince", e.FailingSince)
		if e := f.getEndpoint(failing.ID); e.FailureCount != 2 || e.LastDeliveredAt != nil {
			t.Errorf("two failures: count %d, last delivered %v; want 2, nil", e.FailureCount, e.LastDeliveredAt)
		}
	}},
	{"CompleteAppliesTheFirstOutcomeOfADelivery", func(t *testing.T, f *fixture) {
		f.endpoint()
		f.publish("document.created")
		c := f.claimOne()
		first := delivered(c)
		res := f.complete(store.HealthPolicy{}, first, failed(c))
		if res.Applied != 1 {
			t.Errorf("applied %d, want 1", res.Applied)
		}
		if d := f.delivery(c.Delivery.ID); d.Status != store.StatusDelivered {
			t.Errorf("status %s, want delivered (the first outcome)", d.Status)
		}
		f.sameAttempts(c.Delivery.ID, first.Attempt)
	}},
	{"CompleteNothing", func(t *testing.T, f *fixture) {
		if res := f.complete(store.HealthPolicy{DisableAfterFailures: 1}); res.Applied != 0 || len(res.Disabled) != 0 {
			t.Errorf("empty batch: %+v", res)
		}
	}},
}

// failingEndpoint creates an endpoint that has failed n times since an hour
// ago.
func (f *fixture) failingEndpoint(n int) store.Endpoint {
	f.t.Helper()
	since := wholeSecond(-time.Hour)
	return f.endpoint(func(e *store.Endpoint) { e.FailureCount, e.FailingSince = n, &since })
}

// finished checks that the outcome out left its delivery final with status:
// never retried, no lease, processed just now, holding out's attempt as its
// last data and as its only attempt.
func (f *fixture) finished(out store.Outcome, status store.Status) {
	f.t.Helper()
	d := f.delivery(out.Lease.DeliveryID)
	if d.Status != status || d.RetryCount != 0 || d.LeaseExpiresAt != nil {
		f.t.Errorf("delivery %+v: want %s, retry 0, no lease", d, status)
	}
	f.recentPtr("ProcessedAt", d.ProcessedAt)
	sameAttemptData(f.t, d, out.Attempt)
	f.sameAttempts(d.ID, out.Attempt)
}

// sameAttemptData checks that d holds what attempt a sent and received.
func sameAttemptData(t *testing.T, d store.Delivery, a store.Attempt) {
	t.Helper()
	if !maps.Equal(d.RequestHeaders, a.RequestHeaders) || !maps.Equal(d.ResponseHeaders, a.ResponseHeaders) ||
		!sameStatus(d.ResponseStatus, a.ResponseStatus) || d.ResponseBody != a.ResponseBody || d.LastError != a.Error {
		t.Errorf("delivery %d holds request %v, response %v %v %q, error %q\nwant the attempt's %+v",
			d.ID, d.RequestHeaders, deref(d.ResponseStatus), d.ResponseHeaders, d.ResponseBody, d.LastError, a)
	}
}

// sameAttempts checks the attempt log of a delivery.
func (f *fixture) sameAttempts(id int64, want ...store.Attempt) {
	f.t.Helper()
	got := f.attempts(id)
	if len(got) != len(want) {
		f.t.Fatalf("delivery %d has %d attempts, want %d", id, len(got), len(want))
	}
	for i, g := range got {
		w := want[i]
		sameInstant(f.t, "attempt StartedAt", g.StartedAt, w.StartedAt)
		if g.DeliveryID != id || g.Attempt != w.Attempt || g.DurationMS != w.DurationMS ||
			!maps.Equal(g.RequestHeaders, w.RequestHeaders) || !maps.Equal(g.ResponseHeaders, w.ResponseHeaders) ||
			!sameStatus(g.ResponseStatus, w.ResponseStatus) || g.ResponseBody != w.ResponseBody || g.Error != w.Error {
			f.t.Errorf("attempt %d of delivery %d:\n got %+v\nwant %+v", i, id, g, w)
		}
	}
}

func sameStatus(a, b *int) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}
