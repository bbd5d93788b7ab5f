package delivery_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// TestEngine pins how the worker behaves with serve's default settings under
// the loads that users meet: one busy endpoint, hanging endpoints beside a
// healthy one, receivers that answer bytes no store can keep, endpoints
// that go away, and a receiver that slows down under load.
func TestEngine(t *testing.T) {
	testenv.EachStoreParallel(t, map[string]func(*testing.T, store.Store){
		"OneEndpointDrainsWithoutWaitingForPolls":    testDrainsWithoutPolls,
		"HangingEndpointsLeaveSlotsToHealthyOne":     testHangingBesideHealthy,
		"UnstorableAnswerStallsNoOne":                testUnstorableAnswer,
		"GoneStopsRequestsAndKeepsQueue":             testGoneKeepsQueue,
		"DisablingStopsRequestsAndKeepsQueue":        testDisableKeepsQueue,
		"SwitchingProtocolsIsCutAtTheTimeout":        testSwitchingProtocols,
		"AdaptiveLimitFallsUnderOverloadAndRecovers": testAdaptiveLimit,
	})
}

// serveOptions are the worker options of `hookrelay serve` with no settings,
// with a test logger and polls that never come: anything the test sees
// happen, the worker did without polling.
func serveOptions(t *testing.T) delivery.Options {
	o := delivery.Options{
		Concurrency:      hookrelay.DefaultConcurrency,
		EndpointInFlight: hookrelay.DefaultEndpointConcurrency,
		BatchSize:        hookrelay.DefaultBatchSize,
		Lease:            hookrelay.DefaultLease(hookrelay.DefaultTimeout),
		PollInterval:     time.Hour,
		ShutdownTimeout:  hookrelay.DefaultShutdownTimeout,
		Retry:            delivery.RetryPolicy{Base: hookrelay.DefaultBackoffBase, Cap: hookrelay.DefaultBackoffCap, RetryAfterCap: hookrelay.DefaultRetryAfterCap},
	}
	o.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	return o
}

func counts(t *testing.T, s store.Store) map[store.Status]int64 {
	t.Helper()
	c, err := s.CountByStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func publishTo(t *testing.T, s store.Store, endpoints ...int64) {
	t.Helper()
	ev := store.Event{Type: "document.created", Data: []byte(`{"n":1}`)}
	if _, err := s.Publish(context.Background(), ev, store.PublishOptions{MaxRetries: 3, EndpointIDs: endpoints}); err != nil {
		t.Fatal(err)
	}
}

// backlog adds an endpoint that sends to url, with n events queued to it
// alone (publishTo).
func backlog(t *testing.T, s store.Store, url string, n int) store.Endpoint {
	t.Helper()
	e := addEndpoint(t, s, url)
	for range n {
		publishTo(t, s, e.ID)
	}
	return e
}

// With every default, one endpoint's backlog drains without a pause: when
// the endpoint frees slots the worker claims again at once. (The worker
// used to skip the busy endpoint, get a short batch and sleep until its
// next poll.)
func testDrainsWithoutPolls(t *testing.T, s store.Store) {
	const events = 600
	rcv := newReceiver(t, status(http.StatusOK))
	backlog(t, s, rcv.URL, events)
	startWorker(t, s, serveOptions(t), 10*time.Second)
	testwait.Until(t, "backlog not drained without polls", func() bool {
		return counts(t, s)[store.StatusDelivered] == events
	})
	if n := len(rcv.received()); n != events {
		t.Errorf("receiver got %d requests, want %d", n, events)
	}
}

// Six endpoints that never answer, with a backlog queued before the healthy
// endpoint's, cannot take every slot: the healthy endpoint gets all its
// deliveries while every request to the hanging ones is still open.
func testHangingBesideHealthy(t *testing.T, s store.Store) {
	const hangingEndpoints, hangingEvents, healthyEvents = 6, 30, 20
	release := make(chan struct{})
	var ended atomic.Int64
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
		ended.Add(1)
	}))
	t.Cleanup(hang.Close)
	var hanging []int64
	for range hangingEndpoints {
		hanging = append(hanging, addEndpoint(t, s, hang.URL).ID)
	}
	healthy := newReceiver(t, status(http.StatusOK))
	h := addEndpoint(t, s, healthy.URL)
	for range hangingEvents {
		publishTo(t, s, hanging...)
	}
	for range healthyEvents {
		publishTo(t, s, h.ID)
	}
	startWorker(t, s, serveOptions(t), 30*time.Second)
	t.Cleanup(func() { close(release) }) // before the worker stops: it waits for requests in flight
	testwait.Until(t, "healthy endpoint starved", func() bool {
		return len(healthy.received()) == healthyEvents
	})
	if n := ended.Load(); n != 0 {
		t.Fatalf("%d requests to hanging endpoints ended before the healthy endpoint got its deliveries; want 0 (they hold their slots until the 30 s timeout)", n)
	}
}

// rawServer answers every request with the bytes of reply, verbatim. It
// closes its connections when the test ends.
func rawServer(t *testing.T, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Go(func() {
				r := bufio.NewReader(conn)
				for {
					req, err := http.ReadRequest(r)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					if _, err := conn.Write([]byte(reply)); err != nil {
						return
					}
				}
			})
		}
	})
	return "http://" + ln.Addr().String()
}

// Receivers that answer with NUL bytes and invalid UTF-8 (PostgreSQL can
// keep neither) have their answers recorded in a storable form, and the
// outcomes of other endpoints written in the same batches are recorded too.
func testUnstorableAnswer(t *testing.T, s store.Store) {
	const events = 5
	body := "oops\x00binary\xff"
	nulBody := rawServer(t, fmt.Sprintf("HTTP/1.1 500 Internal Server Error\r\nContent-Length: %d\r\nX-Odd: caf\xe9\r\n\r\n%s", len(body), body))
	badStatus := rawServer(t, "HTTP/1.1 500 n\x00pe \xfe\r\nX-N\xffme: v\x00\r\nContent-Length: 0\r\n\r\n")
	healthy := newReceiver(t, status(http.StatusOK))
	a := addEndpoint(t, s, nulBody)
	b := addEndpoint(t, s, badStatus)
	h := addEndpoint(t, s, healthy.URL)
	for range events {
		publishTo(t, s, a.ID, b.ID, h.ID)
	}
	startWorker(t, s, serveOptions(t), 5*time.Second)
	testwait.Until(t, "outcomes not all recorded", func() bool {
		c := counts(t, s)
		return c[store.StatusDelivered] == events && c[store.StatusPending] == 2*events
	})
	list, err := s.ListDeliveries(context.Background(), store.DeliveryFilter{EndpointID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.RetryCount != 1 || d.ResponseStatus == nil || *d.ResponseStatus != 500 {
			t.Fatalf("delivery %d: retry_count %d, status %v; want a recorded 500 to retry", d.ID, d.RetryCount, d.ResponseStatus)
		}
		if d.ResponseBody != "oops\uFFFDbinary\uFFFD" {
			t.Errorf("stored body %q, want the NUL and the bad byte replaced", d.ResponseBody)
		}
		if d.ResponseHeaders["X-Odd"] != "caf\uFFFD" {
			t.Errorf("stored headers %q, want X-Odd made valid UTF-8", d.ResponseHeaders)
		}
	}
	attempts, err := s.ListAttempts(context.Background(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 1 || attempts[0].ResponseBody != "oops\uFFFDbinary\uFFFD" {
		t.Errorf("attempt log %+v, want one attempt with the storable body", attempts)
	}
}

// An endpoint that answers 410 Gone is stopped at once: no request to it
// starts after the first 410 arrives, and its deliveries that were not sent
// stay pending, not failed, until someone enables it again.
func testGoneKeepsQueue(t *testing.T, s store.Store) {
	const events = 40
	var mu sync.Mutex
	var firstGone time.Time
	goneURL, arrived := testenv.Arrivals(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Second)
		mu.Lock()
		if firstGone.IsZero() {
			firstGone = time.Now()
		}
		mu.Unlock()
		w.WriteHeader(http.StatusGone)
	})
	e := backlog(t, s, goneURL, events)
	startWorker(t, s, serveOptions(t), 10*time.Second)
	testwait.Until(t, "endpoint not disabled and settled", func() bool {
		got, err := s.GetEndpoint(context.Background(), e.ID)
		if err != nil {
			t.Fatal(err)
		}
		c := counts(t, s)
		return !got.Active && c[store.StatusProcessing] == 0 && c[store.StatusFailed]+c[store.StatusPending] == events
	})
	mu.Lock()
	stoppedAt := firstGone
	mu.Unlock()
	checkStopped(t, s, arrived(), stoppedAt, events, store.StatusFailed)
}

// checkStopped checks what stopping an endpoint at stoppedAt must leave: no
// request arrived after it, each delivery sent ended finished, and every
// other stayed pending with no attempt counted.
func checkStopped(t *testing.T, s store.Store, arrivals []time.Time, stoppedAt time.Time, events int, finished store.Status) {
	t.Helper()
	for _, at := range arrivals {
		if at.After(stoppedAt) {
			t.Errorf("a request arrived %s after the endpoint was stopped", at.Sub(stoppedAt))
		}
	}
	sent := len(arrivals)
	c := counts(t, s)
	if c[finished] != int64(sent) || c[store.StatusPending] != int64(events-sent) {
		t.Errorf("%d requests sent; deliveries %v; want %d %s (those sent) and the rest pending", sent, c, sent, finished)
	}
	pending, err := s.ListDeliveries(context.Background(), store.DeliveryFilter{Status: store.StatusPending})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range pending {
		if d.RetryCount != 0 {
			t.Fatalf("pending delivery %d has retry_count %d; want no attempt counted", d.ID, d.RetryCount)
		}
	}
}

// An endpoint that a person disables while the worker holds some of its
// deliveries gets no request that starts afterwards; what was not sent stays
// pending, with no attempt counted.
func testDisableKeepsQueue(t *testing.T, s store.Store) {
	const events = 30
	slowURL, arrived := testenv.Arrivals(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Second)
		w.WriteHeader(http.StatusOK)
	})
	e := backlog(t, s, slowURL, events)
	startWorker(t, s, serveOptions(t), 10*time.Second)
	testwait.Until(t, "no request arrived", func() bool { return len(arrived()) > 0 })
	off := store.Activation{Active: false, Reason: "test", At: time.Now()}
	if _, err := s.UpdateEndpoint(context.Background(), e.ID, store.EndpointPatch{Activation: &off}); err != nil {
		t.Fatal(err)
	}
	disabledAt := time.Now()
	testwait.Until(t, "deliveries not settled", func() bool {
		c := counts(t, s)
		return c[store.StatusProcessing] == 0 && c[store.StatusDelivered]+c[store.StatusPending] == events
	})
	checkStopped(t, s, arrived(), disabledAt, events, store.StatusDelivered)
}

// A receiver that answers 101 Switching Protocols and keeps the connection
// open gets no more than the attempt timeout: the attempt is cut, recorded
// as a retryable failure, and never outlives its lease.
func testSwitchingProtocols(t *testing.T, s store.Store) {
	url := rawServer(t, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	e := addEndpoint(t, s, url)
	publishTo(t, s, e.ID)
	startWorker(t, s, serveOptions(t), 300*time.Millisecond)
	var d store.Delivery
	testwait.Until(t, "the attempt was not recorded", func() bool {
		list, err := s.ListDeliveries(context.Background(), store.DeliveryFilter{EndpointID: e.ID})
		if err != nil {
			t.Fatal(err)
		}
		d = list[0]
		return d.Status == store.StatusPending && d.RetryCount == 1
	})
	if !strings.Contains(d.LastError, "101") {
		t.Errorf("delivery's last error %q; want a retryable failure naming the 101", d.LastError)
	}
}
