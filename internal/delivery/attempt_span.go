package delivery

import (
	"context"
	"net/url"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/tracecontext"
)

// clientSpan is the start option of attempt spans, made once.
var clientSpan = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// startAttempt starts the span of one attempt of c: a CLIENT span, named
// after its method as the HTTP semantic conventions name client spans,
// child of the publish whose trace context the event stored (so every
// attempt, whenever it runs, is in the publisher's trace), or a root span
// when the event has none. Its attributes are computed only when the span
// records: with tracing off, an attempt costs no span.
func startAttempt(ctx context.Context, tracer trace.Tracer, c store.Claimed) (context.Context, trace.Span) {
	ctx = tracecontext.With(ctx, c.Event.TraceParent, c.Event.TraceState)
	ctx, span := tracer.Start(ctx, "POST", clientSpan...)
	if span.IsRecording() {
		attrs := append(targetAttributes(c.Endpoint.URL),
			attribute.String("http.request.method", "POST"),
			attribute.Int64("hookrelay.delivery.id", c.Delivery.ID),
			attribute.String("hookrelay.event.id", c.Event.ID),
			attribute.String("hookrelay.event.type", c.Event.Type),
			attribute.Int64("hookrelay.endpoint.id", c.Endpoint.ID),
			attribute.Int("hookrelay.attempt", c.Delivery.RetryCount+1),
		)
		span.SetAttributes(attrs...)
	}
	return ctx, span
}

// endAttempt records how the attempt went on its span and ends it: the
// answer's status, error.type (the status code, or the class of a failure
// without an answer), hookrelay.outcome, and status Error unless it
// delivered, described by the attempt's error with the URLs in it masked
// (mask.URLsIn: no query string, no user information).
func endAttempt(span trace.Span, res SendResult, out store.Outcome) {
	if span.IsRecording() {
		span.SetAttributes(attribute.String("hookrelay.outcome", out.Result.String()))
		status := 0
		if res.Attempt.ResponseStatus != nil {
			status = *res.Attempt.ResponseStatus
			span.SetAttributes(attribute.Int("http.response.status_code", status))
		}
		if out.Result != store.ResultDelivered {
			errorType := res.Class.String()
			if status >= 400 {
				errorType = strconv.Itoa(status)
			}
			span.SetAttributes(attribute.String("error.type", errorType))
			span.SetStatus(codes.Error, mask.URLsIn(res.Attempt.Error))
		}
	}
	span.End()
}

// targetAttributes are the url.full, server.address and server.port of an
// endpoint URL, without what may be a secret: the user information and the
// query string are left out.
func targetAttributes(raw string) []attribute.KeyValue {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	attrs := []attribute.KeyValue{
		attribute.String("url.full", mask.URL(raw)),
		attribute.String("server.address", u.Hostname()),
	}
	if n, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, attribute.Int("server.port", n))
	}
	return attrs
}
