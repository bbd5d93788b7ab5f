package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// collector is an OTLP/HTTP trace collector on loopback: it decodes the
// protobuf export requests that arrive at /v1/traces and keeps their spans
// with the service.name of their resource.
type collector struct {
	*httptest.Server
	mu    sync.Mutex
	spans []collectedSpan
}

type collectedSpan struct {
	service string
	*tracepb.Span
}

func newCollector(t *testing.T) *collector {
	t.Helper()
	c := &collector{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			t.Errorf("collector: %s %s (%s), want protobuf at /v1/traces", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			gz, err := gzip.NewReader(r.Body)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			body = gz
		}
		raw, err := io.ReadAll(body)
		var req collectortrace.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(raw, &req)
		}
		if err != nil {
			t.Errorf("collector: decode export: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		for _, rs := range req.ResourceSpans {
			service := ""
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.Key == "service.name" {
					service = kv.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					c.spans = append(c.spans, collectedSpan{service, s})
				}
			}
		}
		c.mu.Unlock()
		answer, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(answer)
	}))
	t.Cleanup(c.Close)
	return c
}

// span returns the first span collected so far of trace traceID named
// name, or nil.
func (c *collector) span(traceID, name string) *collectedSpan {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, s := range c.spans {
		if hex.EncodeToString(s.TraceId) == traceID && s.Name == name {
			return &c.spans[i]
		}
	}
	return nil
}

// TestServeExportsTheTraceOfAPublish runs `hookrelay serve` with
// OTEL_EXPORTER_OTLP_ENDPOINT at a loopback collector and publishes through
// the API with a traceparent header: the collector receives the API
// request's SERVER span (named after its route, child of the caller's
// span), the publish span, and the attempt's CLIENT span, all in the
// caller's trace, under OTEL_SERVICE_NAME; the receiver gets a traceparent
// of that trace.
func TestServeExportsTheTraceOfAPublish(t *testing.T) {
	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	col := newCollector(t)
	serve, received := serveTraced(t, "OTEL_EXPORTER_OTLP_ENDPOINT="+col.URL, "OTEL_SERVICE_NAME=hookrelay-e2e", "OTEL_BSP_SCHEDULE_DELAY=50")
	if !serve.logged(`"msg":"tracing on"`) {
		t.Error("serve did not log that tracing is on")
	}
	if header := publishTraced(t, serve, received, "00-"+traceID+"-"+callerSpan+"-01"); !strings.HasPrefix(header, "00-"+traceID+"-") {
		t.Errorf("receiver got traceparent %q, want one of trace %s", header, traceID)
	}

	var api, publish, attempt *collectedSpan
	waitUntil(t, 30*time.Second, "the API, publish and attempt spans at the collector", func() bool {
		api, publish, attempt = col.span(traceID, "POST /v1/events"), col.span(traceID, "hookrelay.publish"), col.span(traceID, "POST")
		return api != nil && publish != nil && attempt != nil
	})
	if hex.EncodeToString(api.ParentSpanId) != callerSpan || api.Kind != tracepb.Span_SPAN_KIND_SERVER || api.service != "hookrelay-e2e" {
		t.Errorf("API span: parent %x, kind %s, service %q; want the caller's child, SERVER, hookrelay-e2e",
			api.ParentSpanId, api.Kind, api.service)
	}
	if !bytes.Equal(publish.ParentSpanId, api.SpanId) {
		t.Errorf("publish span's parent %x, want the API span %x", publish.ParentSpanId, api.SpanId)
	}
	if !bytes.Equal(attempt.ParentSpanId, publish.SpanId) || attempt.Kind != tracepb.Span_SPAN_KIND_CLIENT {
		t.Errorf("attempt span: parent %x, kind %s; want a CLIENT child of the publish %x", attempt.ParentSpanId, attempt.Kind, publish.SpanId)
	}
	if err := serve.stop(t); err != nil {
		t.Errorf("serve stopped with %v", err)
	}
}

// TestServeWithoutTracingPassesTheCallersTraceOn: serve without any OTEL_*
// variable records no span, yet the receiver gets the traceparent the API
// request came with, so that it continues the caller's trace.
func TestServeWithoutTracingPassesTheCallersTraceOn(t *testing.T) {
	const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	serve, received := serveTraced(t)
	if serve.logged(`"msg":"tracing on"`) {
		t.Error("tracing is on without any OTEL_* variable")
	}
	if header := publishTraced(t, serve, received, traceparent); header != traceparent {
		t.Errorf("receiver got traceparent %q, want the caller's %q", header, traceparent)
	}
}

// serveTraced starts `hookrelay serve` on a SQLite file of its own with
// env, sending every event to a loopback receiver, and returns it with the
// traceparent headers the receiver gets (empty for none).
func serveTraced(t *testing.T, env ...string) (*process, <-chan string) {
	t.Helper()
	received := make(chan string, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received <- r.Header.Get("traceparent")
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rcv.Close)
	serve := start(t, append([]string{
		"DATABASE_URL=" + t.TempDir() + "/hookrelay.db",
		"HOOKRELAY_LISTEN=127.0.0.1:0",
		"WEBHOOK_URLS=" + rcv.URL + "/hooks",
		"WEBHOOK_SECRET=e2e-tracing-secret-123",
	}, env...), "serve")
	serve.listenAddress(t)
	return serve, received
}

// publishTraced publishes an event through serve's API with the header
// traceparent, and returns the traceparent its delivery request carried.
func publishTraced(t *testing.T, serve *process, received <-chan string, traceparent string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+serve.listenAddress(t)+"/v1/events",
		strings.NewReader(`{"type":"document.created","data":{"n":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", traceparent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("publish answered %d", resp.StatusCode)
	}
	select {
	case header := <-received:
		return header
	case <-time.After(30 * time.Second):
		t.Fatal("the event never reached the receiver")
		return ""
	}
}

// TestServeRefusesAnUnknownTraceExporter: an OTEL_* setting that hookrelay
// cannot honour stops serve at start, naming the variable, with exit code 2
// as for its own settings.
func TestServeRefusesAnUnknownTraceExporter(t *testing.T) {
	_, stderr, code := run(t, []string{
		"DATABASE_URL=" + t.TempDir() + "/hookrelay.db",
		"HOOKRELAY_LISTEN=127.0.0.1:0",
		"OTEL_TRACES_EXPORTER=zipkin",
	}, "serve")
	if code != 2 || !strings.Contains(stderr, `OTEL_TRACES_EXPORTER: "zipkin" is not supported`) {
		t.Errorf("exit %d, stderr %s; want 2 and the variable named", code, stderr)
	}
}
