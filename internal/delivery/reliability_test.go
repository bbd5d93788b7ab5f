package delivery_test

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

func TestReliability(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Run("ChaosReceiver", func(t *testing.T) { t.Parallel(); testChaosReceiver(t, newStore(t)) })
		t.Run("HangingEndpointDoesNotDelayHealthyOne", func(t *testing.T) { testIsolation(t, newStore(t)) })
		t.Run("FailingEndpointIsDisabledAndResumes", func(t *testing.T) { t.Parallel(); testHealthDisable(t, newStore(t)) })
		t.Run("SSRFGuardRefusesLoopback", func(t *testing.T) { t.Parallel(); testSSRFGuard(t, newStore(t)) })
		t.Run("HugeResponseBodyIsCapped", func(t *testing.T) { t.Parallel(); testHugeResponse(t, newStore(t)) })
	})
}

// testChaosReceiver sends to a receiver that answers at random with 500,
// 429 + Retry-After, a reply slower than the timeout, a dropped connection or
// 200; every event must arrive within its retry budget. A second endpoint
// answers 422: its deliveries fail at once, never retried.
func testChaosReceiver(t *testing.T, s store.Store) {
	const events = 60
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	delivered := map[string]bool{}
	chaos := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		roll := rng.IntN(5)
		mu.Unlock()
		switch roll {
		case 0:
			w.WriteHeader(http.StatusInternalServerError)
		case 1:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			time.Sleep(250 * time.Millisecond) // past the 150 ms timeout
			mu.Lock()
			delivered[r.Header.Get("X-Event-Id")] = true // in case the client, starved of CPU, still read it
			mu.Unlock()
			w.WriteHeader(http.StatusOK)
		case 3:
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close() // dropped connection
			}
		default:
			mu.Lock()
			delivered[r.Header.Get("X-Event-Id")] = true
			mu.Unlock()
			w.WriteHeader(http.StatusOK)
		}
	}))
	t.Cleanup(chaos.Close)
	var rejected atomic.Int64
	strict := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		rejected.Add(1)
		w.WriteHeader(http.StatusUnprocessableEntity)
	}))
	t.Cleanup(strict.Close)
	addEndpoint(t, s, chaos.URL)
	addEndpoint(t, s, strict.URL)
	for range events {
		publish(t, s, "", "document.created", 30)
	}
	opts := fastOptions(t)
	opts.Retry.RetryAfterCap = 20 * time.Millisecond // Retry-After: 1 is honoured, capped for the test
	startWorker(t, s, opts, 150*time.Millisecond)
	deadline := time.Now().Add(60 * time.Second)
	for {
		counts, err := s.CountByStatus(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.StatusDelivered] == events && counts[store.StatusFailed] == events {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chaos did not settle: %v", counts)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(delivered) != events {
		t.Errorf("%d distinct events answered 200, want %d", len(delivered), events)
	}
	if rejected.Load() != events {
		t.Errorf("the 422 endpoint got %d requests, want %d (permanent errors are not retried)", rejected.Load(), events)
	}
}

// testIsolation runs one endpoint whose requests hang until the test
// releases them beside a healthy one, under the same load: the healthy one
// gets every delivery while the hanging one still holds its slots.
func testIsolation(t *testing.T, s store.Store) {
	const events = 40
	stop := make(chan struct{})
	release := sync.OnceFunc(func() { close(stop) })
	var hangingStarted, hangingEnded atomic.Int64
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hangingStarted.Add(1)
		defer hangingEnded.Add(1)
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { release(); hanging.Close() })
	var mu sync.Mutex
	var received []string   // event IDs, in arrival order
	var endedBefore []int64 // hanging requests ended before each arrival
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		received = append(received, r.Header.Get("X-Event-Id"))
		endedBefore = append(endedBefore, hangingEnded.Load())
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(healthy.Close)
	addEndpoint(t, s, hanging.URL)
	addEndpoint(t, s, healthy.URL)

	opts := fastOptions(t)
	opts.Concurrency, opts.EndpointInFlight = 8, 2
	opts.Retry.Base, opts.Retry.Cap = time.Minute, time.Minute // no retries during the test
	opts.Lease = time.Minute                                   // nor rescues of the hanging deliveries
	startWorker(t, s, opts, time.Minute)                       // the hanging requests end only when released
	for range events {
		publish(t, s, "", "document.created", 3)
		time.Sleep(10 * time.Millisecond)
	}
	testwait.Until(t, "the healthy endpoint receives every event", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(received) >= events
	})
	// Without isolation the healthy endpoint would wait behind the hanging
	// one until its requests end: here they end only when released below.
	mu.Lock()
	got, ended := slices.Clone(received), slices.Clone(endedBefore)
	mu.Unlock()
	if slices.Sort(got); len(slices.Compact(got)) != events {
		t.Errorf("healthy endpoint got %d requests for %d distinct events, want each event once", len(received), len(got))
	}
	if last := ended[len(ended)-1]; last != 0 {
		t.Errorf("%d hanging requests had ended before the healthy endpoint got its last event, want none", last)
	}
	if n := hangingStarted.Load(); n < 1 || n > int64(opts.EndpointInFlight) {
		t.Errorf("hanging endpoint holds %d requests, want 1 to its cap of %d", n, opts.EndpointInFlight)
	}
	release()
}

func testHealthDisable(t *testing.T, s store.Store) {
	var failing atomic.Bool
	failing.Store(true)
	rcv := newReceiver(t, func(_ int, w http.ResponseWriter) {
		if failing.Load() {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	e := addEndpoint(t, s, rcv.URL)
	first := publish(t, s, "", "document.created", 0)  // fails at once: no retries
	second := publish(t, s, "", "document.created", 0) // fails at once too, and disables
	opts := fastOptions(t)
	opts.Concurrency = 1
	opts.Health = store.HealthPolicy{DisableAfterFailures: 2}
	startWorker(t, s, opts, time.Second)

	waitFor(t, s, onlyDelivery(t, s, first.Event.ID).ID, "failed", hasStatus(store.StatusFailed))
	waitFor(t, s, onlyDelivery(t, s, second.Event.ID).ID, "failed", hasStatus(store.StatusFailed))
	got, err := s.GetEndpoint(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Active || !strings.Contains(got.DisabledReason, "2 consecutive failed attempts") || got.DisabledAt == nil {
		t.Fatalf("endpoint after 2 failures: active %v, reason %q", got.Active, got.DisabledReason)
	}
	// Disabled endpoints still have deliveries queued (published while disabled: none
	// are created, so queue one by retrying a failed delivery), untouched until re-enabled.
	queued, err := s.RetryDelivery(context.Background(), onlyDelivery(t, s, first.Event.ID).ID)
	if err != nil {
		t.Fatal(err)
	}
	failing.Store(false)
	// A known point: a delivery to another endpoint, due after the queued
	// one, is claimed and delivered, so a claim has passed over the queued
	// delivery (claims take the earliest due first).
	markerRcv := newReceiver(t, status(http.StatusOK))
	markerEndpoint := addEndpoint(t, s, markerRcv.URL)
	marker := store.Event{Type: "document.created", Data: json.RawMessage(`{}`)}
	if err := marker.Normalize(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(context.Background(), marker, store.PublishOptions{EndpointIDs: []int64{markerEndpoint.ID}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, s, onlyDelivery(t, s, marker.ID).ID, "delivered", hasStatus(store.StatusDelivered))
	d, err := s.GetDelivery(context.Background(), queued.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != store.StatusPending {
		t.Fatalf("delivery of a disabled endpoint is %s, want it kept pending", d.Status)
	}
	if n := len(rcv.received()); n != 2 {
		t.Fatalf("the disabled endpoint got %d requests, want only the 2 that disabled it", n)
	}
	if _, err := s.UpdateEndpoint(context.Background(), e.ID, store.EndpointPatch{Activation: &store.Activation{Active: true}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, s, queued.ID, "delivered after re-enabling", hasStatus(store.StatusDelivered))
}

func testSSRFGuard(t *testing.T, s store.Store) {
	rcv := newReceiver(t, status(http.StatusOK))
	addEndpoint(t, s, rcv.URL)
	res := publish(t, s, "", "document.created", 5)
	guarded := delivery.NewSender(delivery.SenderOptions{Timeout: time.Second, MaxIdlePerHost: 2}) // AllowPrivate off
	stop := runWorker(t, delivery.NewWorker(s, guarded, fastOptions(t)))
	d := waitFor(t, s, onlyDelivery(t, s, res.Event.ID).ID, "failed", hasStatus(store.StatusFailed))
	stop()
	if d.RetryCount != 0 || !strings.Contains(d.LastError, "resolves to a non-public address") {
		t.Errorf("retry_count %d, last_error %q; want a permanent SSRF refusal", d.RetryCount, d.LastError)
	}
	if n := len(rcv.received()); n != 0 {
		t.Errorf("the guarded sender reached loopback %d times", n)
	}
}

func testHugeResponse(t *testing.T, s store.Store) {
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		chunk := []byte(strings.Repeat("z", 32<<10))
		for {
			select {
			case <-r.Context().Done():
				return
			default:
			}
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(endless.Close)
	addEndpoint(t, s, endless.URL)
	res := publish(t, s, "", "document.created", 3)
	startWorker(t, s, fastOptions(t), 2*time.Second)
	d := waitFor(t, s, onlyDelivery(t, s, res.Event.ID).ID, "delivered", hasStatus(store.StatusDelivered))
	if len(d.ResponseBody) != 4<<10 {
		t.Errorf("stored response body is %d bytes, want the 4 KiB excerpt", len(d.ResponseBody))
	}
}
