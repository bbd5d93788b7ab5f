package metrics_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/metrics"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testhttp"
)

func TestMetricsExposition(t *testing.T) {
	st := testenv.NewSQLite(t)
	ctx := context.Background()
	if _, err := st.CreateEndpoint(ctx, store.Endpoint{URL: "https://example.com/h", Secret: "s3cret-s3cret", Active: true}); err != nil {
		t.Fatal(err)
	}
	ev := store.Event{Type: "a.b"}
	if err := ev.Normalize(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, ev, store.PublishOptions{MaxRetries: 1}); err != nil {
		t.Fatal(err)
	}

	m := metrics.New(st)
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
