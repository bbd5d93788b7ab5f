// Package service holds what hookrelay does on behalf of a person or a
// program, whichever door they come through (the HTTP API, the dashboard, the
// Go library, `serve` at start): managing endpoints (create with defaults,
// validation and a generated secret, update, enable, disable, rotate the
// secret, ping, delete), publishing events (their validation and defaults),
// acting on deliveries (retry, cancel, replay) and syncing the endpoints of
// WEBHOOK_URLS. Each rule lives here once; the doors translate their input
// into store types, call a Service, and translate its answers back.
//
// Validation errors are a *FieldError per field at fault (joined with
// errors.Join when there are several), each matching ErrInvalid, so that a
// door can name the field in its own terms: the API's JSON "field", the
// dashboard's form input. Refusals that the state of a row explains
// (ErrConfigURL, ErrEndpointDisabled, ErrNotRetryable, …) match
// store.ErrConflict, and a missing row store.ErrNotFound.
package service

import (
	"net"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/tracecontext"
)

// DefaultRotationWindow is how long a rotated-out secret still signs
// requests when Options.RotationWindow is zero.
const DefaultRotationWindow = 24 * time.Hour

// Options configure a Service. The zero value is usable: public targets
// only, the standard profile, no retries, a one-day rotation window, no
// data size limit.
type Options struct {
	// AllowPrivateTargets lets endpoint URLs resolve to addresses that are
	// not globally routable (see netguard): loopback, private, link-local, ….
	AllowPrivateTargets bool
	// Resolver resolves endpoint hosts for the SSRF check; nil means
	// net.DefaultResolver.
	Resolver *net.Resolver
	// DefaultProfile is the signature profile of endpoints that name none
	// (HOOKRELAY_SIGNATURE_PROFILE): a new endpoint without one gets it, and
	// a row that names none (one Ackify CE created) is read and saved with
	// it. Empty means store.ProfileStandard.
	DefaultProfile string
	// DefaultMaxRetries is the retry budget of the deliveries published (and
	// pinged) for endpoints that set none, used as given: the caller
	// resolves its own default.
	DefaultMaxRetries int
	// RotationWindow is how long a rotated-out secret still signs requests;
	// zero means DefaultRotationWindow, and a negative one none: the old
	// secret stops signing at once (hookrelay.NoWait).
	RotationWindow time.Duration
	// MaxDataBytes, when positive, bounds the data of each published event
	// (a *SizeError above it); zero means no limit but the store's.
	MaxDataBytes int64
	// RequireVerification is the default of new endpoints
	// (HOOKRELAY_REQUIRE_VERIFICATION): whether they must answer a
	// challenge before they receive anything else (see RequiresVerification).
	RequireVerification bool
	// RecoveryWindow is the window of automatic recovery
	// (HOOKRELAY_RECOVERY_WINDOW), which EndpointRecovery counts the
	// deliveries to recover in; zero or negative: recovery is off, none.
	RecoveryWindow time.Duration
	// RequireEventTypes refuses to publish an event whose type is not in
	// the event-type catalog (HOOKRELAY_REQUIRE_EVENT_TYPES); the types
	// hookrelay sends itself (webhook.ping, webhook.verification) pass.
	RequireEventTypes bool
	// CatalogRefresh is how old the service's copy of the event-type
	// catalog may grow before a publish reads it again (see catalog); zero
	// means DefaultCatalogRefresh.
	CatalogRefresh time.Duration
	// Now is the clock of disables and rotations; nil means time.Now.
	Now func() time.Time
	// TracerProvider makes the publish spans; nil: the application's
	// global one (otel.GetTracerProvider).
	TracerProvider trace.TracerProvider
}

// Service carries out hookrelay's actions on one store. It is safe for
// concurrent use.
type Service struct {
	store   store.Store
	opts    Options
	catalog *catalog
	tracer  trace.Tracer
}

// New returns a Service on st with opts, their zero values replaced by the
// defaults that Options describes.
func New(st store.Store, opts Options) *Service {
	if opts.RotationWindow == 0 {
		opts.RotationWindow = DefaultRotationWindow
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CatalogRefresh == 0 {
		opts.CatalogRefresh = DefaultCatalogRefresh
	}
	return &Service{store: st, opts: opts, catalog: &catalog{st: st, refresh: opts.CatalogRefresh, now: time.Now}, tracer: tracecontext.Tracer(opts.TracerProvider)}
}

// Store is the store the service acts on, for the doors' reads.
func (s *Service) Store() store.Store { return s.store }

// Profile returns the signature profile e is signed with: its own, or
// Options.DefaultProfile when it names none (a row that Ackify CE or
// WEBHOOK_URLS created). The doors show it, and the service stores it
// whenever it writes a secret, so that saving an endpoint never changes how
// it is signed.
func (s *Service) Profile(e store.Endpoint) string {
	return e.ProfileOr(s.opts.DefaultProfile)
}

// WithMaxDataBytes returns a Service on the same store with
// Options.MaxDataBytes set to n: a door with a size limit of its own (the
// API's request bodies) applies it through the service's checks.
func (s *Service) WithMaxDataBytes(n int64) *Service {
	c := *s
	c.opts.MaxDataBytes = n
	return &c
}

// On returns a Service with the same options on st: for a view of the same
// database, such as the store seen from inside an application's transaction
// (the library's …Tx methods), so that the same rules run there.
func (s *Service) On(st store.Store) *Service {
	c := *s
	c.store = st
	return &c
}
