package hookrelay_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testwait"
	"github.com/hookrelay/hookrelay/signature"
)

// recoveringFast are options under which an endpoint is disabled after 5
// failed attempts, probed every 50ms (at most 200ms apart), and recovers
// what failed in the last hour.
func recoveringFast() []hookrelay.Option {
	return []hookrelay.Option{
		hookrelay.WithMaxRetries(hookrelay.NoRetries),
		hookrelay.WithDisableAfter(5, hookrelay.Never),
		hookrelay.WithProbeInterval(50*time.Millisecond, 200*time.Millisecond),
		hookrelay.WithRecoveryWindow(time.Hour),
	}
}

// TestDeliveriesLostInAnOutageArriveWhenTheReceiverComesBack is the
// issue's first case: 5 deliveries fail for good while the receiver is
// down, its health rules disable it, and once it is back a probe re-enables
// it and the 5 arrive, with no call of anyone's, each recovered once.
func TestDeliveriesLostInAnOutageArriveWhenTheReceiverComesBack(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := started(t, b, recoveringFast()...)
		r := newReceiver(t)
		r.fail.Store(true)
		ep, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: r.url, Secret: r.secret})
		if err != nil {
			t.Fatal(err)
		}
		ids := publishNumbered(t, c, 5)
		testwait.Until(t, "the 5 deliveries failed for good and the endpoint probed", func() bool {
			rec, err := c.EndpointRecovery(t.Context(), ep.ID)
			return err == nil && rec.ProbingSince != nil && rec.ToRecover == 5 && b.count(t, "webhook_deliveries WHERE status = 'failed'") == 5
		})

		r.fail.Store(false)
		back := time.Now()
		r.expectAll(t, ids)
		if took := time.Since(back); took > 5*time.Second {
			t.Errorf("the lost deliveries took %v to arrive after the receiver came back", took)
		}
		got, err := c.GetEndpoint(t.Context(), ep.ID)
		if err != nil || !got.Active {
			t.Fatalf("endpoint after the probe's 2xx: %+v, %v; want active", got, err)
		}
		testwait.Until(t, "every recovered delivery delivered", func() bool {
			return b.count(t, "webhook_deliveries WHERE status = 'delivered' AND recovered_at IS NOT NULL") == 5
		})
		for _, id := range ids {
			if n := r.attemptsOf(id); n != 2 {
				t.Errorf("event %s reached the receiver %d times, want 2 (the failure, the recovery)", id, n)
			}
		}
		if rec, err := c.EndpointRecovery(t.Context(), ep.ID); err != nil || rec.ProbingSince != nil || rec.ToRecover != 0 || rec.Recovering != 0 {
			t.Errorf("recovery state at the end: %+v, %v; want nothing left", rec, err)
		}
	})
}

// TestTheNextSuccessRecoversWhatFailed: with the health rules off, an
// endpoint stays active through its outage; the first 2xx it gives to new
// traffic brings back the 5 deliveries that failed for good meanwhile.
func TestTheNextSuccessRecoversWhatFailed(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := started(t, b, hookrelay.WithMaxRetries(hookrelay.NoRetries), hookrelay.WithDisableAfter(hookrelay.Never, hookrelay.Never),
			hookrelay.WithRecoveryWindow(time.Hour))
		r := subscribe(t, c)
		r.fail.Store(true)
		ids := publishNumbered(t, c, 5)
		testwait.Until(t, "the 5 deliveries failed for good", func() bool {
			return b.count(t, "webhook_deliveries WHERE status = 'failed'") == 5
		})
		r.fail.Store(false)
		next, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "order.paid", Data: json.RawMessage(`{"n":5}`)})
		if err != nil {
			t.Fatal(err)
		}
		r.expectAll(t, append(ids, next.EventID))
	})
}

// TestOnlyHealthDisabledEndpointsAreProbed is the second case: an
// endpoint that its health rules disabled is re-enabled by a probe; one a
// person disabled from the start, and one the health rules disabled and a
// person then disabled again by hand, are not probed: their receivers get
// no request from the person's disable until the other endpoint, probed
// meanwhile, is re-enabled.
func TestOnlyHealthDisabledEndpointsAreProbed(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := started(t, b, recoveringFast()...)
		health, person, handOver := newReceiver(t), newReceiver(t), newReceiver(t)
		endpoints := map[*receiver]hookrelay.Endpoint{}
		for _, r := range []*receiver{health, person, handOver} {
			r.fail.Store(true)
			ep, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: r.url, Secret: r.secret})
			if err != nil {
				t.Fatal(err)
			}
			endpoints[r] = ep
		}
		if _, err := c.DisableEndpoint(t.Context(), endpoints[person].ID, "maintenance"); err != nil {
			t.Fatal(err)
		}
		publishNumbered(t, c, 5)
		failedProbes := func(r *receiver) int {
			rec, err := c.EndpointRecovery(t.Context(), endpoints[r].ID)
			if err != nil {
				t.Fatal(err)
			}
			return rec.FailedProbes
		}
		testwait.Until(t, "both failing endpoints disabled by their health and probed", func() bool {
			return failedProbes(health) >= 1 && failedProbes(handOver) >= 1
		})
		if _, err := c.DisableEndpoint(t.Context(), endpoints[handOver].ID, "we are moving it"); err != nil {
			t.Fatal(err)
		}
		// A probe round that began before the disable may still reach it;
		// two rounds later every round began after it.
		base := failedProbes(health)
		testwait.Until(t, "two more probe rounds", func() bool { return failedProbes(health) >= base+2 })
		handOverBefore, personBefore := handOver.requests(), person.requests()
		if personBefore != 0 {
			t.Errorf("the endpoint a person disabled at once got %d requests", personBefore)
		}

		for _, r := range []*receiver{health, person, handOver} {
			r.fail.Store(false)
		}
		testwait.Until(t, "the health-disabled endpoint re-enabled by a probe", func() bool {
			e, err := c.GetEndpoint(t.Context(), endpoints[health].ID)
			return err == nil && e.Active
		})
		if n := person.requests(); n != personBefore {
			t.Errorf("the endpoint a person disabled got %d requests, want none", n)
		}
		if n := handOver.requests(); n != handOverBefore {
			t.Errorf("the endpoint a person disabled after its health did got %d requests after that, want none", n-handOverBefore)
		}
		for _, r := range []*receiver{person, handOver} {
			e, err := c.GetEndpoint(t.Context(), endpoints[r].ID)
			if err != nil || e.Active {
				t.Errorf("endpoint disabled by a person: %+v, %v; want still disabled", e, err)
			}
			if rec, err := c.EndpointRecovery(t.Context(), e.ID); err != nil || rec.ProbingSince != nil {
				t.Errorf("endpoint disabled by a person: recovery %+v, %v; want not probed", rec, err)
			}
		}
	})
}

// expectAll waits until the receiver has accepted each event of ids, in
// any order.
func (r *receiver) expectAll(t *testing.T, ids []string) {
	t.Helper()
	testwait.Until(t, fmt.Sprintf("the %d events delivered", len(ids)), func() bool {
		got := r.received()
		for _, id := range ids {
			if !slices.Contains(got, id) {
				return false
			}
		}
		return true
	})
}

// requests returns the number of signed requests the receiver got, answered
// or not.
func (r *receiver) requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, a := range r.attempts {
		n += a
	}
	return n
}

// publishNumbered publishes n events of type order.paid, one at a time with
// PublishNow, whose data are {"n":0} to {"n":n-1}, and returns their event
// IDs in publish order; it fails the test on the first error.
func publishNumbered(t *testing.T, c client, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := range n {
		res, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "order.paid", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
		if err != nil {
			t.Fatalf("publish event %d: %v", i, err)
		}
		ids = append(ids, res.EventID)
	}
	return ids
}

// TestAnUnverifiedEndpointIsNeverProbed: an unverified endpoint whose
// challenges fail is disabled by its health rules like any other, but it is
// not probed: a probe would send signed pings, and re-enable it on a 2xx, at
// a URL whose owner never proved it wanted them.
func TestAnUnverifiedEndpointIsNeverProbed(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := started(t, b, append(recoveringFast(), hookrelay.WithDisableAfter(1, hookrelay.Never))...)
		r := newReceiver(t)
		r.fail.Store(true)
		yes := true
		ep, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: r.url, Secret: r.secret, RequireVerification: &yes})
		if err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, "the unverified endpoint disabled by its failed challenge", func() bool {
			e, err := c.GetEndpoint(t.Context(), ep.ID)
			return err == nil && !e.Active
		})
		rec, err := c.EndpointRecovery(t.Context(), ep.ID)
		if err != nil || rec.ProbingSince != nil || rec.NextProbeAt != nil {
			t.Fatalf("recovery of the disabled unverified endpoint: %+v, %v; want not probed", rec, err)
		}
	})
}

// TestAFailedChallengeIsNotRecovered: a challenge that failed for good is
// stale, so recovery does not send it again: neither when its endpoint is
// counted as having deliveries to recover, nor when the endpoint's next 2xx
// (the answer to a new challenge) recovers what failed.
func TestAFailedChallengeIsNotRecovered(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := started(t, b, hookrelay.WithMaxRetries(hookrelay.NoRetries), hookrelay.WithDisableAfter(hookrelay.Never, hookrelay.Never),
			hookrelay.WithRecoveryWindow(time.Hour))
		secret, err := signature.GenerateSecret()
		if err != nil {
			t.Fatal(err)
		}
		var down atomic.Bool
		down.Store(true)
		owner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if down.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			signature.Middleware(signature.VerifyOptions{Secrets: []string{secret}},
				http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })).ServeHTTP(w, r)
		}))
		t.Cleanup(owner.Close)
		yes := true
		ep, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: owner.URL + "/hooks", Secret: secret, RequireVerification: &yes})
		if err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, "the first challenge to fail for good", func() bool {
			return b.count(t, "webhook_deliveries WHERE status = 'failed'") == 1
		})
		if rec, err := c.EndpointRecovery(t.Context(), ep.ID); err != nil || rec.ToRecover != 0 {
			t.Errorf("recovery with a failed challenge: %+v, %v; want nothing to recover", rec, err)
		}
		down.Store(false)
		if _, err := c.VerifyEndpoint(t.Context(), ep.ID); err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, "the new challenge answered", func() bool {
			e, err := c.GetEndpoint(t.Context(), ep.ID)
			return err == nil && !e.Unverified
		})
		if n := b.count(t, "webhook_deliveries WHERE status = 'failed' AND recovered_at IS NULL"); n != 1 {
			t.Errorf("after the 2xx: %d failed, never recovered challenges, want the first one", n)
		}
	})
}

// TestAMovedEndpointIsNotProbedAtItsNewURL: an endpoint that proved
// ownership, was disabled by its health rules and is being probed, then
// moved to a URL that never proved it, is unverified again and its probes
// stop: the new URL gets no signed ping, while another endpoint's probes go
// on.
func TestAMovedEndpointIsNotProbedAtItsNewURL(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := started(t, b, recoveringFast()...)
		victim, other := newReceiver(t), newReceiver(t)
		var down atomic.Bool
		owner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if down.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			signature.Middleware(signature.VerifyOptions{Secrets: []string{victim.secret}},
				http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })).ServeHTTP(w, r)
		}))
		t.Cleanup(owner.Close)
		yes := true
		ep, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: owner.URL + "/hooks", Secret: victim.secret, RequireVerification: &yes})
		if err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, "the owner to answer the challenge", func() bool {
			e, err := c.GetEndpoint(t.Context(), ep.ID)
			return err == nil && e.VerifiedAt != nil && !e.Unverified
		})
		down.Store(true)
		other.fail.Store(true)
		otherEp, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: other.url, Secret: other.secret})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if _, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "order.paid", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}); err != nil {
				t.Fatal(err)
			}
		}
		failedProbes := func(id int64) int {
			rec, err := c.EndpointRecovery(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			return rec.FailedProbes
		}
		testwait.Until(t, "the owner's endpoint disabled by its health and probed", func() bool { return failedProbes(ep.ID) >= 1 })
		moved, err := c.UpdateEndpoint(t.Context(), ep.ID, hookrelay.EndpointUpdate{URL: &victim.url})
		if err != nil || !moved.Unverified {
			t.Fatalf("UpdateEndpoint to a new URL = %+v, %v; want unverified", moved, err)
		}
		// A probe round that began before the move may still reach it; two
		// rounds of the other endpoint later every round began after it.
		otherID := otherEp.ID
		base := failedProbes(otherID)
		testwait.Until(t, "two more probe rounds", func() bool { return failedProbes(otherID) >= base+2 })
		before := failedProbes(ep.ID)
		base = failedProbes(otherID)
		testwait.Until(t, "two more probe rounds", func() bool { return failedProbes(otherID) >= base+2 })
		if n := failedProbes(ep.ID); n != before {
			t.Errorf("the moved endpoint was probed %d more times, want none", n-before)
		}
		if n := victim.requests(); n != 0 {
			t.Errorf("the new URL, never proved, got %d signed requests", n)
		}
		if e, err := c.GetEndpoint(t.Context(), ep.ID); err != nil || e.Active || !e.Unverified {
			t.Errorf("the moved endpoint: %+v, %v; want still disabled and unverified", e, err)
		}
		if rec, err := c.EndpointRecovery(t.Context(), ep.ID); err != nil || rec.ProbingSince != nil || rec.NextProbeAt != nil {
			t.Errorf("recovery of the moved endpoint: %+v, %v; want not probed", rec, err)
		}
	})
}
