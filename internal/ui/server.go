// Package ui is hookrelay's dashboard: server-rendered pages under /ui/ to
// manage endpoints, follow every delivery, look up events and watch the
// queue. `hookrelay serve` mounts the handler that New returns.
//
// The dashboard is a door of its own beside the JSON API (internal/api):
// every change it makes calls internal/service, which validates it as it
// validates the API's, and every page reads the store directly. It shows its
// own view of the store's rows, masked as the API masks them
// (service.MaskEndpoint, mask.RequestHeaders), and puts the service's
// *service.FieldError on the form input of its field.
//
// Templates, CSS and JavaScript are embedded: the pages need no CDN and work
// offline. Every change is a POST form, protected by a per-session CSRF token
// and by an Origin/Referer check; JavaScript only adds niceties (copy,
// confirm, auto refresh).
//
// NewPortal serves the same pages under /portal/ as the customer portal of
// one tenant (see portal.go): a session opened by a single-use link of POST
// /v1/portal-sessions, every request scoped to its tenant below the pages
// (service.Service.TenantScoped), and only the routes a tenant may use.
package ui

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/internal/authlimit"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Prefix is the path under which the dashboard is served.
const Prefix = "/ui/"

// maxFormBytes bounds the body of a dashboard form.
const maxFormBytes = 1 << 20

// Options configure the dashboard.
type Options struct {
	// Service carries out every change the dashboard makes (with its
	// validation, defaults and secret generation), and its store
	// (Service.Store) answers every read. Required.
	Service *service.Service
	// Logger receives failed requests and login attempts; nil discards.
	Logger *slog.Logger
	// Token, when not empty, is the API token that signs a user in. When it
	// is empty the dashboard is open, as the API is.
	Token string
	// Limiter throttles failed sign-ins; `serve` gives the API's, so that
	// every credential check counts against one budget per client. Nil
	// means one of the dashboard's own.
	Limiter *authlimit.Limiter
	// MaxPayloadBytes, when positive, bounds the data of an event published
	// from the dashboard (service.Service.WithMaxDataBytes: a 413 page above
	// it), as HOOKRELAY_MAX_PAYLOAD_BYTES bounds the API's; zero or less
	// keeps the Service's own limit.
	MaxPayloadBytes int64
	// EndpointLimits, when set, reports the in-flight limit that this
	// process's workers apply to each endpoint, shown on the endpoint's
	// page; nil shows none (a dashboard without workers).
	EndpointLimits EndpointLimits
}

// EndpointLimits reports the in-flight limits of this process's delivery
// workers: `serve` gives the client's *delivery.Limits (clientparts.Parts).
type EndpointLimits interface {
	// Limit returns the limit applied to endpointID now; ok is false when
	// the workers hold none (no request to it in the last 10 minutes, or
	// the workers are stopped).
	Limit(endpointID int64) (limit int, ok bool)
	// Ceiling returns the highest limit (HOOKRELAY_ENDPOINT_CONCURRENCY),
	// and whether limits adapt below it.
	Ceiling() (ceiling int, adaptive bool)
}

// server holds the dashboard's dependencies.
type server struct {
	// service makes every change; store, the service's, answers reads.
	service  *service.Service
	store    store.Store
	logger   *slog.Logger
	sessions *sessions
	signIns  *authlimit.Limiter
	pages    *pages
	mux      *http.ServeMux
	// paths builds the URLs of the pages.
	paths paths
	// portal is set on the customer portal's server (NewPortal): sessions
	// come from its links, and every request is one tenant's.
	portal *portalConfig
	// defaultProfile preselects the signature profile of a new endpoint.
	defaultProfile string
	// limits reports the workers' limits; nil when there are none to show.
	limits EndpointLimits
}

// handlerFunc is a page handler whose error becomes an error page.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// New returns the dashboard handler, serving everything under Prefix.
func New(opts Options) http.Handler {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	limiter := opts.Limiter
	if limiter == nil {
		limiter = authlimit.New(time.Now)
	}
	svc := opts.Service
	if opts.MaxPayloadBytes > 0 {
		svc = svc.WithMaxDataBytes(opts.MaxPayloadBytes)
	}
	s := &server{
		service:  svc,
		store:    svc.Store(),
		logger:   logger,
		sessions: newSessions(opts.Token),
		signIns:  limiter,
		pages:    mustParsePages(dashboardPaths),
		mux:      http.NewServeMux(),
		paths:    dashboardPaths,

		defaultProfile: svc.Profile(store.Endpoint{}),
		limits:         opts.EndpointLimits,
	}
	s.routes()
	return securityHeaders(s.mux)
}

// routes registers every page and action.
func (s *server) routes() {
	s.mux.Handle("GET "+Prefix+"static/", staticHandler(Prefix))

	s.handle("GET "+Prefix+"login", s.loginPage, public)
	s.handle("POST "+Prefix+"login", s.login, public)
	s.handle("POST "+Prefix+"logout", s.logout, signedIn)

	s.handle("GET "+Prefix+"{$}", s.overview, signedIn)

	s.endpointRoutes(Prefix)
	s.handle("POST "+Prefix+"endpoints/{id}/recovery/stop", s.stopRecovery, signedIn)
	s.handle("POST "+Prefix+"deliveries/replay", s.replayDeliveries, signedIn)
	s.handle("POST "+Prefix+"deliveries/{id}/cancel", s.cancelDelivery, signedIn)

	s.handle("GET "+Prefix+"event-types", s.listEventTypes, signedIn)
	s.handle("GET "+Prefix+"new-event-type", s.newEventType, signedIn)
	s.handle("POST "+Prefix+"event-types", s.createEventType, signedIn)
	s.handle("GET "+Prefix+"event-types/{name}", s.editEventType, signedIn)
	s.handle("POST "+Prefix+"event-types/{name}", s.updateEventType, signedIn)
	s.handle("POST "+Prefix+"event-types/{name}/delete", s.deleteEventType, signedIn)

	s.handle("GET "+Prefix+"events", s.events, signedIn)
	s.handle("POST "+Prefix+"events", s.publishEvent, signedIn)

	s.handle(Prefix, s.notFound, public)
}

// endpointRoutes registers, under prefix, the pages and actions of
// endpoints and their deliveries that both the dashboard and the customer
// portal serve: the endpoint list, create, edit, enable, disable, rotate
// the secret, test event, verification, delete; the delivery log, a
// delivery, retry.
func (s *server) endpointRoutes(prefix string) {
	s.handle("GET "+prefix+"endpoints", s.listEndpoints, signedIn)
	s.handle("GET "+prefix+"endpoints/new", s.newEndpoint, signedIn)
	s.handle("POST "+prefix+"endpoints", s.createEndpoint, signedIn)
	s.handle("GET "+prefix+"endpoints/{id}", s.showEndpoint, signedIn)
	s.handle("GET "+prefix+"endpoints/{id}/edit", s.editEndpoint, signedIn)
	s.handle("POST "+prefix+"endpoints/{id}", s.updateEndpoint, signedIn)
	s.handle("POST "+prefix+"endpoints/{id}/enable", s.enableEndpoint, signedIn)
	s.handle("POST "+prefix+"endpoints/{id}/disable", s.disableEndpoint, signedIn)
	s.handle("POST "+prefix+"endpoints/{id}/rotate-secret", s.rotateSecret, signedIn)
	s.handle("POST "+prefix+"endpoints/{id}/ping", s.pingEndpoint, signedIn)
	s.handle("POST "+prefix+"endpoints/{id}/verify", s.verifyEndpoint, signedIn)
	s.handle("GET "+prefix+"endpoints/{id}/delete", s.confirmDeleteEndpoint, signedIn)
	s.handle("POST "+prefix+"endpoints/{id}/delete", s.deleteEndpoint, signedIn)

	s.handle("GET "+prefix+"deliveries", s.listDeliveries, signedIn)
	s.handle("GET "+prefix+"deliveries/{id}", s.showDelivery, signedIn)
	s.handle("POST "+prefix+"deliveries/{id}/retry", s.retryDelivery, signedIn)
}

// access says who may reach a route.
type access bool

const (
	public   access = false
	signedIn access = true
)

// handle registers h behind the session, CSRF and sign-in checks (the
// portal's on the portal's server).
func (s *server) handle(pattern string, h handlerFunc, who access) {
	if s.portal != nil {
		s.mux.Handle(pattern, s.withPortalSession(h, who))
		return
	}
	s.mux.Handle(pattern, s.withSession(h, who))
}

// notFound answers paths under the prefix that no route takes.
func (s *server) notFound(http.ResponseWriter, *http.Request) error {
	return errNotFound
}

// securityHeaders sets the headers every dashboard answer carries: a strict
// content security policy (no inline script or style, nothing from other
// origins), no framing, no sniffing.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "+
			"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
