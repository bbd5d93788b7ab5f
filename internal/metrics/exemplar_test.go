package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/metrics"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestAttemptDurationsCarryTheirTraceID: the duration of an attempt whose
// span is sampled carries its trace ID as an exemplar, which /metrics
// serves to a scraper that asks for OpenMetrics; one not sampled carries
// none.
func TestAttemptDurationsCarryTheirTraceID(t *testing.T) {
	m := metrics.New(testenv.NewSQLite(t), nil)
	reg := metrics.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	sampled := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 1},
		SpanID:     trace.SpanID{1},
		TraceFlags: trace.FlagsSampled,
	})
	unsampled := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{0x0a, 2}, SpanID: trace.SpanID{2}})
	m.AttemptFinished(store.Claimed{}, delivery.SendResult{Attempt: store.Attempt{DurationMS: 12}, SpanContext: sampled}, store.ResultRetry)
	m.AttemptFinished(store.Claimed{}, delivery.SendResult{Attempt: store.Attempt{DurationMS: 13}, SpanContext: unsampled}, store.ResultRetry)

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	metrics.Handler(reg).ServeHTTP(rec, req)
	text := rec.Body.String()
	if !strings.Contains(text, `# {trace_id="`+sampled.TraceID().String()+`"} 0.012`) {
		t.Errorf("no exemplar of the sampled attempt in:\n%s", grepLines(text, "attempt_duration"))
	}
	if strings.Contains(text, unsampled.TraceID().String()) {
		t.Errorf("the unsampled attempt has an exemplar")
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Errorf("Content-Type %q, want OpenMetrics", ct)
	}
}

// grepLines returns the lines of text that contain s.
func grepLines(text, s string) string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
