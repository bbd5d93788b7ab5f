package api_test

import (
	"context"
	"net/http"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestRefusedRequestsMakeNoSpan: a request refused for its bearer token
// (missing, wrong) makes no SERVER span and joins no trace of the
// caller's; the same request with the token makes one, child of its
// traceparent.
func TestRefusedRequestsMakeNoSpan(t *testing.T) {
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	const parent = "00-" + traceID + "-00f067aa0ba902b7-01"
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
		t.Cleanup(func() { _ = tp.Shutdown(context.WithoutCancel(t.Context())) })
		s := newServer(t, newStore(t), func(o *api.Options) { o.TracerProvider = tp })
		for _, auth := range []string{"", "Bearer wrong-token"} {
			status, _, raw := s.send(http.MethodGet, "/v1/webhooks", nil, http.Header{"Authorization": {auth}, "Traceparent": {parent}})
			if status != http.StatusUnauthorized {
				t.Fatalf("Authorization %q: status %d, want 401: %s", auth, status, raw)
			}
		}
		if spans := exp.GetSpans(); len(spans) != 0 {
			t.Fatalf("%d spans of refused requests (first %q in trace %s), want none", len(spans), spans[0].Name, spans[0].SpanContext.TraceID())
		}
		if status, _, raw := s.send(http.MethodGet, "/v1/webhooks", nil, http.Header{"Traceparent": {parent}}); status != http.StatusOK {
			t.Fatalf("with the token: status %d: %s", status, raw)
		}
		spans := exp.GetSpans()
		if len(spans) != 1 || spans[0].SpanContext.TraceID().String() != traceID {
			t.Fatalf("spans of an accepted request: %d, want one in the caller's trace", len(spans))
		}
	})
}
