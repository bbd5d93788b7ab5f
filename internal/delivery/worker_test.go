package delivery_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
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

func TestWorker(t *testing.T) {
	testenv.EachStoreParallel(t, map[string]func(*testing.T, store.Store){
		"DeliversSignedRequest":                testDeliversSignedRequest,
		"RetriesThenDelivers":                  testRetriesThenDelivers,
		"PermanentFailureIsNotRetried":         testPermanentFailure,
		"FailsAfterMaxRetries":                 testFailsAfterMaxRetries,
		"TimeoutIsRetried":                     testTimeoutIsRetried,
		"SameEventIDDeliversOnce":              testSameEventIDDeliversOnce,
		"TwoWorkersNeverSendARowTwice":         testTwoWorkers,
		"GoneDisablesEndpoint":                 testGoneDisablesEndpoint,
		"CustomHeadersCannotOverrideSignature": testCustomHeaders,
		"GracefulShutdownHandsBackLeases":      testGracefulShutdown,
	})
}

// receiver is a loopback endpoint that records every request and answers
// with whatever respond says for the n-th request (1-based).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
	respond  func(n int, w http.ResponseWriter)
}

type recorded struct {
	header http.Header
	body   []byte
	at     time.Time
}

func newReceiver(t *testing.T, respond func(n int, w http.ResponseWriter)) *receiver {
	t.Helper()
	r := &receiver{respond: respond}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.requests = append(r.requests, recorded{header: req.Header.Clone(), body: body, at: time.Now()})
		n := len(r.requests)
		r.mu.Unlock()
		if r.respond != nil {
			r.respond(n, w)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) received() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.requests...)
}

func status(code int) func(int, http.ResponseWriter) {
	return func(_ int, w http.ResponseWriter) { w.WriteHeader(code) }
}

const testSecret = "test-secret-0123456789"

func addEndpoint(t *testing.T, s store.Store, url string, mod ...func(*store.Endpoint)) store.Endpoint {
	t.Helper()
	e := store.Endpoint{Title: "test", URL: url, Secret: testSecret, Active: true, SignatureProfile: store.ProfileStandard}
	for _, m := range mod {
		m(&e)
	}
	created, err := s.CreateEndpoint(context.Background(), e)
	if err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	return created
}

func publish(t *testing.T, s store.Store, id, eventType string, maxRetries int) store.PublishResult {
	t.Helper()
	return testenv.Publish(t, s, store.Event{ID: id, Type: eventType, Data: json.RawMessage(`{"document_id":"doc-1","n":1}`)}, maxRetries)
}

// fastOptions makes retries and polls take milliseconds.
func fastOptions(t *testing.T) delivery.Options {
	return delivery.Options{
		Concurrency:      8,
		EndpointInFlight: 8,
		BatchSize:        10,
		Lease:            5 * time.Second,
		PollInterval:     20 * time.Millisecond,
		ShutdownTimeout:  5 * time.Second,
		Retry:            delivery.RetryPolicy{Base: 10 * time.Millisecond, Cap: 50 * time.Millisecond, RetryAfterCap: 50 * time.Millisecond},
		Logger:           slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func newSender(timeout time.Duration) *delivery.Sender {
	return delivery.NewSender(delivery.SenderOptions{Timeout: timeout, MaxIdlePerHost: 8, AllowPrivate: true})
}

// startWorker runs a worker until the test ends or until the returned stop
// is called. stop returns once the worker has stopped (within
// testwait.Timeout): no request starts after it, the known point after
// which a test may count requests and attempts.
func startWorker(t *testing.T, s store.Store, opts delivery.Options, timeout time.Duration) (stop func()) {
	t.Helper()
	return runWorker(t, delivery.NewWorker(s, newSender(timeout), opts))
}

// runWorker runs w as startWorker does.
func runWorker(t *testing.T, w *delivery.Worker) (stop func()) {
	t.Helper()
	return testenv.Run(t, "worker", w.Run)
}

// waitFor polls the delivery until cond holds or 10 s pass.
func waitFor(t *testing.T, s store.Store, id int64, what string, cond func(store.Delivery) bool) store.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := s.GetDelivery(context.Background(), id)
		if err != nil {
			t.Fatalf("get delivery: %v", err)
		}
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %d never became %s; last: status %s, retries %d, error %q", id, what, d.Status, d.RetryCount, d.LastError)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func hasStatus(s store.Status) func(store.Delivery) bool {
	return func(d store.Delivery) bool { return d.Status == s }
}

func onlyDelivery(t *testing.T, s store.Store, eventID string) store.Delivery {
	t.Helper()
	list, err := s.ListDeliveries(context.Background(), store.DeliveryFilter{EventID: eventID})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("event %s has %d deliveries, want 1", eventID, len(list))
	}
	return list[0]
}

// wantRequests checks, once the worker has stopped, that the receiver got n
// requests and that delivery id has n attempts recorded.
func wantRequests(t *testing.T, s store.Store, rcv *receiver, id int64, n int) {
	t.Helper()
	if got := len(rcv.received()); got != n {
		t.Errorf("receiver got %d requests, want %d", got, n)
	}
	attempts, err := s.ListAttempts(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != n {
		t.Errorf("delivery %d has %d attempts recorded, want %d", id, len(attempts), n)
	}
}

func testDeliversSignedRequest(t *testing.T, s store.Store) {
	rcv := newReceiver(t, status(http.StatusOK))
	addEndpoint(t, s, rcv.URL)
	res := publish(t, s, "", "document.created", 3)
	startWorker(t, s, fastOptions(t), 2*time.Second)
	d := waitFor(t, s, onlyDelivery(t, s, res.Event.ID).ID, "delivered", hasStatus(store.StatusDelivered))

	reqs := rcv.received()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	req := reqs[0]
	if got := req.header.Get("X-Event-Id"); got != res.Event.ID {
		t.Errorf("X-Event-Id = %q, want %q", got, res.Event.ID)
	}
	if got := req.header.Get("X-Event-Type"); got != "document.created" {
		t.Errorf("X-Event-Type = %q", got)
	}
	if got := req.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	ts := req.header.Get("X-Timestamp")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		t.Errorf("X-Timestamp %q is not unix seconds", ts)
	}
	// Verify the signature independently of the signature package.
	mac := hmac.New(sha256.New, []byte(testSecret))
	fmt.Fprintf(mac, "%s.%s.%s", res.Event.ID, ts, req.body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := req.header.Get("X-Signature"); got != want {
		t.Errorf("X-Signature = %q, want %q", got, want)
	}
	var envelope struct {
		ID, Type, Timestamp string
		Data                map[string]any
	}
	if err := json.Unmarshal(req.body, &envelope); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if envelope.ID != res.Event.ID || envelope.Type != "document.created" || envelope.Data["document_id"] != "doc-1" {
		t.Errorf("envelope = %+v", envelope)
	}
	if _, err := time.Parse(time.RFC3339, envelope.Timestamp); err != nil {
		t.Errorf("envelope timestamp %q is not RFC 3339", envelope.Timestamp)
	}
	if d.ResponseStatus == nil || *d.ResponseStatus != 200 || d.ProcessedAt == nil || d.RetryCount != 0 {
		t.Errorf("recorded delivery = %+v", d)
	}
	if d.RequestHeaders["X-Signature"] != want {
		t.Errorf("recorded request headers lack the signature: %v", d.RequestHeaders)
	}
	e, err := s.GetEndpoint(context.Background(), d.EndpointID)
	if err != nil {
		t.Fatal(err)
	}
	if e.LastDeliveredAt == nil || e.FailureCount != 0 {
		t.Errorf("endpoint after success: last_delivered_at %v, failure_count %d", e.LastDeliveredAt, e.FailureCount)
	}
}

func testRetriesThenDelivers(t *testing.T, s store.Store) {
	rcv := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "boom")
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	addEndpoint(t, s, rcv.URL)
	res := publish(t, s, "", "signature.created", 3)
	startWorker(t, s, fastOptions(t), 2*time.Second)
	d := waitFor(t, s, onlyDelivery(t, s, res.Event.ID).ID, "delivered", hasStatus(store.StatusDelivered))
	if d.RetryCount != 1 {
		t.Errorf("retry_count = %d, want 1", d.RetryCount)
	}
	if n := len(rcv.received()); n != 2 {
		t.Errorf("receiver got %d requests, want 2", n)
	}
	attempts, err := s.ListAttempts(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 2 || *attempts[0].ResponseStatus != 500 || attempts[0].ResponseBody != "boom" || *attempts[1].ResponseStatus != 200 {
		t.Errorf("attempts = %+v", attempts)
	}
}

func testPermanentFailure(t *testing.T, s store.Store) {
	failedDelivery(t, s, http.StatusBadRequest, 5, 0)
}

func testFailsAfterMaxRetries(t *testing.T, s store.Store) {
	d := failedDelivery(t, s, http.StatusServiceUnavailable, 3, 3)
	e, err := s.GetEndpoint(context.Background(), d.EndpointID)
	if err != nil {
		t.Fatal(err)
	}
	if e.FailureCount != 4 {
		t.Errorf("endpoint failure_count = %d, want 4", e.FailureCount)
	}
}

// failedDelivery publishes one event with maxRetries to a receiver that
// always answers code, and returns its delivery once it failed, after
// checking that it was retried wantRetries times (and so sent wantRetries+1
// times) and that its last error names code.
func failedDelivery(t *testing.T, s store.Store, code, maxRetries, wantRetries int) store.Delivery {
	t.Helper()
	rcv := newReceiver(t, status(code))
	addEndpoint(t, s, rcv.URL)
	res := publish(t, s, "", "document.created", maxRetries)
	stop := startWorker(t, s, fastOptions(t), 2*time.Second)
	d := waitFor(t, s, onlyDelivery(t, s, res.Event.ID).ID, "failed", hasStatus(store.StatusFailed))
	stop()
	if d.RetryCount != wantRetries || !strings.Contains(d.LastError, strconv.Itoa(code)) {
		t.Errorf("retry_count %d, last_error %q; want %d and a %d", d.RetryCount, d.LastError, wantRetries, code)
	}
	wantRequests(t, s, rcv, d.ID, wantRetries+1)
	return d
}

func testTimeoutIsRetried(t *testing.T, s store.Store) {
	rcv := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n == 1 {
			time.Sleep(300 * time.Millisecond)
		}
		w.WriteHeader(http.StatusOK)
	})
	addEndpoint(t, s, rcv.URL)
	res := publish(t, s, "", "document.created", 3)
	startWorker(t, s, fastOptions(t), 100*time.Millisecond)
	d := waitFor(t, s, onlyDelivery(t, s, res.Event.ID).ID, "delivered", hasStatus(store.StatusDelivered))
	attempts, err := s.ListAttempts(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 2 || !strings.Contains(attempts[0].Error, "timeout") {
		t.Fatalf("attempts = %+v; want a timeout then a success", attempts)
	}
}

func testSameEventIDDeliversOnce(t *testing.T, s store.Store) {
	rcv := newReceiver(t, status(http.StatusOK))
	addEndpoint(t, s, rcv.URL)
	id := store.NewEventID()
	first := publish(t, s, id, "document.created", 3)
	second := publish(t, s, id, "document.created", 3)
	if !first.Created || first.Deliveries != 1 || second.Created || second.Deliveries != 0 {
		t.Fatalf("first %+v, second %+v", first, second)
	}
	stop := startWorker(t, s, fastOptions(t), 2*time.Second)
	d := waitFor(t, s, onlyDelivery(t, s, id).ID, "delivered", hasStatus(store.StatusDelivered))
	stop()
	wantRequests(t, s, rcv, d.ID, 1)
}

func testTwoWorkers(t *testing.T, s store.Store) {
	var inFlight sync.Map // event id → true while a request for it runs
	var doubles, total atomic.Int64
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Event-Id")
		if _, loaded := inFlight.LoadOrStore(id, true); loaded {
			doubles.Add(1)
		}
		total.Add(1)
		time.Sleep(2 * time.Millisecond)
		inFlight.Delete(id)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rcv.Close)
	addEndpoint(t, s, rcv.URL)
	const events = 200
	for range events {
		publish(t, s, "", "document.created", 3)
	}
	startWorker(t, s, fastOptions(t), 2*time.Second)
	startWorker(t, s, fastOptions(t), 2*time.Second)
	deadline := time.Now().Add(20 * time.Second)
	for {
		counts, err := s.CountByStatus(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.StatusDelivered] == events {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not all delivered: %v", counts)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if doubles.Load() != 0 || total.Load() != events {
		t.Errorf("%d concurrent double sends, %d requests for %d events", doubles.Load(), total.Load(), events)
	}
}

func testGoneDisablesEndpoint(t *testing.T, s store.Store) {
	rcv := newReceiver(t, status(http.StatusGone))
	e := addEndpoint(t, s, rcv.URL)
	res := publish(t, s, "", "document.created", 3)
	startWorker(t, s, fastOptions(t), 2*time.Second)
	waitFor(t, s, onlyDelivery(t, s, res.Event.ID).ID, "failed", hasStatus(store.StatusFailed))
	got, err := s.GetEndpoint(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Active || !strings.Contains(got.DisabledReason, "410") || got.DisabledAt == nil {
		t.Errorf("endpoint after 410: active %v, reason %q, at %v", got.Active, got.DisabledReason, got.DisabledAt)
	}
}

func testCustomHeaders(t *testing.T, s store.Store) {
	rcv := newReceiver(t, status(http.StatusOK))
	addEndpoint(t, s, rcv.URL, func(e *store.Endpoint) {
		e.Headers = map[string]string{"X-Tenant": "acme", "X-Signature": "forged", "webhook-id": "forged"}
	})
	res := publish(t, s, "", "document.created", 3)
	startWorker(t, s, fastOptions(t), 2*time.Second)
	waitFor(t, s, onlyDelivery(t, s, res.Event.ID).ID, "delivered", hasStatus(store.StatusDelivered))
	h := rcv.received()[0].header
	if h.Get("X-Tenant") != "acme" {
		t.Errorf("custom header missing: %v", h)
	}
	if strings.Contains(h.Get("X-Signature"), "forged") || h.Get("Webhook-Id") != res.Event.ID {
		t.Errorf("custom headers overrode reserved ones: X-Signature %q, webhook-id %q", h.Get("X-Signature"), h.Get("Webhook-Id"))
	}
}

func testGracefulShutdown(t *testing.T, s store.Store) {
	release := make(chan struct{})
	rcv := newReceiver(t, func(_ int, w http.ResponseWriter) {
		<-release
		w.WriteHeader(http.StatusOK)
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	addEndpoint(t, s, rcv.URL)
	const events = 6
	for range events {
		publish(t, s, "", "document.created", 3)
	}
	opts := fastOptions(t)
	// Four slots: a new endpoint that has not answered yet may use half.
	opts.Concurrency, opts.EndpointInFlight = 4, 2
	opts.ShutdownTimeout = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // when the test fails before it stops the worker
	done := make(chan error, 1)
	go func() { done <- delivery.NewWorker(s, newSender(10*time.Second), opts).Run(ctx) }()
	testwait.Until(t, "two requests hanging", func() bool { return len(rcv.received()) >= 2 })
	cancel() // two requests hang past the shutdown deadline
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		close(release) // let the hanging requests end, so that the worker can stop before the test does
		t.Fatal("worker did not stop after its shutdown deadline")
	}
	counts, err := s.CountByStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.StatusProcessing] != 0 || counts[store.StatusPending] != events {
		t.Errorf("after shutdown: %v; want every delivery handed back to pending", counts)
	}
}
