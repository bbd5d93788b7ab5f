// Package tracecontext carries a publish's W3C trace context
// (https://www.w3.org/TR/trace-context/) from the publisher's context into
// the stored event (store.Event.TraceParent, TraceState), and from the
// stored event into each delivery attempt and its request, so that every
// attempt, retries hours later and after a restart included, continues the
// publisher's trace.
//
// It speaks the OpenTelemetry API only (no SDK, no exporter): the library
// links nothing more. The W3C propagator is used whatever the
// application's global one is, since the stored form is the W3C one.
package tracecontext

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// InstrumentationName names hookrelay's tracer (the instrumentation scope
// of its spans).
const InstrumentationName = "github.com/hookrelay/hookrelay"

// The W3C header names, as the propagator writes them.
const (
	TraceParentHeader = "traceparent"
	TraceStateHeader  = "tracestate"
)

var w3c = propagation.TraceContext{}

// Tracer returns hookrelay's tracer of TracerProviderOr(tp).
func Tracer(tp trace.TracerProvider) trace.Tracer {
	return TracerProviderOr(tp).Tracer(InstrumentationName)
}

// TracerProviderOr returns tp, or the application's global provider
// (otel.GetTracerProvider) when tp is nil.
func TracerProviderOr(tp trace.TracerProvider) trace.TracerProvider {
	if tp == nil {
		return otel.GetTracerProvider()
	}
	return tp
}

// Of returns the traceparent and tracestate of the span context in ctx, or
// "" when it holds no valid one.
func Of(ctx context.Context) (traceParent, traceState string) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return "", ""
	}
	var c pair
	w3c.Inject(ctx, &c)
	return c.parent, c.state
}

// With returns ctx carrying, as a remote parent, the span context that
// traceParent and traceState describe (a stored event's), or ctx as it is
// when traceParent is empty or not valid.
func With(ctx context.Context, traceParent, traceState string) context.Context {
	if traceParent == "" {
		return ctx
	}
	return w3c.Extract(ctx, &pair{parent: traceParent, state: traceState})
}

// Inject sets the traceparent (and tracestate) headers of the span context
// in ctx on h; it sets nothing when ctx holds no valid span context.
func Inject(ctx context.Context, h http.Header) {
	w3c.Inject(ctx, propagation.HeaderCarrier(h))
}

// Extract returns ctx carrying the remote span context of h's traceparent
// and tracestate headers, when they hold a valid one.
func Extract(ctx context.Context, h http.Header) context.Context {
	return w3c.Extract(ctx, propagation.HeaderCarrier(h))
}

// Propagator is the W3C Trace Context propagator hookrelay reads and
// writes with.
func Propagator() propagation.TextMapPropagator { return w3c }

// RecordBatch records a finished batch operation of the workers (a claim,
// an outcome write) as a root INTERNAL span named name that began at
// started and ends now, with attrs, and status Error when err is not nil.
// It is made after the fact, so that the caller decides to record only
// batches that did something; a sampler of the provider may still drop it.
func RecordBatch(ctx context.Context, tracer trace.Tracer, name string, started time.Time, err error, attrs ...attribute.KeyValue) {
	_, span := tracer.Start(ctx, name, trace.WithNewRoot(), trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithTimestamp(started), trace.WithAttributes(attrs...))
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// pair is a carrier of one traceparent and tracestate, without the map of
// propagation.MapCarrier.
type pair struct{ parent, state string }

func (p *pair) Get(key string) string {
	switch key {
	case TraceParentHeader:
		return p.parent
	case TraceStateHeader:
		return p.state
	}
	return ""
}

func (p *pair) Set(key, value string) {
	switch key {
	case TraceParentHeader:
		p.parent = value
	case TraceStateHeader:
		p.state = value
	}
}

func (p *pair) Keys() []string { return []string{TraceParentHeader, TraceStateHeader} }
