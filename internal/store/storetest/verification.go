package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// unverifiedWith makes a created endpoint unverified, waiting for the
// challenge event eventID sent at sentAt.
func unverifiedWith(eventID string, sentAt time.Time) func(*store.Endpoint) {
	return func(e *store.Endpoint) {
		e.Verification = store.EndpointVerification{Unverified: true, ChallengeEventID: eventID, ChallengeSentAt: &sentAt}
	}
}

// challenge publishes the challenge event eventID to endpoint ep alone.
func (f *fixture) challenge(ep store.Endpoint, eventID string) store.PublishResult {
	f.t.Helper()
	return f.publish(store.VerificationEventType, toEndpoints(ep.ID), func(p *publication) {
		p.ev.ID = eventID
		p.ev.Data = json.RawMessage(`{"challenge":"c-` + eventID + `"}`)
	})
}

// answered is c delivered by an answer that echoed its challenge.
func answered(c store.Claimed) store.Outcome {
	out := delivered(c)
	out.Verifies = c.Event.ID
	return out
}

var verificationTests = []test{
	{"EndpointsAreVerifiedByDefault", func(t *testing.T, f *fixture) {
		e := f.getEndpoint(f.endpoint().ID)
		if e.Verification != (store.EndpointVerification{}) {
			t.Errorf("verification %+v, want the zero value (verified)", e.Verification)
		}
		_, err := f.s.NewChallenge(f.ctx, e.ID+1000, store.NewEventID())
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("NewChallenge of a missing endpoint: %v, want ErrNotFound", err)
		}
	}},
	{"UnverifiedEndpointIsSentOnlyItsChallenge", func(t *testing.T, f *fixture) {
		sent := wholeSecond(0)
		challengeID := store.NewEventID()
		ep := f.endpoint(unverifiedWith(challengeID, sent))
		got := f.getEndpoint(ep.ID).Verification
		if !got.Unverified || got.ChallengeEventID != challengeID || got.VerifiedAt != nil {
			t.Fatalf("created %+v, want unverified, waiting for %s", got, challengeID)
		}
		sameTimePtr(t, "ChallengeSentAt", got.ChallengeSentAt, &sent)
		waiting := f.publish("document.created")
		f.challenge(ep, challengeID)

		c := f.claimOne()
		if c.Event.ID != challengeID {
			t.Fatalf("claimed %s, want only the challenge %s", c.Event.ID, challengeID)
		}
		// A failed challenge is retried like any delivery; the others still wait.
		f.complete(store.HealthPolicy{}, retryAt(c, wholeSecond(-time.Second)))
		c = f.claimOne()
		if c.Event.ID != challengeID || c.Delivery.RetryCount != 1 {
			t.Fatalf("claimed %s (retry %d), want the challenge again", c.Event.ID, c.Delivery.RetryCount)
		}
		// A 2xx that did not echo it (no Verifies) delivers it but verifies nothing.
		f.complete(store.HealthPolicy{}, delivered(c))
		if f.getEndpoint(ep.ID).Verification.Unverified != true {
			t.Fatal("an answer without the challenge verified the endpoint")
		}
		if claimed := f.claim(10); len(claimed) != 0 {
			t.Fatalf("claimed %d deliveries of an unverified endpoint, want none", len(claimed))
		}
		d := f.deliveriesOf(waiting.Event.ID)[0]
		if d.Status != store.StatusPending || d.RetryCount != 0 {
			t.Errorf("waiting delivery %+v, want pending with no attempt", d)
		}

		// A new challenge, answered: the endpoint is verified and the waiting delivery goes.
		second := store.NewEventID()
		if _, err := f.s.NewChallenge(f.ctx, ep.ID, second); err != nil {
			t.Fatal(err)
		}
		f.challenge(ep, second)
		c = f.claimOne()
		f.complete(store.HealthPolicy{}, answered(c))
		got = f.getEndpoint(ep.ID).Verification
		if got.Unverified || got.ChallengeEventID != second {
			t.Errorf("after the answer %+v, want verified", got)
		}
		f.recentPtr("VerifiedAt", got.VerifiedAt)
		c = f.claimOne()
		if c.Event.ID != waiting.Event.ID || c.Delivery.RetryCount != 0 {
			t.Errorf("claimed %s (retry %d), want the waiting delivery, first attempt", c.Event.ID, c.Delivery.RetryCount)
		}
	}},
	{"NewChallengeReplacesTheOld", func(t *testing.T, f *fixture) {
		first, second, third := store.NewEventID(), store.NewEventID(), store.NewEventID()
		ep := f.endpoint(unverifiedWith(first, wholeSecond(-time.Minute)))
		other := f.endpoint()
		f.challenge(ep, first)
		inFlight := f.claimOne()

		// The second challenge's pending delivery is cancelled by the third.
		if _, err := f.s.NewChallenge(f.ctx, ep.ID, second); err != nil {
			t.Fatal(err)
		}
		f.challenge(ep, second)
		e, err := f.s.NewChallenge(f.ctx, ep.ID, third)
		if err != nil {
			t.Fatal(err)
		}
		if !e.Verification.Unverified || e.Verification.ChallengeEventID != third {
			t.Errorf("after NewChallenge %+v, want unverified, waiting for %s", e.Verification, third)
		}
		f.recentPtr("ChallengeSentAt", e.Verification.ChallengeSentAt)
		if d := f.deliveriesOf(second)[0]; d.Status != store.StatusCancelled {
			t.Errorf("the replaced challenge's delivery is %s, want cancelled", d.Status)
		}
		// The first challenge, answered while in flight, no longer counts.
		f.complete(store.HealthPolicy{}, answered(inFlight))
		if !f.getEndpoint(ep.ID).Verification.Unverified {
			t.Error("an answer to a replaced challenge verified the endpoint")
		}
		// The answer to the current one, in a batch with another endpoint's.
		f.challenge(ep, third)
		f.publish("document.created", toEndpoints(other.ID))
		claimed := f.claim(10)
		if len(claimed) != 2 {
			t.Fatalf("claimed %d, want the third challenge and the other endpoint's delivery", len(claimed))
		}
		f.complete(store.HealthPolicy{}, answered(claimed[0]), answered(claimed[1]))
		if f.getEndpoint(ep.ID).Verification.Unverified {
			t.Error("the answer to the current challenge did not verify the endpoint")
		}
		if v := f.getEndpoint(other.ID).Verification; v != (store.EndpointVerification{}) {
			t.Errorf("a verified endpoint's verification changed to %+v", v)
		}
	}},
}
