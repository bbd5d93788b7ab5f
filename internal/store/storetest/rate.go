package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

var rateTests = []test{
	{"RateLimitIsStoredAndPatched", func(t *testing.T, f *fixture) {
		ep := f.endpoint(rateLimit(5))
		if got := f.getEndpoint(ep.ID); got.RateLimitPerSecond != 5 {
			t.Fatalf("RateLimitPerSecond = %d after create, want 5", got.RateLimitPerSecond)
		}
		title := "renamed"
		if got := f.updateEndpoint(ep.ID, store.EndpointPatch{Title: &title}); got.RateLimitPerSecond != 5 {
			t.Errorf("RateLimitPerSecond = %d after a patch without it, want 5 kept", got.RateLimitPerSecond)
		}
		zero := 0
		if got := f.updateEndpoint(ep.ID, store.EndpointPatch{RateLimitPerSecond: &zero}); got.RateLimitPerSecond != 0 {
			t.Errorf("RateLimitPerSecond = %d after removing it, want 0", got.RateLimitPerSecond)
		}
		if got := f.endpoint(); got.RateLimitPerSecond != 0 {
			t.Errorf("RateLimitPerSecond of a new endpoint = %d, want 0 (unlimited)", got.RateLimitPerSecond)
		}
	}},
	{"ClaimDefersDeliveriesOverTheLimit", func(t *testing.T, f *fixture) {
		ep := f.endpoint(rateLimit(2))
		for range 5 {
			f.publish("a.b")
		}
		before := time.Now()
		claimed := f.claim(10)
		if len(claimed) != 2 {
			t.Fatalf("claimed %d deliveries of a 2/s endpoint at once, want its burst of 2", len(claimed))
		}
		waiting := f.list(store.DeliveryFilter{EndpointID: ep.ID, Status: store.StatusPending})
		if len(waiting) != 3 {
			t.Fatalf("%d deliveries pending after the claim, want the 3 over the limit", len(waiting))
		}
		var times []time.Time
		for _, d := range waiting {
			if d.RetryCount != 0 || d.LeaseExpiresAt != nil || len(f.attempts(d.ID)) != 0 {
				t.Errorf("delivery over the limit %+v: want no attempt counted, no lease", d)
			}
			if d.NextRetryAt == nil || !d.NextRetryAt.Equal(d.ScheduledFor) {
				t.Errorf("delivery over the limit: next_retry_at %v, want its scheduled_for %v", d.NextRetryAt, d.ScheduledFor)
			}
			if !d.ScheduledFor.After(before) || d.ScheduledFor.After(time.Now().Add(2*time.Second)) {
				t.Errorf("delivery over the limit scheduled for %v, want within 2 s of now", d.ScheduledFor)
			}
			times = append(times, d.ScheduledFor)
		}
		spacedBy(t, times, 500*time.Millisecond)
		if again := f.claim(10); len(again) != 0 && time.Since(before) < 400*time.Millisecond {
			t.Errorf("claimed %d more at once, want 0: the others wait for their tokens", len(again))
		}
	}},
	{"ClaimHandsOutAtMostTheLimitPerSecond", func(t *testing.T, f *fixture) {
		const limit, total = 5, 16
		f.endpoint(rateLimit(limit))
		for range total + 4 {
			f.publish("a.b")
		}
		var mu sync.Mutex
		var calls []claimCall
		var wg sync.WaitGroup
		deadline := time.Now().Add(15 * time.Second)
		for w := range 3 { // concurrent claims: other connections, other transactions
			wg.Go(func() {
				for time.Now().Before(deadline) {
					mu.Lock()
					n := 0
					for _, c := range calls {
						n += c.n
					}
					mu.Unlock()
					if n >= total {
						return
					}
					start := time.Now()
					claimed := f.claim(10, asWorker(string(rune('a'+w))))
					call := claimCall{start: start, end: time.Now(), n: len(claimed)}
					mu.Lock()
					calls = append(calls, call)
					mu.Unlock()
					time.Sleep(20 * time.Millisecond) // a poll interval, not a proof
				}
			})
		}
		wg.Wait()
		claimedWithinLimit(t, calls, limit, total)
	}},
	{"UnlimitedEndpointsAreNotHeldBack", func(t *testing.T, f *fixture) {
		slow := f.endpoint(rateLimit(1))
		fast := f.endpoint()
		for range 10 {
			f.publish("a.b")
		}
		per := map[int64]int{}
		for _, c := range f.claim(100) {
			per[c.Endpoint.ID]++
		}
		if per[slow.ID] != 1 || per[fast.ID] != 10 {
			t.Errorf("claimed %d of the 1/s endpoint and %d of the unlimited one, want 1 and 10", per[slow.ID], per[fast.ID])
		}
		for _, d := range f.list(store.DeliveryFilter{EndpointID: fast.ID}) {
			if d.Status != store.StatusProcessing {
				t.Errorf("delivery %d of the unlimited endpoint is %s, want processing", d.ID, d.Status)
			}
		}
	}},
	{"ANewLimitRepacesTheWaitingDeliveries", func(t *testing.T, f *fixture) {
		ep := f.endpoint(rateLimit(1))
		for range 5 {
			f.publish("a.b")
		}
		f.claim(10) // one sent, four waiting 1 s apart
		pending := func() []store.Delivery {
			return f.list(store.DeliveryFilter{EndpointID: ep.ID, Status: store.StatusPending})
		}
		if waiting := pending(); len(waiting) != 4 || !waiting[0].ScheduledFor.After(time.Now()) {
			t.Fatalf("%d waiting, the last until %v; want 4 deliveries waiting for their tokens", len(waiting), waiting[0].ScheduledFor)
		}
		faster := 100
		f.updateEndpoint(ep.ID, store.EndpointPatch{RateLimitPerSecond: &faster})
		claimed := f.claim(10)
		waiting := pending()
		if len(claimed)+len(waiting) != 4 {
			t.Fatalf("claimed %d and %d waiting after raising the limit, want the 4", len(claimed), len(waiting))
		}
		for _, d := range waiting {
			if d.ScheduledFor.After(time.Now().Add(1100 * time.Millisecond)) {
				t.Errorf("a delivery still waits until %v after the limit went to 100/s, want at most one second", d.ScheduledFor)
			}
		}
	}},
	{"ALimitedBacklogHoldsNoOneBack", func(t *testing.T, f *fixture) {
		slow := f.endpoint(rateLimit(1))
		fast := f.endpoint()
		for range 25 { // older: at the head of the queue
			f.publish("a.b", toEndpoints(slow.ID))
		}
		for range 5 {
			f.publish("a.b", toEndpoints(fast.ID))
		}
		per := map[int64]int{}
		for _, c := range f.claim(10) {
			per[c.Endpoint.ID]++
		}
		if per[slow.ID] != 1 || per[fast.ID] != 5 {
			t.Errorf("one claim of 10 got %d of the 1/s backlog and %d of the unlimited endpoint, want 1 and all 5", per[slow.ID], per[fast.ID])
		}
	}},
	{"SlowDownHalvesTheRateOfLimitedEndpoints", func(t *testing.T, f *fixture) {
		ep := f.endpoint(rateLimit(4), subscribedTo("a.b"))
		unlimited := f.endpoint(subscribedTo("other"))
		f.publish("a.b")
		other := f.publish("other")
		var mine, theirs store.Claimed
		for _, c := range f.claim(10) {
			if c.Endpoint.ID == ep.ID {
				mine = c
			} else {
				theirs = c
			}
		}
		if theirs.Endpoint.ID != unlimited.ID || theirs.Event.ID != other.Event.ID {
			t.Fatalf("claimed %+v, want a delivery of each endpoint", theirs)
		}
		f.complete(store.HealthPolicy{}, slowDownAnswer(mine), slowDownAnswer(theirs))
		for range 8 {
			f.publish("a.b")
		}
		f.claim(10)
		// At half of 4/s, the deliveries over the limit are 500 ms apart, up
		// to the horizon.
		spacedBy(t, beforeHorizon(f.scheduledPending(ep.ID)), 500*time.Millisecond)

		// The unlimited endpoint is still unlimited.
		for range 5 {
			f.publish("other")
		}
		got := 0
		for _, c := range f.claim(20) {
			if c.Endpoint.ID == unlimited.ID {
				got++
			}
		}
		if got != 5 {
			t.Errorf("claimed %d deliveries of the unlimited endpoint after its 429, want all 5", got)
		}
	}},
	{"DeferralsNeverExceedTheHorizon", func(t *testing.T, f *fixture) {
		// A slowed-down endpoint (2/s of 4/s) with a backlog: a claim defers
		// no delivery further than store.RateHorizon, so the rate is paced
		// again at most that long after it changes.
		ep := f.endpoint(rateLimit(4))
		f.publish("a.b")
		f.complete(store.HealthPolicy{}, slowDownAnswer(f.claim(1)[0]))
		for range 20 {
			f.publish("a.b")
		}
		f.claim(30)
		after := time.Now()
		waiting := f.scheduledPending(ep.ID)
		if len(waiting) < 15 {
			t.Fatalf("%d deliveries wait for a token, want the backlog over the limit", len(waiting))
		}
		for _, at := range waiting {
			if at.After(after.Add(store.RateHorizon)) {
				t.Errorf("a delivery deferred until now + %v, want at most store.RateHorizon (%v)", at.Sub(after), store.RateHorizon)
			}
		}
	}},
	{"AfterASlowDownTheNextClaimsPaceAtTheFullRate", func(t *testing.T, f *fixture) {
		// A backlog deferred at half the rate (4/s → 2/s); the slow-down
		// ends (EndSlowDown, as a minute passing would). Every deferred
		// delivery is due within store.RateHorizon, and once they are, a
		// claim paces them at the full rate: the burst of 4 at once and the
		// others 250 ms apart.
		w, ok := f.s.(ForeignWriter)
		if !ok {
			t.Fatalf("the store of the suite (%T) must implement storetest.ForeignWriter", f.s)
		}
		ep := f.endpoint(rateLimit(4))
		f.publish("a.b")
		f.complete(store.HealthPolicy{}, slowDownAnswer(f.claim(1)[0]))
		for range 12 {
			f.publish("a.b")
		}
		f.claim(20)
		spacedBy(t, beforeHorizon(f.scheduledPending(ep.ID)), 500*time.Millisecond)
		if err := w.EndSlowDown(f.ctx, ep.ID); err != nil {
			t.Fatal(err)
		}
		var sent int
		testwait.Until(t, "the backlog due again", func() bool {
			sent += len(f.claim(20))
			return len(f.list(store.DeliveryFilter{EndpointID: ep.ID, Status: store.StatusPending})) == 1 // the 429's retry, an hour ahead
		})
		if sent == 0 {
			t.Fatal("claimed nothing of the backlog")
		}
		for range 12 {
			f.publish("a.b")
		}
		// The bucket refilled while the claims above waited for the backlog
		// (one more than 250 ms each, at most): this claim's deferrals are
		// a full-rate step apart.
		f.claim(20)
		if times := beforeHorizon(f.scheduledPending(ep.ID)); len(times) >= 2 {
			spacedBy(t, times, 250*time.Millisecond)
		} else {
			t.Fatalf("%d deliveries wait for a token below the horizon, want several 250 ms apart", len(times))
		}
	}},
	{"ANewLimitReleasesARetriedDeferredDelivery", func(t *testing.T, f *fixture) {
		// A delivery retried (retry_count 1) and then deferred for its token
		// is due at once when the limit changes; one scheduled beyond the
		// horizon on purpose (a Retry-After of an hour) stays where it is.
		ep := f.endpoint(rateLimit(1))
		f.publish("a.b")
		f.publish("a.b")
		claimed := f.claim(10) // one sent, one waiting
		if len(claimed) != 1 {
			t.Fatalf("claimed %d of a 1/s endpoint, want 1", len(claimed))
		}
		f.complete(store.HealthPolicy{}, retryAt(claimed[0], time.Now().Add(-time.Second)))
		if again := f.claim(10); len(again) != 0 {
			t.Fatalf("claimed %d with no token left, want 0", len(again))
		}
		retried := f.delivery(claimed[0].Delivery.ID)
		if retried.Status != store.StatusPending || retried.RetryCount != 1 || !retried.ScheduledFor.After(time.Now()) {
			t.Fatalf("retried delivery %+v, want pending, retry_count 1, deferred for its token", retried)
		}
		var later store.Claimed // the one deferred by the first claim, at its token
		testwait.Until(t, "the other delivery claimed at its token", func() bool {
			for _, c := range f.claim(10) {
				if c.Delivery.ID != retried.ID {
					later = c
				}
			}
			return later.Delivery.ID != 0
		})
		f.complete(store.HealthPolicy{}, retryAt(later, time.Now().Add(time.Hour)))
		faster := 100
		f.updateEndpoint(ep.ID, store.EndpointPatch{RateLimitPerSecond: &faster})
		now := time.Now()
		if d := f.delivery(retried.ID); d.Status == store.StatusPending && d.ScheduledFor.After(now) {
			t.Errorf("the retried deferred delivery waits until now + %v after the limit changed, want due at once", d.ScheduledFor.Sub(now))
		}
		if d := f.delivery(later.Delivery.ID); d.Status != store.StatusPending || d.ScheduledFor.Before(now.Add(50*time.Minute)) {
			t.Errorf("the delivery retried in an hour is %s until now + %v after the limit changed, want it left an hour ahead", d.Status, d.ScheduledFor.Sub(now))
		}
	}},
	{"ClaimSkipsAnEndpointOverItsLimit", func(t *testing.T, f *fixture) {
		// A backlog of a limited endpoint ahead of the others in the queue:
		// one round defers part of it, the next skips the endpoint, so the
		// claim touches no more of the backlog than one batch and returns
		// the other endpoint's deliveries.
		limited, other := f.endpoint(rateLimit(1)), f.endpoint()
		const backlog, limit = 1000, 10
		pubs := make([]store.Publication, backlog)
		for i := range pubs {
			pubs[i] = store.Publication{Event: store.Event{Type: "a.b"}, Options: store.PublishOptions{EndpointIDs: []int64{limited.ID}}}
		}
		if _, err := f.s.PublishMany(f.ctx, pubs); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			f.publish("a.b", toEndpoints(other.ID))
		}
		claimed := f.claim(limit)
		byEndpoint := map[int64]int{}
		for _, c := range claimed {
			byEndpoint[c.Endpoint.ID]++
		}
		if byEndpoint[limited.ID] != 1 || byEndpoint[other.ID] != 3 {
			t.Errorf("claimed %v by endpoint, want 1 of the limited endpoint %d and the 3 of %d", byEndpoint, limited.ID, other.ID)
		}
		if moved := len(f.scheduledPending(limited.ID)); moved > limit {
			t.Errorf("one claim moved %d deliveries of the backlog to their token times, want at most one batch (%d)", moved, limit)
		}
	}},
}

// rateLimit gives an endpoint a rate limit of n per second.
func rateLimit(n int) func(*store.Endpoint) {
	return func(e *store.Endpoint) { e.RateLimitPerSecond = n }
}

// slowDownAnswer is a retry outcome of c for a 429 answer.
func slowDownAnswer(c store.Claimed) store.Outcome {
	o := retryAt(c, wholeSecond(time.Hour))
	o.Attempt = attemptOf(c, 429, "HTTP 429")
	o.SlowDown = true
	return o
}

// scheduledPending returns the scheduled_for of the pending deliveries of
// endpoint id that wait for a token (never attempted, not due yet), soonest
// first.
func (f *fixture) scheduledPending(id int64) []time.Time {
	var times []time.Time
	now := time.Now()
	for _, d := range f.list(store.DeliveryFilter{EndpointID: id, Status: store.StatusPending}) {
		if d.RetryCount == 0 && d.ScheduledFor.After(now) {
			times = append(times, d.ScheduledFor)
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	return times
}

// beforeHorizon returns times (sorted) without the last and those equal
// to it: the deliveries deferred to the claim's horizon (store.RateHorizon)
// rather than to their token time.
func beforeHorizon(times []time.Time) []time.Time {
	if len(times) == 0 {
		return times
	}
	last := times[len(times)-1]
	return slices.DeleteFunc(slices.Clone(times), last.Equal)
}

// spacedBy checks that times, once sorted, are step apart, to the
// microsecond, and that there are at least two.
func spacedBy(t *testing.T, times []time.Time, step time.Duration) {
	t.Helper()
	if len(times) < 2 {
		t.Fatalf("%d deliveries wait for a token, want at least 2", len(times))
	}
	sorted := slices.SortedFunc(slices.Values(times), time.Time.Compare)
	for i := 1; i < len(sorted); i++ {
		if gap := sorted[i].Sub(sorted[i-1]); gap != step {
			t.Errorf("token times %v: gap %v, want %v", sorted, gap, step)
		}
	}
}

// claimCall is one Claim call: when it started and returned, and how many
// deliveries it returned.
type claimCall struct {
	start, end time.Time
	n          int
}

// claimedWithinLimit checks the rate limit's guarantee on calls, which
// claimed deliveries of one endpoint limited to limit per second: the
// deliveries that the calls from any call a to any call b (by start) handed
// out were all admitted between a's start and the last of their ends, so there are at most
// limit (the burst) + limit × that span. It checks too that all total came,
// and not at once.
func claimedWithinLimit(t *testing.T, calls []claimCall, limit, total int) {
	t.Helper()
	slices.SortFunc(calls, func(a, b claimCall) int { return a.start.Compare(b.start) })
	sum := 0
	for _, c := range calls {
		sum += c.n
	}
	if sum < total {
		t.Fatalf("claimed %d deliveries before the deadline, want %d", sum, total)
	}
	for a := range calls {
		n, end := 0, calls[a].end
		for b := a; b < len(calls); b++ {
			n += calls[b].n
			if calls[b].end.After(end) {
				end = calls[b].end
			}
			span := end.Sub(calls[a].start)
			if allowed := limit + int(float64(limit)*span.Seconds()); n > allowed {
				t.Fatalf("claimed %d deliveries in %v, want at most %d at %d/s with a burst of %d", n, span, allowed, limit, limit)
			}
		}
	}
}

// RowsBeforeRateLimits are the rows that the tests of both stores put in a
// database of the release before rate limits (endpoint 1 and three pending
// deliveries), in SQL that both stores run, before RateLimitsAfterMigration
// checks them.
const RowsBeforeRateLimits = `
		INSERT INTO webhooks (id, target_url, secret, title) VALUES (1, 'https://a.example/hook', 'secret-0123456789', 'old');
		INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
		VALUES (1, '0190b6a4-0000-7000-8000-000000000001', 'document.created', '{"n": 1}'),
		       (1, '0190b6a4-0000-7000-8000-000000000002', 'document.created', '{"n": 2}'),
		       (1, '0190b6a4-0000-7000-8000-000000000003', 'document.created', '{"n": 3}')`

// RateLimitsAfterMigration checks s, a store just migrated from a release
// before rate limits with endpoint 1 and its three pending deliveries in
// it: the endpoint is kept and unlimited, a delivery is claimed, and a
// limit of 1/s set afterwards holds (one more claimed, one left waiting).
func RateLimitsAfterMigration(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	e, err := s.GetEndpoint(ctx, 1)
	if err != nil || e.URL != "https://a.example/hook" || e.Title != "old" || e.RateLimitPerSecond != 0 {
		t.Fatalf("endpoint after migrating: %+v, %v; want it kept, unlimited", e, err)
	}
	claimed, err := s.Claim(ctx, store.ClaimRequest{Limit: 1, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claimed %d deliveries after migrating (%v), want 1", len(claimed), err)
	}
	one := 1
	if _, err := s.UpdateEndpoint(ctx, 1, store.EndpointPatch{RateLimitPerSecond: &one}); err != nil {
		t.Fatal(err)
	}
	claimed, err = s.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claimed %d deliveries at 1/s (%v), want 1", len(claimed), err)
	}
	pending, err := s.ListDeliveries(ctx, store.DeliveryFilter{Status: store.StatusPending})
	if err != nil || len(pending) != 1 || !pending[0].ScheduledFor.After(time.Now()) {
		t.Errorf("pending after the limited claim: %+v, %v; want one waiting for its token", pending, err)
	}
}
