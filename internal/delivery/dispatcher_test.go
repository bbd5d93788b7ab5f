package delivery

import (
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// clock is a settable time for dispatcher tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func testDispatcher(l dispatchLimits) (*dispatcher, *clock) {
	if l.lease == 0 {
		l.lease = time.Minute
	}
	if l.timeout == 0 {
		l.timeout = 10 * time.Second
	}
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return newDispatcher(l, c.now), c
}

var nextDeliveryID int64

func claimedFor(endpointIDs ...int64) []store.Claimed {
	out := make([]store.Claimed, len(endpointIDs))
	for i, id := range endpointIDs {
		nextDeliveryID++
		out[i] = store.Claimed{Endpoint: store.Endpoint{ID: id}, Delivery: store.Delivery{ID: nextDeliveryID, EndpointID: id}}
	}
	return out
}

func repeat(id int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = id
	}
	return out
}

func endpointsOf(run []started) []int64 {
	var ids []int64
	for _, s := range run {
		ids = append(ids, s.claimed.Endpoint.ID)
	}
	return ids
}

// delivered ends one request of s as a quick 200.
func delivered(s started) attemptEnd {
	return attemptEnd{endpointID: s.claimed.Endpoint.ID, restricted: s.restricted, duration: time.Millisecond, class: Delivered, status: 200}
}

// timedOut ends one request of s as a timeout.
func timedOut(s started) attemptEnd {
	return attemptEnd{endpointID: s.claimed.Endpoint.ID, restricted: s.restricted, duration: 3 * time.Second, class: Retryable}
}

// prove makes each endpoint known fast, as after one quick 200.
func prove(t *testing.T, d *dispatcher, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		run, _ := d.admit(claimedFor(id))
		if len(run) != 1 {
			t.Fatalf("endpoint %d: first delivery did not start", id)
		}
		d.finish(delivered(run[0]))
	}
}

func TestDispatcherNewEndpointStartsAtInitialLimitAndGrows(t *testing.T) {
	d, _ := testDispatcher(dispatchLimits{total: 64, perEndpoint: 16, hold: 164})
	run, overflow := d.admit(claimedFor(repeat(1, 10)...))
	if len(run) != initialEndpointLimit || len(overflow) != 10-2*initialEndpointLimit {
		t.Fatalf("run %d, overflow %d; want %d running, %d waiting, the rest handed back",
			len(run), len(overflow), initialEndpointLimit, initialEndpointLimit)
	}
	// Each 2xx raises the limit by one: the finished slot and one more start.
	more, _, _ := d.finish(delivered(run[0]))
	if len(more) != 2 {
		t.Fatalf("after a 200 %d started, want 2 (limit %d → %d)", len(more), initialEndpointLimit, initialEndpointLimit+1)
	}
	if d.inFlight() != initialEndpointLimit+1 {
		t.Fatalf("in flight %d, want %d", d.inFlight(), initialEndpointLimit+1)
	}
}

func TestDispatcherLimitNeverPassesPerEndpoint(t *testing.T) {
	d, _ := testDispatcher(dispatchLimits{total: 64, perEndpoint: 3, hold: 164})
	run, _ := d.admit(claimedFor(repeat(1, 6)...))
	for range 30 {
		if len(run) == 0 {
			t.Fatal("nothing running")
		}
		next, _, _ := d.finish(delivered(run[0]))
		run = append(run[1:], next...)
		more, _ := d.admit(claimedFor(1, 1))
		run = append(run, more...)
		if d.inFlight() > 3 {
			t.Fatalf("in flight %d, want at most 3", d.inFlight())
		}
	}
}

func TestDispatcherTimeoutsHalveTheLimit(t *testing.T) {
	d, _ := testDispatcher(dispatchLimits{total: 64, perEndpoint: 16, hold: 164})
	run, _ := d.admit(claimedFor(repeat(1, initialEndpointLimit)...))
	for _, s := range run {
		d.finish(timedOut(s))
	}
	if got := d.endpoints[1].limit; got != 1 {
		t.Fatalf("limit after %d timeouts = %d, want 1", initialEndpointLimit, got)
	}
	run, overflow := d.admit(claimedFor(1, 1, 1))
	if len(run) != 1 || len(overflow) != 1 {
		t.Fatalf("run %d, overflow %d; want 1 running, 1 waiting, 1 handed back", len(run), len(overflow))
	}
}

// Hanging endpoints share half of the slots: however many there are, the
// other half stays free for endpoints that answer.
func TestDispatcherHangingEndpointsLeaveHalfTheSlots(t *testing.T) {
	d, _ := testDispatcher(dispatchLimits{total: 8, perEndpoint: 8, hold: 200})
	healthy := int64(99)
	prove(t, d, healthy)
	var ids []int64
	for id := int64(1); id <= 20; id++ {
		ids = append(ids, repeat(id, 4)...)
	}
	hanging, _ := d.admit(claimedFor(ids...))
	if len(hanging) != 4 {
		t.Fatalf("new endpoints run %d requests, want 4 (half of 8)", len(hanging))
	}
	// A healthy endpoint does not count against the restricted share: it
	// may use the other half alone.
	run, _ := d.admit(claimedFor(repeat(healthy, 4)...))
	if len(run) != 4 || d.inFlight() != 8 {
		t.Fatalf("healthy endpoint started %d (in flight %d), want 4 (8)", len(run), d.inFlight())
	}
	// Hanging endpoints time out: the slots they free go to other hanging
	// endpoints in turn, never beyond their half.
	seen := map[int64]bool{}
	for range 12 {
		next, _, _ := d.finish(timedOut(hanging[0]))
		hanging = append(hanging[1:], next...)
		for _, s := range next {
			seen[s.claimed.Endpoint.ID] = true
		}
		if d.restricted > 4 {
			t.Fatalf("hanging endpoints hold %d slots, want at most 4", d.restricted)
		}
	}
	if len(seen) < 8 {
		t.Fatalf("freed slots went to %d hanging endpoints, want them shared in turn", len(seen))
	}
}

// A freed slot goes to the next endpoint in turn, not back to the one that
// freed it.
func TestDispatcherSharesFreedSlotsInTurn(t *testing.T) {
	d, _ := testDispatcher(dispatchLimits{total: 2, perEndpoint: 2, hold: 100})
	prove(t, d, 1, 2, 3)
	run, _ := d.admit(claimedFor(1, 1, 1, 1, 2, 3))
	if !slices.Equal(endpointsOf(run), []int64{1, 1}) {
		t.Fatalf("started %v, want [1 1]", endpointsOf(run))
	}
	var order []int64
	for range 4 {
		next, _, _ := d.finish(delivered(run[0]))
		run = append(run[1:], next...)
		order = append(order, endpointsOf(next)...)
	}
	if !slices.Equal(order, []int64{1, 2, 3, 1}) {
		t.Fatalf("freed slots went to %v, want [1 2 3 1]", order)
	}
}

func TestDispatcherGoneStopsTheEndpoint(t *testing.T) {
	d, _ := testDispatcher(dispatchLimits{total: 64, perEndpoint: 16, hold: 164})
	run, _ := d.admit(claimedFor(repeat(1, 8)...))
	end := delivered(run[0])
	end.class, end.status = Gone, 410
	next, release, _ := d.finish(end)
	if len(next) != 0 || len(release) != initialEndpointLimit {
		t.Fatalf("after 410: started %d, handed back %d; want 0 and %d", len(next), len(release), initialEndpointLimit)
	}
	if !slices.Contains(d.skipList(), 1) {
		t.Fatal("claims do not skip a stopped endpoint")
	}
	if run, overflow := d.admit(claimedFor(1)); len(run) != 0 || len(overflow) != 1 {
		t.Fatal("a stopped endpoint's delivery was admitted")
	}
	for _, s := range run[1:] {
		if next, _, _ := d.finish(delivered(s)); len(next) != 0 {
			t.Fatal("a request to a stopped endpoint started")
		}
	}
	// The store recorded it disabled: claims filter it from now on.
	d.disabled(1)
	if slices.Contains(d.skipList(), 1) {
		t.Fatal("endpoint still skipped after the store disabled it")
	}
}

func TestDispatcherDisabledHandsBackWaiting(t *testing.T) {
	d, _ := testDispatcher(dispatchLimits{total: 64, perEndpoint: 16, hold: 164})
	d.admit(claimedFor(repeat(1, 6)...))
	if got := d.disabled(1); len(got) != 2 {
		t.Fatalf("disabled handed back %d, want the 2 waiting", len(got))
	}
	if d.room() != 164-initialEndpointLimit {
		t.Fatalf("room %d, want %d", d.room(), 164-initialEndpointLimit)
	}
}

// An endpoint that a claim skipped for want of room asks for a claim as soon
// as it has room again, so that the worker does not wait for its poll.
func TestDispatcherAsksToClaimWhenSkippedEndpointHasRoom(t *testing.T) {
	d, _ := testDispatcher(dispatchLimits{total: 64, perEndpoint: 16, hold: 164})
	run, _ := d.admit(claimedFor(repeat(1, 8)...))
	if !slices.Contains(d.skipList(), 1) {
		t.Fatal("a full endpoint is not skipped")
	}
	// Its limit grows, so it has room at once.
	if _, _, claim := d.finish(delivered(run[0])); !claim {
		t.Fatal("finish did not ask to claim for the skipped endpoint")
	}
	if _, _, claim := d.finish(delivered(run[1])); claim {
		t.Fatal("finish asked to claim again without a new skip")
	}
}

func TestDispatcherHandsBackDeliveriesWaitingTooLong(t *testing.T) {
	d, clk := testDispatcher(dispatchLimits{total: 64, perEndpoint: 16, hold: 164, lease: time.Minute, timeout: 10 * time.Second})
	run, _ := d.admit(claimedFor(repeat(1, 8)...))
	clk.t = clk.t.Add(d.maxWait() + time.Second)
	next, release, _ := d.finish(delivered(run[0]))
	if len(next) != 0 || len(release) != initialEndpointLimit {
		t.Fatalf("started %d, handed back %d; want 0 and %d (their lease is too short now)", len(next), len(release), initialEndpointLimit)
	}
}

func TestDispatcherForgetsIdleEndpoints(t *testing.T) {
	limits := NewLimits(16, true)
	d, clk := testDispatcher(dispatchLimits{total: 64, perEndpoint: 16, hold: 164, limits: limits})
	run, _ := d.admit(claimedFor(1))
	d.finish(delivered(run[0]))
	if got, ok := limits.Limit(1); !ok || got != initialEndpointLimit+1 {
		t.Fatalf("published limit %d (%v), want %d", got, ok, initialEndpointLimit+1)
	}
	clk.t = clk.t.Add(idleForget + time.Second)
	d.forgetIdle()
	if len(d.endpoints) != 0 {
		t.Fatalf("%d endpoints kept, want 0", len(d.endpoints))
	}
	if all := limits.All(); len(all) != 0 {
		t.Fatalf("published limits %v after forgetting, want none", all)
	}
}
