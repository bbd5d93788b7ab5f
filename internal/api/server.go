// Package api is hookrelay's JSON HTTP API: endpoints (webhooks) to manage,
// events to publish, deliveries to inspect, retry, cancel and replay, and the
// health checks. New returns the http.Handler that `hookrelay serve` mounts.
//
// Every answer is JSON; every error is {"error":{"code","message"}} with the
// status that fits. The routes are listed once, in routes, which the OpenAPI
// test compares with openapi.json.
package api

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/hookrelay/hookrelay/internal/authlimit"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/tracecontext"
)

// DefaultMaxPayloadBytes is the default of Options.MaxPayloadBytes.
const DefaultMaxPayloadBytes = 256 << 10

// Options configure the API.
type Options struct {
	// Store holds endpoints, events and deliveries. Required.
	Store store.Store
	// Service carries out every change (endpoints, publishing, delivery
	// actions) on Store. Nil means one made from Store and the options
	// below (DefaultMaxRetries, AllowPrivateTargets, DefaultProfile,
	// RotationWindow, Resolver), which are ignored when Service is given.
	Service *service.Service
	// Logger receives request failures and, at debug level, one line per request.
	Logger *slog.Logger
	// Token, when not empty, is the bearer token every route but the health
	// checks requires.
	Token string
	// MaxPayloadBytes bounds request bodies (default DefaultMaxPayloadBytes).
	MaxPayloadBytes int64
	// DefaultMaxRetries is the retry budget of deliveries to endpoints that set none.
	DefaultMaxRetries int
	// AllowPrivateTargets lets endpoint URLs resolve to addresses that are not
	// globally routable (see netguard): loopback, private, link-local, ….
	AllowPrivateTargets bool
	// DefaultProfile is the signature profile of endpoints that name none
	// (HOOKRELAY_SIGNATURE_PROFILE): a new endpoint without one gets it, and a
	// row that names none (one Ackify CE created) is saved with it. Empty
	// means store.ProfileStandard.
	DefaultProfile string
	// RotationWindow is how long a rotated-out secret still signs requests
	// (default service.DefaultRotationWindow).
	RotationWindow time.Duration
	// Resolver resolves endpoint hosts for the SSRF check; nil uses the default.
	Resolver *net.Resolver
	// Metrics, when not nil, serves GET /metrics (behind the token, like /v1).
	Metrics http.Handler
	// Limiter throttles bearer-token guessing (see authlimit); `serve`
	// shares it with the dashboard's sign-in. Nil means one of the API's own.
	Limiter *authlimit.Limiter
	// TracerProvider makes a SERVER span of each request to a route, named
	// after the route ("POST /v1/events"), child of the request's W3C
	// traceparent when it has one; nil: the global provider. Whatever the
	// provider, a publish stores the request's trace context.
	TracerProvider trace.TracerProvider
	// PublicURL is the base URL (scheme and host) under which
	// clients reach hookrelay (HOOKRELAY_PUBLIC_URL): the links of POST
	// /v1/portal-sessions start with it. Empty: the request's own scheme
	// and Host (forwarded headers are not trusted).
	PublicURL string
}

// server holds the handlers' dependencies.
type server struct {
	store      store.Store
	service    *service.Service
	logger     *slog.Logger
	token      []byte
	limiter    *authlimit.Limiter
	maxPayload int64
	metrics    http.Handler
	writable   *writeProbe
	mux        *http.ServeMux
	publicURL  string
}

// handlerFunc is a handler whose error becomes the JSON error answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one entry of the API: a ServeMux pattern and its handler.
type route struct {
	method string
	path   string
	handle handlerFunc
	// public routes need no token.
	public bool
}

// routes is the table of every route the API serves.
func (s *server) routes() []route {
	return []route{
		{method: "GET", path: "/healthz", handle: s.healthz, public: true},
		{method: "GET", path: "/readyz", handle: s.readyz, public: true},
		{method: "GET", path: "/metrics", handle: s.serveMetrics},
		{method: "GET", path: "/v1/openapi.json", handle: s.openAPI},

		{method: "GET", path: "/v1/events", handle: s.listEvents},
		{method: "POST", path: "/v1/events", handle: s.publishEvent},
		{method: "POST", path: "/v1/events/batch", handle: s.publishBatch},
		{method: "GET", path: "/v1/events/{id}", handle: s.getEvent},

		{method: "POST", path: "/v1/webhooks", handle: s.createEndpoint},
		{method: "GET", path: "/v1/webhooks", handle: s.listEndpoints},
		{method: "GET", path: "/v1/webhooks/{id}", handle: s.getEndpoint},
		{method: "PATCH", path: "/v1/webhooks/{id}", handle: s.updateEndpoint},
		{method: "DELETE", path: "/v1/webhooks/{id}", handle: s.deleteEndpoint},
		{method: "POST", path: "/v1/webhooks/{id}/enable", handle: s.enableEndpoint},
		{method: "POST", path: "/v1/webhooks/{id}/disable", handle: s.disableEndpoint},
		{method: "POST", path: "/v1/webhooks/{id}/rotate-secret", handle: s.rotateSecret},
		{method: "POST", path: "/v1/webhooks/{id}/ping", handle: s.pingEndpoint},
		{method: "POST", path: "/v1/webhooks/{id}/verify", handle: s.verifyEndpoint},
		{method: "GET", path: "/v1/webhooks/{id}/recovery", handle: s.endpointRecovery},
		{method: "POST", path: "/v1/webhooks/{id}/recovery/stop", handle: s.stopRecovery},

		{method: "POST", path: "/v1/event-types", handle: s.createEventType},
		{method: "GET", path: "/v1/event-types", handle: s.listEventTypes},
		{method: "GET", path: "/v1/event-types/{name}", handle: s.getEventType},
		{method: "PATCH", path: "/v1/event-types/{name}", handle: s.updateEventType},
		{method: "DELETE", path: "/v1/event-types/{name}", handle: s.deleteEventType},

		{method: "GET", path: "/v1/deliveries", handle: s.listDeliveries},
		{method: "POST", path: "/v1/deliveries/replay", handle: s.replayDeliveries},
		{method: "GET", path: "/v1/deliveries/{id}", handle: s.getDelivery},
		{method: "POST", path: "/v1/deliveries/{id}/retry", handle: s.retryDelivery},
		{method: "POST", path: "/v1/deliveries/{id}/cancel", handle: s.cancelDelivery},

		{method: "POST", path: "/v1/portal-sessions", handle: s.createPortalSession},
	}
}

// New returns the API handler: /healthz, /readyz, /metrics and everything
// under /v1.
func New(opts Options) http.Handler {
	s := &server{
		store:      opts.Store,
		service:    opts.Service,
		logger:     opts.Logger,
		token:      []byte(opts.Token),
		limiter:    opts.Limiter,
		maxPayload: opts.MaxPayloadBytes,
		metrics:    opts.Metrics,
		writable:   &writeProbe{check: opts.Store.CheckWritable},
		mux:        http.NewServeMux(),
		publicURL:  opts.PublicURL,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.limiter == nil {
		s.limiter = authlimit.New(time.Now)
	}
	if s.maxPayload <= 0 {
		s.maxPayload = DefaultMaxPayloadBytes
	}
	if s.service == nil {
		s.service = service.New(opts.Store, service.Options{
			AllowPrivateTargets: opts.AllowPrivateTargets, Resolver: opts.Resolver, DefaultProfile: opts.DefaultProfile,
			DefaultMaxRetries: opts.DefaultMaxRetries, RotationWindow: opts.RotationWindow,
		})
	}
	// An event of a batch may not carry more data than one request may.
	s.service = s.service.WithMaxDataBytes(s.maxPayload)
	// Tracing comes after the token check: a refused request (401, 429)
	// makes no span and joins no trace of the caller's.
	for _, rt := range s.routes() {
		pattern := rt.method + " " + rt.path
		h := traced(s.adapt(rt.handle), pattern, opts.TracerProvider)
		if !rt.public {
			h = s.requireToken(h)
		}
		s.mux.Handle(pattern, h)
	}
	return http.HandlerFunc(s.serveHTTP)
}

// traced wraps the handler of route pattern in its SERVER span (otelhttp,
// with the HTTP semantic conventions), named after the route rather than
// the raw path, whose parent is the request's W3C trace context: the W3C
// propagator is used whatever the global one is. With tracing off (a no-op
// tp) it only puts the request's trace context, when it has one, in the
// request's context, for the publish to store.
func traced(h http.Handler, pattern string, tp trace.TracerProvider) http.Handler {
	if _, off := tp.(noop.TracerProvider); off {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get(tracecontext.TraceParentHeader) != "" {
				r = r.WithContext(tracecontext.Extract(r.Context(), r.Header))
			}
			h.ServeHTTP(w, r)
		})
	}
	return otelhttp.NewHandler(h, pattern,
		otelhttp.WithTracerProvider(tracecontext.TracerProviderOr(tp)),
		otelhttp.WithPropagators(tracecontext.Propagator()),
		otelhttp.WithSpanNameFormatter(func(operation string, _ *http.Request) string { return operation }))
}

// adapt turns a handlerFunc into an http.Handler that answers its error.
func (s *server) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// serveHTTP is the outermost layer: panic recovery, the access log, and JSON
// answers for unknown routes and methods.
func (s *server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.ErrorContext(r.Context(), "panic serving request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("panic", v))
			if rec.status == 0 {
				s.writeError(rec, r, fmt.Errorf("panic: %v", v))
			}
		}
		s.logger.DebugContext(r.Context(), "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(started)))
	}()
	h, pattern := s.mux.Handler(r)
	if pattern == "" {
		s.unmatched(rec, r, h)
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// unmatched answers a request that no route takes: the mux's own 404 or 405,
// in JSON.
func (s *server) unmatched(w http.ResponseWriter, r *http.Request, muxHandler http.Handler) {
	probe := &statusRecorder{ResponseWriter: discardWriter{header: http.Header{}}}
	muxHandler.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.Header().Get("Allow"))
		s.writeError(w, r, newError(http.StatusMethodNotAllowed, codeMethod, "%s is not allowed on %s", r.Method, r.URL.Path))
		return
	}
	s.writeError(w, r, newError(http.StatusNotFound, codeNotFound, "no route %s %s", r.Method, r.URL.Path))
}

// requireToken refuses requests without the bearer token, when one is set.
// Every missing or wrong token counts against the client's budget in the
// limiter; past it the client is answered 429 with Retry-After, right token
// or not, until its window ends. A right token is never delayed or counted.
func (s *server) requireToken(next http.Handler) http.Handler {
	if len(s.token) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := authlimit.ClientKey(r)
		scheme, given, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		ok = ok && strings.EqualFold(scheme, "Bearer")
		if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(given)), s.token) == 1 {
			if wait := s.limiter.Wait(client); wait > 0 {
				s.writeThrottled(w, r, wait)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		wait, last := s.limiter.Fail(client)
		if last {
			s.logger.WarnContext(r.Context(), "API token checks throttled", slog.String("client", client))
		}
		switch {
		case wait > 0:
			s.writeThrottled(w, r, wait)
		case !ok:
			s.writeError(w, r, newError(http.StatusUnauthorized, codeUnauthorized, "missing bearer token: send Authorization: Bearer <token>"))
		default:
			s.writeError(w, r, newError(http.StatusUnauthorized, codeUnauthorized, "invalid bearer token"))
		}
	})
}

// writeThrottled answers 429 to a client that failed the token check too
// often, with Retry-After in whole seconds.
func (s *server) writeThrottled(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	seconds := int64((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.FormatInt(seconds, 10))
	s.writeError(w, r, newError(http.StatusTooManyRequests, codeThrottled, "too many failed token checks from this address; try again in %d seconds", seconds))
}

// statusRecorder remembers the status written through it.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// discardWriter is a ResponseWriter that keeps only its headers.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
