package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestPublishStoresTheRequestsTraceContext: with tracing off (a no-op
// provider, serve without OTEL_* variables), an event published through
// the API, alone or in a batch, stores the request's traceparent and
// tracestate as they came, so that its attempts still carry the caller's
// trace to the receivers; a traceparent that is not valid is ignored, and
// the publish succeeds.
func TestPublishStoresTheRequestsTraceContext(t *testing.T) {
	const parent, state = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=abc"
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		s := newServer(t, st, func(o *api.Options) { o.TracerProvider = noop.NewTracerProvider() })
		for _, tc := range []struct {
			header, wantParent, wantState string
		}{
			{parent, parent, state},
			{"00-not-a-trace-01", "", ""},
		} {
			header := http.Header{"Traceparent": {tc.header}, "Tracestate": {state}}
			status, _, raw := s.send(http.MethodPost, "/v1/events", map[string]any{"type": "document.created"}, header)
			var one wire.PublishResponse
			if status != http.StatusAccepted || json.Unmarshal(raw, &one) != nil {
				t.Fatalf("publish: %d %s", status, raw)
			}
			status, _, raw = s.send(http.MethodPost, "/v1/events/batch",
				map[string]any{"events": []map[string]any{{"type": "document.created"}}}, header)
			var batch wire.PublishBatchResponse
			if status != http.StatusOK || json.Unmarshal(raw, &batch) != nil || len(batch.Results) != 1 {
				t.Fatalf("publish a batch: %d %s", status, raw)
			}
			for _, id := range []string{one.EventID, batch.Results[0].EventID} {
				ev, err := st.GetEvent(t.Context(), id)
				if err != nil {
					t.Fatal(err)
				}
				if ev.TraceParent != tc.wantParent || ev.TraceState != tc.wantState {
					t.Errorf("traceparent %q: event stored %q %q, want %q %q", tc.header, ev.TraceParent, ev.TraceState, tc.wantParent, tc.wantState)
				}
			}
		}
	})
}
