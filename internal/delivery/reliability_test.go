package delivery_test

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
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

// testIsolation runs one endpoint that hangs past the timeout beside a healthy
// one, under the same load: the healthy one's deliveries keep their latency.
func testIsolation(t *testing.T, s store.Store) {
	const events = 40
	stop := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(stop); hanging.Close() })
	var mu sync.Mutex
	var latencies []time.Duration
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env struct{ Timestamp time.Time }
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &env)
		mu.Lock()
		latencies = append(latencies, time.Since(env.Timestamp))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(healthy.Close)
	addEndpoint(t, s, hanging.URL)
	addEndpoint(t, s, healthy.URL)

	opts := fastOptions(t)
	opts.Concurrency, opts.EndpointInFlight = 8, 2
	opts.Retry.Base, opts.Retry.Cap = time.Minute, time.Minute // no retries during the test
	startWorker(t, s, opts, 3*time.Second)
	for range events {
		publish(t, s, "", "document.created", 3)
		time.Sleep(10 * time.Millisecond)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(latencies)
		mu.Unlock()
		if n == events {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthy endpoint got %d of %d events", n, events)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	// The hanging endpoint holds its two slots for 3 s at a time; without
	// isolation the healthy one would wait behind it for seconds.
	if p90 := latencies[len(latencies)*9/10]; p90 > 1500*time.Millisecond {
		t.Errorf("healthy endpoint p90 latency %s beside a hanging one; want well under the 3 s timeout", p90)
	}
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
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- delivery.NewWorker(s, newSender(time.Second), opts).Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

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
	time.Sleep(150 * time.Millisecond)
	if d, _ := s.GetDelivery(context.Background(), queued.ID); d.Status != store.StatusPending {
		t.Fatalf("delivery of a disabled endpoint is %s, want it kept pending", d.Status)
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
	ctx, cancel := context.WithCancel(context.Background())
	guarded := delivery.NewSender(delivery.SenderOptions{Timeout: time.Second, MaxIdlePerHost: 2}) // AllowPrivate off
	done := make(chan error, 1)
	go func() { done <- delivery.NewWorker(s, guarded, fastOptions(t)).Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	d := waitFor(t, s, onlyDelivery(t, s, res.Event.ID).ID, "failed", hasStatus(store.StatusFailed))
	if d.RetryCount != 0 || !strings.Contains(d.LastError, "forbidden target address") {
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
