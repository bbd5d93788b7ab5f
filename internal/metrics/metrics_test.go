package metrics_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/metrics"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testhttp"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

func TestMetricsExposition(t *testing.T) {
	st := testenv.NewSQLite(t)
	ctx := context.Background()
	if _, err := st.CreateEndpoint(ctx, store.Endpoint{URL: "https://example.com/h", Secret: "s3cret-s3cret", Active: true}); err != nil {
		t.Fatal(err)
	}
	testenv.Publish(t, st, store.Event{Type: "a.b"}, 1)

	m := metrics.New(st, nil)
	reg := metrics.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	status := 200
	claimed := store.Claimed{Event: store.Event{CreatedAt: time.Now().Add(-30 * time.Millisecond)}}
	m.InFlight(1)
	m.AttemptFinished(claimed, delivery.SendResult{Attempt: store.Attempt{DurationMS: 12, ResponseStatus: &status}}, store.ResultDelivered)
	m.AttemptFinished(claimed, delivery.SendResult{Attempt: store.Attempt{DurationMS: 3}}, store.ResultRetry)
	m.EndpointDisabled(1, "410")

	srv := httptest.NewServer(metrics.Handler(reg))
	defer srv.Close()
	_, body := testhttp.Get(t, srv.URL)
	text := string(body)
	for _, want := range []string{
		`hookrelay_delivery_attempts_total{outcome="delivered"} 1`,
		`hookrelay_delivery_attempts_total{outcome="retry"} 1`,
		`hookrelay_delivery_attempts_total{outcome="failed"} 0`,
		`hookrelay_delivery_attempt_duration_seconds_count 2`,
		`hookrelay_delivery_latency_seconds_count 1`,
		`hookrelay_requests_in_flight 1`,
		`hookrelay_endpoints_disabled_total 1`,
		`hookrelay_queue_depth{status="pending"} 1`,
		`hookrelay_queue_depth{status="delivered"} 0`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// scrape returns what the registry serves.
func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

// The limit of each endpoint that a real worker sends to is a gauge by
// endpoint ID; it goes when the worker stops.
func TestEndpointConcurrencyLimitGauge(t *testing.T) {
	st := testenv.NewSQLite(t)
	ctx := context.Background()
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(rcv.Close)
	e, err := st.CreateEndpoint(ctx, store.Endpoint{URL: rcv.URL, Secret: "s3cret-s3cret-s3cret", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	testenv.Publish(t, st, store.Event{Type: "a.b"}, 1)
	limits := delivery.NewLimits(16, true)
	m := metrics.New(st, limits)
	reg := metrics.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	w := delivery.NewWorker(st, delivery.NewSender(delivery.SenderOptions{Timeout: 5 * time.Second, MaxIdlePerHost: 4, AllowPrivate: true}), delivery.Options{
		Concurrency: 8, EndpointInFlight: 16, BatchSize: 10, Lease: time.Minute, PollInterval: 20 * time.Millisecond,
		ShutdownTimeout: time.Second, Retry: delivery.RetryPolicy{Base: time.Second, Cap: time.Second, RetryAfterCap: time.Second},
		Limits: limits, Observer: m,
	})
	stop := testenv.Run(t, "worker", w.Run)

	// One 2xx: the limit went from 4 to 5.
	want := fmt.Sprintf(`hookrelay_endpoint_concurrency_limit{endpoint_id="%d"} 5`, e.ID)
	testwait.Until(t, "limit gauge after one delivery", func() bool { return strings.Contains(scrape(t, reg), want) })
	stop() // fails the test if Run does
	if text := scrape(t, reg); strings.Contains(text, "hookrelay_endpoint_concurrency_limit{") {
		t.Errorf("a stopped worker's limits are still exposed:\n%s", text)
	}
}
