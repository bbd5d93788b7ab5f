// Package metrics exposes hookrelay's Prometheus metrics: attempts by outcome,
// attempt duration, publish-to-delivery latency, queue depth by status (a
// cached query), requests in flight, endpoints disabled, each endpoint's
// in-flight limit, and the Go runtime.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
)

// queueDepthTTL is how long a queue-depth reading is reused between scrapes.
const queueDepthTTL = 5 * time.Second

// Metrics is a delivery.Observer whose collectors a registry serves
// (Register).
type Metrics struct {
	queueDepth        *queueDepth
	attempts          *prometheus.CounterVec
	attemptDuration   prometheus.Histogram
	deliveryLatency   prometheus.Histogram
	inFlight          prometheus.Gauge
	endpointsDisabled prometheus.Counter
	endpointLimits    *endpointLimits
}

// New builds the metrics; queue depth is read from st at most every 5 s,
// and each endpoint's in-flight limit from limits (nil: none) at each
// scrape.
func New(st store.Store, limits *delivery.Limits) *Metrics {
	m := &Metrics{
		endpointLimits: &endpointLimits{limits: limits, desc: prometheus.NewDesc("hookrelay_endpoint_concurrency_limit",
			"Requests this process's workers may have in flight at once to each endpoint they sent to in the last 10 minutes: "+
				"its adaptive limit, or HOOKRELAY_ENDPOINT_CONCURRENCY when limits are fixed.", []string{"endpoint_id"}, nil)},
		queueDepth: &queueDepth{store: st, desc: prometheus.NewDesc("hookrelay_queue_depth",
			"Deliveries by status, read from the store at most every 5 s.", []string{"status"}, nil)},
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hookrelay_delivery_attempts_total",
			Help: "Delivery attempts by outcome: delivered, retry (a retryable failure with retries left) or failed.",
		}, []string{"outcome"}),
		attemptDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hookrelay_delivery_attempt_duration_seconds",
			Help:    "Duration of one delivery attempt, from request start to the end of the response.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}),
		deliveryLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hookrelay_delivery_latency_seconds",
			Help:    "Time from an event's publication to its successful delivery, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.001, 3, 14),
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hookrelay_requests_in_flight",
			Help: "Delivery requests in flight now.",
		}),
		endpointsDisabled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hookrelay_endpoints_disabled_total",
			Help: "Endpoints disabled automatically by their health (consecutive failures, failing too long, or 410 Gone).",
		}),
	}
	for _, result := range []store.Result{store.ResultDelivered, store.ResultRetry, store.ResultFailed} {
		m.attempts.WithLabelValues(result.String())
	}
	return m
}

// Register registers hookrelay's collectors with reg, all or none: when reg
// refuses one (one of the same name is already there, for instance), those
// registered are unregistered and the error is returned.
func (m *Metrics) Register(reg prometheus.Registerer) error {
	all := []prometheus.Collector{m.attempts, m.attemptDuration, m.deliveryLatency, m.inFlight, m.endpointsDisabled, m.queueDepth, m.endpointLimits}
	for i, c := range all {
		if err := reg.Register(c); err != nil {
			for _, done := range all[:i] {
				reg.Unregister(done)
			}
			return err
		}
	}
	return nil
}

// NewRegistry returns a registry holding the Go runtime's and the process's
// collectors, for a program that serves its own metrics (`hookrelay serve`).
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Handler serves what reg gathers in the Prometheus text format, or in
// OpenMetrics to a scraper that asks for it (Accept), the format that
// carries exemplars (the trace IDs of attempt durations).
func Handler(reg prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// AttemptFinished records an attempt's outcome, duration and, for a
// delivery, its latency since publication. The duration of an attempt whose
// span is sampled carries its trace ID as an exemplar (trace_id).
func (m *Metrics) AttemptFinished(c store.Claimed, res delivery.SendResult, result store.Result) {
	if result == store.ResultDelivered {
		m.deliveryLatency.Observe(time.Since(c.Event.CreatedAt).Seconds())
	}
	m.attempts.WithLabelValues(result.String()).Inc()
	seconds := float64(res.Attempt.DurationMS) / 1000
	if sc := res.SpanContext; sc.IsSampled() {
		if eo, ok := m.attemptDuration.(prometheus.ExemplarObserver); ok {
			eo.ObserveWithExemplar(seconds, prometheus.Labels{"trace_id": sc.TraceID().String()})
			return
		}
	}
	m.attemptDuration.Observe(seconds)
}

// InFlight tracks requests in flight.
func (m *Metrics) InFlight(delta int) { m.inFlight.Add(float64(delta)) }

// EndpointDisabled counts an endpoint disabled by its health.
func (m *Metrics) EndpointDisabled(int64, string) { m.endpointsDisabled.Inc() }

// queueDepth collects deliveries by status from a cached store query.
type queueDepth struct {
	store  store.Store
	desc   *prometheus.Desc
	mu     sync.Mutex
	at     time.Time
	counts map[store.Status]int64
}

func (q *queueDepth) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *queueDepth) Collect(ch chan<- prometheus.Metric) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if time.Since(q.at) > queueDepthTTL {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		counts, err := q.store.CountByStatus(ctx)
		cancel()
		if err != nil {
			ch <- prometheus.NewInvalidMetric(q.desc, err)
			return
		}
		q.counts, q.at = counts, time.Now()
	}
	for _, s := range []store.Status{store.StatusPending, store.StatusProcessing, store.StatusDelivered, store.StatusFailed, store.StatusCancelled} {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(q.counts[s]), string(s))
	}
}

// endpointLimits collects each endpoint's current in-flight limit. The
// workers forget an endpoint idle for 10 minutes, and so does the metric, so
// that its label set stays as large as the endpoints in use.
type endpointLimits struct {
	limits *delivery.Limits
	desc   *prometheus.Desc
}

func (e *endpointLimits) Describe(ch chan<- *prometheus.Desc) { ch <- e.desc }

func (e *endpointLimits) Collect(ch chan<- prometheus.Metric) {
	for id, limit := range e.limits.All() {
		ch <- prometheus.MustNewConstMetric(e.desc, prometheus.GaugeValue, float64(limit), strconv.FormatInt(id, 10))
	}
}
