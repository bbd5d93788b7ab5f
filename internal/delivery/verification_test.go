package delivery_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	listenkit "github.com/hookrelay/hookrelay/internal/receiver"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
	"github.com/hookrelay/hookrelay/signature"
)

// TestEndpointVerification is the "Done when" for endpoint
// ownership, on both stores, with real receivers on loopback: an endpoint
// that never echoes its challenge receives only the challenge, one that
// echoes it receives every event published after it was created, a new
// challenge invalidates the old, and WEBHOOK_URLS endpoints are not asked.
func TestEndpointVerification(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Run("SilentEndpointReceivesOnlyItsChallenge", func(t *testing.T) { t.Parallel(); testSilentEndpoint(t, newStore(t)) })
		t.Run("EchoingEndpointReceivesEveryEvent", func(t *testing.T) { t.Parallel(); testEchoingEndpoint(t, newStore(t)) })
		t.Run("NewChallengeInvalidatesTheOld", func(t *testing.T) { t.Parallel(); testNewChallenge(t, newStore(t)) })
		t.Run("ConfigEndpointsAreNotAsked", func(t *testing.T) { t.Parallel(); testConfigNotAsked(t, newStore(t)) })
		t.Run("ListenAnswersTheChallenge", func(t *testing.T) { t.Parallel(); testListenAnswers(t, newStore(t)) })
	})
}

// verifyingService is a service whose new endpoints must prove ownership
// by default (HOOKRELAY_REQUIRE_VERIFICATION), with two retries.
func verifyingService(s store.Store) *service.Service {
	return service.New(s, service.Options{AllowPrivateTargets: true, DefaultMaxRetries: 2, RequireVerification: true})
}

// createEndpoint creates an endpoint for url through svc, with the
// service's default verification.
func createEndpoint(t *testing.T, svc *service.Service, url string) store.Endpoint {
	t.Helper()
	e, err := svc.CreateEndpoint(t.Context(), store.Endpoint{
		Title: "t", URL: url, Secret: testSecret, Active: true, SignatureProfile: store.ProfileStandard,
		Verification: store.EndpointVerification{Unverified: svc.RequiresVerification(nil)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// challengeOf returns the challenge a recorded request carries, after
// checking its signature.
func challengeOf(t *testing.T, r recorded) (string, bool) {
	t.Helper()
	if _, err := signature.Verify(r.header, r.body, signature.VerifyOptions{Secrets: []string{testSecret}}); err != nil {
		t.Errorf("request not signed: %v", err)
	}
	return signature.ChallengeOf(r.header, r.body)
}

// deliveryOf returns the one delivery of event eventID.
func deliveryOf(t *testing.T, s store.Store, eventID string) store.Delivery {
	t.Helper()
	return onlyDelivery(t, s, eventID)
}

func testSilentEndpoint(t *testing.T, s store.Store) {
	svc := verifyingService(s)
	silent := newReceiver(t, status(http.StatusOK)) // 2xx, but never the challenge
	control := newReceiver(t, status(http.StatusOK))
	ep := createEndpoint(t, svc, silent.URL)
	if !ep.Verification.Unverified || ep.Verification.ChallengeSentAt == nil {
		t.Fatalf("created %+v, want unverified with a challenge sent", ep.Verification)
	}
	addEndpoint(t, s, control.URL)
	var events []string
	for range 3 {
		events = append(events, publish(t, s, store.NewEventID(), "document.created", 3).Event.ID)
	}
	stop := startWorker(t, s, fastOptions(t), 5*time.Second)
	// The later observable events: the challenge failed for good (three
	// attempts), and the control endpoint received every event.
	waitFor(t, s, deliveryOf(t, s, ep.Verification.ChallengeEventID).ID, "failed", hasStatus(store.StatusFailed))
	testwait.Until(t, "the control endpoint receives the 3 events", func() bool { return len(control.received()) == 3 })
	stop()

	got := silent.received()
	if len(got) != 3 {
		t.Errorf("the silent endpoint received %d requests, want its challenge 3 times", len(got))
	}
	first, _ := challengeOf(t, got[0])
	for i, r := range got {
		if c, ok := challengeOf(t, r); !ok || c != first || len(c) < 40 {
			t.Errorf("request %d carries challenge %q (%v), want the same random challenge each time", i, c, ok)
		}
	}
	a, err := s.ListAttempts(t.Context(), deliveryOf(t, s, ep.Verification.ChallengeEventID).ID)
	if err != nil || len(a) != 3 || !strings.Contains(a[0].Error, "without echoing") {
		t.Errorf("challenge attempts %+v (%v), want 3 failed for not echoing", a, err)
	}
	for _, id := range events {
		list, err := s.ListDeliveries(t.Context(), store.DeliveryFilter{EventID: id, EndpointID: ep.ID})
		if err != nil || len(list) != 1 || list[0].Status != store.StatusPending || list[0].RetryCount != 0 {
			t.Errorf("deliveries %+v (%v) to the unverified endpoint, want one, pending with no attempt", list, err)
		}
	}
	if e, _ := s.GetEndpoint(t.Context(), ep.ID); !e.Verification.Unverified {
		t.Error("the silent endpoint was verified")
	}
}

func testEchoingEndpoint(t *testing.T, s store.Store) {
	svc := verifyingService(s)
	var mu sync.Mutex
	var got []string // event types, in order
	answered := 0    // challenges the middleware answered
	verified := signature.Middleware(signature.VerifyOptions{Secrets: []string{testSecret}}, http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got = append(got, r.Header.Get("X-Event-Type"))
			mu.Unlock()
		}))
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Event-Type") == signature.VerificationEventType {
			mu.Lock()
			answered++
			mu.Unlock()
		}
		verified.ServeHTTP(w, r)
	}))
	t.Cleanup(rcv.Close)
	ep := createEndpoint(t, svc, rcv.URL)
	var events []string
	for range 5 {
		events = append(events, publish(t, s, store.NewEventID(), "document.created", 3).Event.ID)
	}
	startWorker(t, s, fastOptions(t), 5*time.Second)
	for _, id := range events {
		waitFor(t, s, deliveryOf(t, s, id).ID, "delivered", hasStatus(store.StatusDelivered))
	}
	// And once verified, what is published next.
	later := publish(t, s, store.NewEventID(), "document.updated", 3).Event.ID
	waitFor(t, s, deliveryOf(t, s, later).ID, "delivered", hasStatus(store.StatusDelivered))
	mu.Lock()
	if answered != 1 || len(got) != 6 {
		t.Errorf("the middleware answered %d challenges and the handler got %v; want 1 challenge, then the 6 events", answered, got)
	}
	mu.Unlock()
	e, err := s.GetEndpoint(t.Context(), ep.ID)
	if err != nil || e.Verification.Unverified || e.Verification.VerifiedAt == nil {
		t.Errorf("endpoint %+v (%v), want verified", e.Verification, err)
	}
	if _, err := svc.SendChallenge(t.Context(), ep.ID); !errors.Is(err, service.ErrAlreadyVerified) || !errors.Is(err, store.ErrConflict) {
		t.Errorf("SendChallenge to a verified endpoint: %v, want ErrAlreadyVerified", err)
	}
}

func testNewChallenge(t *testing.T, s store.Store) {
	svc := verifyingService(s)
	var mu sync.Mutex
	var first string // the first challenge seen: the receiver answers every later one with it
	echoCurrent := false
	rcv := newReceiver(t, nil)
	rcv.respond = func(n int, w http.ResponseWriter) {
		r := rcv.received()[n-1]
		c, _ := signature.ChallengeOf(r.header, r.body)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case first == "":
			first = c
			w.WriteHeader(http.StatusServiceUnavailable)
		case echoCurrent:
			_, _ = w.Write(signature.ChallengeAnswer(c))
		default:
			_, _ = w.Write(signature.ChallengeAnswer(first))
		}
	}
	opts := fastOptions(t)
	opts.Retry = delivery.RetryPolicy{Base: time.Hour, Cap: time.Hour, RetryAfterCap: time.Hour} // one attempt each
	ep := createEndpoint(t, svc, rcv.URL)
	oldID := ep.Verification.ChallengeEventID
	startWorker(t, s, opts, 5*time.Second)
	waitFor(t, s, deliveryOf(t, s, oldID).ID, "tried once", func(d store.Delivery) bool { return d.RetryCount == 1 })

	ep, err := svc.SendChallenge(t.Context(), ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	newID := ep.Verification.ChallengeEventID
	if newID == oldID || !ep.Verification.Unverified {
		t.Fatalf("after SendChallenge %+v, want a new challenge", ep.Verification)
	}
	if d := deliveryOf(t, s, oldID); d.Status != store.StatusCancelled {
		t.Errorf("the old challenge's delivery is %s, want cancelled", d.Status)
	}
	// Answered with the old challenge: not verified, retried.
	d := waitFor(t, s, deliveryOf(t, s, newID).ID, "tried once", func(d store.Delivery) bool { return d.RetryCount == 1 })
	if !strings.Contains(d.LastError, "without echoing") {
		t.Errorf("new challenge answered with the old one: %q, want a failure for not echoing", d.LastError)
	}
	if e, _ := s.GetEndpoint(t.Context(), ep.ID); !e.Verification.Unverified {
		t.Fatal("an answer with the old challenge verified the endpoint")
	}
	mu.Lock()
	echoCurrent = true
	mu.Unlock()
	ep, err = svc.SendChallenge(t.Context(), ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, s, deliveryOf(t, s, ep.Verification.ChallengeEventID).ID, "delivered", hasStatus(store.StatusDelivered))
	if e, _ := s.GetEndpoint(t.Context(), ep.ID); e.Verification.Unverified {
		t.Error("the answer to the current challenge did not verify the endpoint")
	}
}

func testConfigNotAsked(t *testing.T, s store.Store) {
	svc := verifyingService(s)
	rcv := newReceiver(t, status(http.StatusOK))
	if _, err := svc.SyncConfigEndpoints(context.Background(), []string{rcv.URL}, testSecret); err != nil {
		t.Fatal(err)
	}
	id := publish(t, s, store.NewEventID(), "document.created", 3).Event.ID
	stop := startWorker(t, s, fastOptions(t), 5*time.Second)
	d := waitFor(t, s, deliveryOf(t, s, id).ID, "delivered", hasStatus(store.StatusDelivered))
	stop()
	if got := rcv.received(); len(got) != 1 || got[0].header.Get("X-Event-Type") != "document.created" {
		t.Errorf("the WEBHOOK_URLS endpoint received %d requests, want the event alone", len(got))
	}
	if _, err := svc.SendChallenge(t.Context(), d.EndpointID); !errors.Is(err, service.ErrAlreadyVerified) {
		t.Errorf("SendChallenge to a WEBHOOK_URLS endpoint: %v, want ErrAlreadyVerified", err)
	}
}

// testListenAnswers points an endpoint that requires verification at the
// handler of `hookrelay listen --secret`: it answers the challenge, and the
// endpoint is verified and receives its event.
func testListenAnswers(t *testing.T, s store.Store) {
	svc := verifyingService(s)
	listen := httptest.NewServer(listenkit.NewHandler(listenkit.ListenOptions{Secrets: []string{testSecret}}, io.Discard))
	t.Cleanup(listen.Close)
	ep := createEndpoint(t, svc, listen.URL)
	id := publish(t, s, store.NewEventID(), "document.created", 3).Event.ID
	startWorker(t, s, fastOptions(t), 5*time.Second)
	waitFor(t, s, deliveryOf(t, s, ep.Verification.ChallengeEventID).ID, "delivered", hasStatus(store.StatusDelivered))
	waitFor(t, s, deliveryOf(t, s, id).ID, "delivered", hasStatus(store.StatusDelivered))
	if e, err := s.GetEndpoint(t.Context(), ep.ID); err != nil || e.Verification.Unverified || e.Verification.VerifiedAt == nil {
		t.Errorf("endpoint behind listen: %+v (%v), want verified", e.Verification, err)
	}
}
