package hookrelay_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// traceReceiver is a loopback endpoint that records the traceparent header
// of each request (empty when there is none) and answers 500 to the first
// failFirst requests, 204 to the others.
type traceReceiver struct {
	url     string
	headers chan string
}

func newTraceReceiver(t *testing.T, failFirst int32) *traceReceiver {
	t.Helper()
	r := &traceReceiver{headers: make(chan string, 100)}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.headers <- req.Header.Get("traceparent")
		if n.Add(1) <= failFirst {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hooks?token=secret-in-query"
	return r
}

// next returns the traceparent of the next request, waiting for it.
func (r *traceReceiver) next(t *testing.T) string {
	t.Helper()
	return testwait.Receive(t, r.headers, "a request at the receiver")
}

// newTracer returns a tracer provider that keeps every span in memory.
func newTracer(t *testing.T) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, exp
}

// spansNamed waits until exp holds n ended spans named name, and returns them
// in the order they ended.
func spansNamed(t *testing.T, exp *tracetest.InMemoryExporter, name string, n int) tracetest.SpanStubs {
	t.Helper()
	var found tracetest.SpanStubs
	testwait.Until(t, fmt.Sprintf("%d %s spans", n, name), func() bool {
		found = found[:0]
		for _, s := range exp.GetSpans() {
			if s.Name == name {
				found = append(found, s)
			}
		}
		return len(found) >= n
	})
	return found
}

func attr(s tracetest.SpanStub, key string) string {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// traceparentOf is the W3C traceparent of sc, as a request carries it.
func traceparentOf(sc trace.SpanContext) string {
	return "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-" + sc.TraceFlags().String()
}

// TestAttemptsContinueThePublishersTrace publishes under an application's
// span; the receiver fails the first attempt (500) and takes the retry.
// Both attempts are CLIENT spans, children of the publish span, in the
// application's trace, with the HTTP attributes and no query string; each
// request carries its attempt span's traceparent; the attempt log lines
// carry trace_id and span_id.
func TestAttemptsContinueThePublishersTrace(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		tp, exp := newTracer(t)
		var logs testenv.Buffer
		rec := newTraceReceiver(t, 1)
		c := started(t, b, hookrelay.WithTracerProvider(tp), hookrelay.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
		if _, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: rec.url}); err != nil {
			t.Fatal(err)
		}
		ctx, app := tp.Tracer("app").Start(t.Context(), "app request")
		res, err := c.PublishNow(ctx, hookrelay.Event{Type: "document.created"})
		app.End()
		if err != nil {
			t.Fatal(err)
		}
		headers := []string{rec.next(t), rec.next(t)}
		attempts := spansNamed(t, exp, "POST", 2)
		publishes := spansNamed(t, exp, "hookrelay.publish", 1)
		traceID := app.SpanContext().TraceID()
		pub := publishes[0]
		if pub.Parent.SpanID() != app.SpanContext().SpanID() || pub.SpanKind != trace.SpanKindProducer ||
			attr(pub, "hookrelay.event.id") != res.EventID || attr(pub, "hookrelay.deliveries") != "1" {
			t.Errorf("publish span %+v: want the app's child, with the event and its one delivery", pub)
		}
		for i, s := range attempts {
			if s.SpanContext.TraceID() != traceID || s.Parent.SpanID() != pub.SpanContext.SpanID() || s.SpanKind != trace.SpanKindClient {
				t.Errorf("attempt %d: trace %s parent %s kind %s, want a CLIENT child of the publish in trace %s",
					i+1, s.SpanContext.TraceID(), s.Parent.SpanID(), s.SpanKind, traceID)
			}
			if got := attr(s, "hookrelay.attempt"); got != []string{"1", "2"}[i] {
				t.Errorf("attempt %d: hookrelay.attempt %s", i+1, got)
			}
			if url := attr(s, "url.full"); strings.Contains(url, "?") || strings.Contains(url, "secret") || !strings.HasSuffix(url, "/hooks") {
				t.Errorf("attempt %d: url.full %q, want the URL without its query", i+1, url)
			}
			if attr(s, "hookrelay.event.id") != res.EventID || attr(s, "http.request.method") != "POST" ||
				attr(s, "server.address") != "127.0.0.1" || attr(s, "server.port") == "" {
				t.Errorf("attempt %d: attributes %v", i+1, s.Attributes)
			}
			if want := traceparentOf(s.SpanContext); headers[i] != want {
				t.Errorf("request %d carried traceparent %q, want its attempt span's %q", i+1, headers[i], want)
			}
			if !strings.Contains(logs.String(), `"trace_id":"`+traceID.String()+`","span_id":"`+s.SpanContext.SpanID().String()+`"`) {
				t.Errorf("attempt %d: no log line with its trace_id and span_id in %s", i+1, logs.String())
			}
		}
		failed, delivered := attempts[0], attempts[1]
		if failed.Status.Code.String() != "Error" || attr(failed, "http.response.status_code") != "500" ||
			attr(failed, "error.type") != "500" || attr(failed, "hookrelay.outcome") != "retry" {
			t.Errorf("failed attempt: status %v, attributes %v", failed.Status, failed.Attributes)
		}
		if delivered.Status.Code.String() == "Error" || attr(delivered, "http.response.status_code") != "204" ||
			attr(delivered, "hookrelay.outcome") != "delivered" {
			t.Errorf("delivered attempt: status %v, attributes %v", delivered.Status, delivered.Attributes)
		}
		if claims := spansNamed(t, exp, "hookrelay.claim", 1); claims[0].Parent.IsValid() {
			t.Errorf("claim span has a parent %s, want a root span", claims[0].Parent.SpanID())
		}
		spansNamed(t, exp, "hookrelay.complete", 1)
	})
}

// TestTraceContinuesAfterARestart publishes with a client whose workers
// never run, then delivers with another client (another process, after a
// restart) with a provider of its own: the attempt is still a child of the
// publish, in the publisher's trace.
func TestTraceContinuesAfterARestart(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		before, beforeSpans := newTracer(t)
		rec := newTraceReceiver(t, 0)
		publisher := b.newClient(t, append(fast(), hookrelay.WithTracerProvider(before))...)
		if _, err := publisher.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: rec.url}); err != nil {
			t.Fatal(err)
		}
		ctx, app := before.Tracer("app").Start(t.Context(), "app request")
		if _, err := publisher.PublishNow(ctx, hookrelay.Event{Type: "document.created"}); err != nil {
			t.Fatal(err)
		}
		app.End()
		if err := publisher.Close(); err != nil {
			t.Fatal(err)
		}
		pub := spansNamed(t, beforeSpans, "hookrelay.publish", 1)[0]

		after, afterSpans := newTracer(t)
		started(t, b, hookrelay.WithTracerProvider(after))
		header := rec.next(t)
		attempt := spansNamed(t, afterSpans, "POST", 1)[0]
		if attempt.SpanContext.TraceID() != app.SpanContext().TraceID() || attempt.Parent.SpanID() != pub.SpanContext.SpanID() {
			t.Errorf("attempt after the restart: trace %s parent %s, want a child of the publish %s in trace %s",
				attempt.SpanContext.TraceID(), attempt.Parent.SpanID(), pub.SpanContext.SpanID(), app.SpanContext().TraceID())
		}
		if header != traceparentOf(attempt.SpanContext) {
			t.Errorf("request carried traceparent %q, want the attempt's", header)
		}
	})
}

// TestTraceHeader: with the header turned off the receiver gets no
// traceparent (attempts are traced all the same); with tracing off (a
// no-op provider) it gets the publisher's stored one, so that it can still
// continue the publisher's trace.
func TestTraceHeader(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		app, _ := newTracer(t)
		for _, tc := range []struct {
			name   string
			opts   []hookrelay.Option
			stored bool // the request carries the publisher's own span
		}{
			{"off", []hookrelay.Option{hookrelay.WithoutTraceHeader()}, false},
			{"tracing off", []hookrelay.Option{hookrelay.WithTracerProvider(noop.NewTracerProvider())}, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rec := newTraceReceiver(t, 0)
				tp, exp := newTracer(t)
				c := started(t, b, append([]hookrelay.Option{hookrelay.WithTracerProvider(tp)}, tc.opts...)...)
				if _, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: rec.url}); err != nil {
					t.Fatal(err)
				}
				ctx, span := app.Tracer("app").Start(t.Context(), "app request")
				span.End()
				if _, err := c.PublishNow(ctx, hookrelay.Event{Type: "document.created"}); err != nil {
					t.Fatal(err)
				}
				header := rec.next(t)
				if !tc.stored {
					if header != "" {
						t.Errorf("receiver got traceparent %q, want none", header)
					}
					attempt := spansNamed(t, exp, "POST", 1)[0]
					if attempt.SpanContext.TraceID() != span.SpanContext().TraceID() {
						t.Errorf("attempt in trace %s, want the publisher's", attempt.SpanContext.TraceID())
					}
					return
				}
				if want := traceparentOf(span.SpanContext()); header != want {
					t.Errorf("receiver got traceparent %q, want the publisher's %q", header, want)
				}
			})
		}
	})
}

// TestPublishInATransactionStoresTheTraceContext: Publish and PublishMany
// in the application's transaction store the trace context of their ctx
// (the application's span), so that the requests carry it, here with
// hookrelay's own tracing off.
func TestPublishInATransactionStoresTheTraceContext(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		app, _ := newTracer(t)
		rec := newTraceReceiver(t, 0)
		c := started(t, b, hookrelay.WithTracerProvider(noop.NewTracerProvider()))
		if _, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: rec.url}); err != nil {
			t.Fatal(err)
		}
		ctx, span := app.Tracer("app").Start(t.Context(), "app request")
		span.End()
		inTx(t, b, func(tx appTx) {
			if _, err := tx.publish(ctx, c, hookrelay.Event{Type: "document.created"}); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.publishMany(ctx, c, []hookrelay.Event{{Type: "document.created"}, {Type: "document.signed"}}); err != nil {
				t.Fatal(err)
			}
		})
		want := traceparentOf(span.SpanContext())
		for i := range 3 {
			if got := rec.next(t); got != want {
				t.Errorf("request %d carried traceparent %q, want the application's %q", i+1, got, want)
			}
		}
	})
}

// TestAttemptErrorsInSpansAndLogsLeaveOutTheQuery: an endpoint whose URL
// carries a credential in its query string (user information is refused)
// and refuses connections: the attempt span's status and the attempt log line
// quote its URL without them; the stored attempt error, which the API shows
// the operator beside the endpoint's whole URL, keeps it.
func TestAttemptErrorsInSpansAndLogsLeaveOutTheQuery(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		tp, exp := newTracer(t)
		var logs testenv.Buffer
		c := started(t, b, hookrelay.WithTracerProvider(tp), hookrelay.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))), hookrelay.WithMaxRetries(0))
		closed := httptest.NewServer(http.NotFoundHandler())
		target := closed.URL + "/hooks?token=s3cr3t-token"
		closed.Close() // the port refuses connections: the error is Go's *url.Error, quoting the URL
		if _, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: target}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PublishNow(t.Context(), hookrelay.Event{Type: "document.created"}); err != nil {
			t.Fatal(err)
		}
		span := spansNamed(t, exp, "POST", 1)[0]
		if desc := span.Status.Description; !strings.Contains(desc, "/hooks") || strings.Contains(desc, "s3cr3t") {
			t.Errorf("span status %q, want the error with the URL masked", desc)
		}
		testwait.Until(t, "the attempt log line", func() bool { return strings.Contains(logs.String(), `"msg":"delivery attempt"`) })
		if line := logs.String(); strings.Contains(line, "s3cr3t") || !strings.Contains(line, "/hooks") {
			t.Errorf("log %s, want the error with the URL masked", line)
		}
		testwait.Until(t, "the stored attempt", func() bool {
			return b.count(t, "webhook_delivery_attempts WHERE error LIKE '%token=s3cr3t-token%'") == 1
		})
	})
}
