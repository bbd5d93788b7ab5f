package delivery

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/hookrelay/hookrelay/internal/store"
)

// TestAttemptSpanCostsNextToNothingWithTracingOff: with a no-op provider
// (serve without OTEL_* variables), an attempt's span records nothing and
// costs at most one allocation (the context that carries the no-op span),
// two more when the event stored a trace context (its parsed parent), so
// that the delivery hot path pays nothing measurable for tracing.
func TestAttemptSpanCostsNextToNothingWithTracingOff(t *testing.T) {
	tracer := noop.NewTracerProvider().Tracer("test")
	res := SendResult{Class: Delivered}
	out := store.Outcome{Result: store.ResultDelivered}
	for _, tc := range []struct {
		name   string
		parent string
		most   float64
	}{
		{"no stored context", "", 1},
		{"stored context", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", 3},
	} {
		c := store.Claimed{
			Event:    store.Event{ID: "e", TraceParent: tc.parent},
			Endpoint: store.Endpoint{ID: 1, URL: "https://user:pass@example.com/hook?token=x"},
		}
		allocs := testing.AllocsPerRun(100, func() {
			_, span := startAttempt(context.Background(), tracer, c)
			if span.IsRecording() {
				t.Fatal("a no-op span records")
			}
			endAttempt(span, res, out)
		})
		if allocs > tc.most {
			t.Errorf("%s: %v allocations per attempt span, want at most %v", tc.name, allocs, tc.most)
		}
	}
}

// TestTargetAttributesLeaveOutSecrets: url.full has no user information
// and no query string.
func TestTargetAttributesLeaveOutSecrets(t *testing.T) {
	for raw, want := range map[string]string{
		"https://user:pass@example.com/hook?token=x#f": "https://example.com/hook",
		"http://127.0.0.1:8080/a/b":                    "http://127.0.0.1:8080/a/b",
		"https://[::1]/x":                              "https://[::1]/x",
	} {
		attrs := targetAttributes(raw)
		if len(attrs) != 3 || attrs[0].Value.AsString() != want {
			t.Errorf("%s: %v, want url.full %s, server.address and server.port", raw, attrs, want)
		}
	}
}
