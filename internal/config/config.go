// Package config is the command line's side of hookrelay's settings: the
// environment variables and flags of `hookrelay serve` (the struct tags drive
// the command-line parser, kong), read once and validated once by Validate,
// and their mapping onto the library's hookrelay.Config (Library), whose
// constants give the defaults (Vars) and whose Validate holds the rules the
// two share. Errors name the environment variables (EnvError). The rest of
// the program never reads the environment.
package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/signature"
)

// Database holds the setting that chooses the store.
type Database struct {
	DatabaseURL string `name:"database-url" env:"DATABASE_URL" default:"hookrelay.db" help:"postgres://… or a keyword string (host=… user=… dbname=…) for PostgreSQL; a file path, sqlite:PATH or file:PATH (no ?options) for SQLite; any other scheme (mysql://…) is refused (exit 2)."`
	// EncryptionKey, when set, encrypts endpoint secrets and custom header
	// values at rest (hookrelay.Config.EncryptionKey).
	EncryptionKey string `name:"encryption-key" env:"HOOKRELAY_ENCRYPTION_KEY" help:"32-byte key (64 hex digits or base64) that encrypts endpoint secrets and custom header values at rest with AES-256-GCM; without it they are stored in clear."`
}

// Log holds the logging settings.
type Log struct {
	LogFormat string `name:"log-format" env:"HOOKRELAY_LOG_FORMAT" default:"json" enum:"json,text" help:"Log format: json or text (text with --dev)."`
	LogLevel  string `name:"log-level" env:"HOOKRELAY_LOG_LEVEL" default:"info" enum:"debug,info,warn,error" help:"Lowest level logged: debug, info, warn or error."`
}

// Delivery holds the settings of the delivery workers. Their defaults are
// the library's (hookrelay.Default…, through Vars); Library maps them onto a
// hookrelay.Config.
type Delivery struct {
	EndpointURLs     []string `name:"webhook-urls" env:"WEBHOOK_URLS" sep:"," help:"Comma-separated endpoints that receive every event; synced into the webhooks table at start (added, updated, deactivated when removed from a non-empty list). Unset or empty leaves the endpoints an earlier list configured as they are."`
	EndpointSecret   string   `name:"webhook-secret" env:"WEBHOOK_SECRET" help:"Secret that signs requests to WEBHOOK_URLS; required with them. Under the ackify profile any string (raw bytes, as Ackify CE uses it); otherwise at least 16 bytes (UTF-8), or whsec_ and the base64 of at least 16 bytes (echo whsec_$(openssl rand -base64 24))."`
	SignatureProfile string   `name:"signature-profile" env:"HOOKRELAY_SIGNATURE_PROFILE" default:"${default_signature_profile}" enum:"standard,ackify" help:"standard or ackify: the signature profile of endpoints whose row names none (WEBHOOK_URLS, rows Ackify CE created) and of endpoints created without one."`
	TimeoutMS        int      `name:"webhook-timeout-ms" env:"WEBHOOK_TIMEOUT_MS" default:"${default_timeout_ms}" help:"Whole-request timeout of one delivery attempt, in milliseconds (at most ${max_timeout_ms})."`
	Retries          `embed:""`
	BackoffBase      time.Duration `name:"backoff-base" env:"HOOKRELAY_BACKOFF_BASE" default:"${default_backoff_base}" help:"Delay before the first retry; doubles on each retry (1s with --dev)."`
	BackoffCap       time.Duration `name:"backoff-cap" env:"HOOKRELAY_BACKOFF_CAP" help:"Longest delay between two attempts (default: ${default_backoff_cap}, or the backoff base when larger, as in the library; 30s with --dev)."`
	RetryAfterCap    time.Duration `name:"retry-after-cap" env:"HOOKRELAY_RETRY_AFTER_CAP" default:"${default_retry_after_cap}" help:"Longest delay a Retry-After answer may ask for; positive (30s with --dev)."`
	Concurrency      int           `name:"concurrency" env:"HOOKRELAY_CONCURRENCY" default:"${default_concurrency}" help:"Requests in flight at once, over all endpoints (at most ${max_concurrency})."`
	EndpointInFlight int           `name:"endpoint-concurrency" env:"HOOKRELAY_ENDPOINT_CONCURRENCY" default:"${default_endpoint_concurrency}" help:"Most requests in flight at once to one endpoint: the ceiling of its adaptive limit, or its fixed limit when HOOKRELAY_ADAPTIVE_CONCURRENCY is false (at most ${max_concurrency})."`
	Adaptive         bool          `name:"adaptive-concurrency" env:"HOOKRELAY_ADAPTIVE_CONCURRENCY" default:"${default_adaptive_concurrency}" negatable:"" help:"Adapt each endpoint's in-flight limit to its answers: it starts at 4, grows while the endpoint answers 2xx at a steady latency, and halves on timeouts, network failures, 429, 502, 503, 504 and latency jumps (false: every endpoint may always have HOOKRELAY_ENDPOINT_CONCURRENCY requests in flight)."`
	BatchSize        int           `name:"batch-size" env:"HOOKRELAY_BATCH_SIZE" default:"${default_batch_size}" help:"Deliveries claimed by one query (at most ${max_batch_size})."`
	PollInterval     time.Duration `name:"poll-interval" env:"HOOKRELAY_POLL_INTERVAL" default:"${default_poll_interval}" help:"How often idle workers look for due retries when nothing wakes them."`
	Lease            time.Duration `name:"lease" env:"HOOKRELAY_LEASE" help:"How long a claimed delivery stays with its worker before another may take it (default: 3 × timeout + 30s)."`
	ShutdownTimeout  time.Duration `name:"shutdown-timeout" env:"HOOKRELAY_SHUTDOWN_TIMEOUT" default:"${default_shutdown_timeout}" help:"How long shutdown waits for requests in flight (0: not at all)."`
	DisableAfter     int           `name:"disable-after-failures" env:"HOOKRELAY_DISABLE_AFTER_FAILURES" default:"${default_disable_after_failures}" help:"Disable an endpoint after this many consecutive failed attempts (0: never)."`
	DisableAfterFor  time.Duration `name:"disable-after-failing-for" env:"HOOKRELAY_DISABLE_AFTER_FAILING_FOR" default:"${default_disable_after_failing_for}" help:"Disable an endpoint that has failed without a success for this long (0: never)."`
	RecoveryWindow   time.Duration `name:"recovery-window" env:"HOOKRELAY_RECOVERY_WINDOW" default:"${default_recovery_window}" help:"When an endpoint answers 2xx again after failures, queue again its deliveries that failed for good during the outage at most this long ago, once each (0: off)."`
	ProbeInterval    time.Duration `name:"probe-interval" env:"HOOKRELAY_PROBE_INTERVAL" default:"${default_probe_interval}" help:"Wait before the first signed webhook.ping probe of an endpoint its health rules disabled; doubles after each failed probe; the first 2xx re-enables it (0: never probe)."`
	ProbeIntervalCap time.Duration `name:"probe-interval-cap" env:"HOOKRELAY_PROBE_INTERVAL_CAP" help:"Longest wait between two probes (default: ${default_probe_interval_cap}, or the probe interval when larger)."`
	AllowPrivate     bool          `name:"allow-private-targets" env:"HOOKRELAY_ALLOW_PRIVATE_TARGETS" help:"Let API-created endpoints reach addresses that are not globally routable: loopback, private, link-local, documentation, this host's own… (development only; true with --dev)."`
	// RequireVerification makes new endpoints prove ownership by default.
	RequireVerification bool          `name:"require-verification" env:"HOOKRELAY_REQUIRE_VERIFICATION" help:"Endpoints created through the API, the dashboard or the CLI without require_verification must answer a webhook.verification challenge before they receive anything else (WEBHOOK_URLS endpoints never do)."`
	Retention           time.Duration `name:"retention" env:"HOOKRELAY_RETENTION" default:"${default_retention}" help:"Finished deliveries older than this are deleted (0: keep them forever). It applies to the whole database, by whichever process maintains it: give every process the same value."`
	// TraceHeader sends the W3C trace context with each delivery request.
	TraceHeader bool `name:"trace-header" env:"HOOKRELAY_TRACE_HEADER" default:"true" negatable:"" help:"Send each delivery request with the traceparent and tracestate headers of its attempt, so that the receiver continues the publisher's trace (false: receivers see no trace IDs; attempts are traced all the same)."`
	EventTypes  `embed:""`
}

// EventTypes holds HOOKRELAY_REQUIRE_EVENT_TYPES, a setting of serve and of
// `hookrelay publish`.
type EventTypes struct {
	// RequireEventTypes refuses events of types missing from the catalog.
	RequireEventTypes bool `name:"require-event-types" env:"HOOKRELAY_REQUIRE_EVENT_TYPES" help:"Refuse to publish (422) an event whose type is not in the event-type catalog (/v1/event-types); webhook.ping and webhook.verification always pass. Catalog changes made by another process apply within 2s."`
}

// Retries holds WEBHOOK_MAX_RETRIES, a setting of serve and of `hookrelay
// publish`.
type Retries struct {
	MaxRetries int `name:"webhook-max-retries" env:"WEBHOOK_MAX_RETRIES" default:"${default_max_retries}" help:"Retries after the first attempt before a delivery fails, for endpoints that set none (0 to ${max_retries_limit})."`
}

// Timeout returns the attempt timeout as a duration. A TimeoutMS whose
// duration would overflow saturates at the longest time.Duration (Library
// refuses it: it is past hookrelay.MaxTimeout) instead of wrapping around.
func (d Delivery) Timeout() time.Duration {
	if d.TimeoutMS > math.MaxInt64/int(time.Millisecond) {
		return math.MaxInt64
	}
	return time.Duration(d.TimeoutMS) * time.Millisecond
}

// LeaseDuration returns the configured lease, or the library's default for
// the timeout (hookrelay.DefaultLease).
func (d Delivery) LeaseDuration() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return hookrelay.DefaultLease(d.Timeout())
}

// BackoffCeiling returns the backoff cap that serve runs with:
// HOOKRELAY_BACKOFF_CAP, or when it is unset (0) the library's default for
// the base, hookrelay.DefaultBackoffCap or the base when larger
// (hookrelay.Config.WithDefaults).
func (d Delivery) BackoffCeiling() time.Duration {
	return hookrelay.Config{BackoffBase: d.BackoffBase, BackoffCap: d.BackoffCap}.WithDefaults().BackoffCap
}

// Server holds the settings of the HTTP server.
type Server struct {
	Listen          string `name:"listen" env:"HOOKRELAY_LISTEN" default:"127.0.0.1:8080" help:"Address the HTTP API and the dashboard listen on; beyond loopback only with a token."`
	APIToken        string `name:"api-token" env:"HOOKRELAY_API_TOKEN" help:"Bearer token required by the API and the dashboard; without it the server only listens on loopback, and beyond loopback it needs at least 32 characters (openssl rand -base64 32)."`
	MaxPayloadBytes int64  `name:"max-payload-bytes" env:"HOOKRELAY_MAX_PAYLOAD_BYTES" default:"${default_max_payload_bytes}" help:"Largest accepted request body of the API, in bytes."`
	// RotationWindow is how long a rotated-out secret keeps signing requests.
	RotationWindow time.Duration `name:"secret-rotation-window" env:"HOOKRELAY_SECRET_ROTATION_WINDOW" default:"${default_rotation_window}" help:"How long the previous secret still signs requests after a rotation (0: not at all)."`
	Portal         `embed:""`
}

// Portal holds the settings of the customer portal (/portal/) and of the
// links POST /v1/portal-sessions gives out: serve's only, the library has
// no portal.
type Portal struct {
	PublicURL            string   `name:"public-url" env:"HOOKRELAY_PUBLIC_URL" help:"Base URL under which clients reach this server, scheme and host only (https://hooks.example.com; a port may follow, no path, query, fragment or credentials): portal links start with it, and https:// makes the portal's cookie Secure and SameSite=None behind a proxy that ends TLS. Unset: the request's own scheme and Host (X-Forwarded-* headers are never trusted)."`
	PortalFrameAncestors []string `name:"portal-frame-ancestors" env:"HOOKRELAY_PORTAL_FRAME_ANCESTORS" sep:"," help:"Comma-separated CSP frame-ancestors sources, each scheme://host[:port] (https://app.example.com, or https://*.example.com below a registrable domain) or 'self', allowed to embed the customer portal in a frame, besides this server itself; their origins may also send the portal's forms. Unset: no other site may embed it."`
	PortalTitle          string   `name:"portal-title" env:"HOOKRELAY_PORTAL_TITLE" help:"Title of the customer portal's header and pages (at most 100 characters, no control or bidirectional formatting characters; default Webhooks); a portal session's branding.title overrides it."`
	PortalColor          string   `name:"portal-color" env:"HOOKRELAY_PORTAL_COLOR" help:"Accent colour of the customer portal, #rgb or #rrggbb (default: the dashboard's blue); a portal session's branding.color overrides it."`
}

// Validate checks the portal settings: an http(s) public URL of a scheme
// and a host only (the pages use absolute paths from the root), frame-ancestors sources of
// service.ParsePortalFrameAncestor, the
// title and colour that a session's branding may have.
func (p Portal) Validate() error {
	var errs []error
	if _, _, err := p.PublicBase(); err != nil {
		errs = append(errs, err)
	}
	for _, src := range p.PortalFrameAncestors {
		if _, _, err := service.ParsePortalFrameAncestor(src); err != nil {
			errs = append(errs, fmt.Errorf("HOOKRELAY_PORTAL_FRAME_ANCESTORS: %w", err))
		}
	}
	if err := service.CheckPortalBranding(store.PortalBranding{Title: p.PortalTitle}); err != nil {
		errs = append(errs, fmt.Errorf("HOOKRELAY_PORTAL_TITLE: at most %d characters of text, without control or bidirectional formatting characters", service.MaxPortalTitle))
	}
	if p.PortalColor != "" && !service.ValidPortalColor(p.PortalColor) {
		errs = append(errs, fmt.Errorf("HOOKRELAY_PORTAL_COLOR: %q must be #rgb or #rrggbb", p.PortalColor))
	}
	return errors.Join(errs...)
}

// PublicBase returns HOOKRELAY_PUBLIC_URL normalised, as the API's links
// and the portal's cookie use it: scheme and host lower-cased, without a
// trailing "/" (e.g. "https://hooks.example.com:8443"), and whether its
// scheme is https (so the portal's cookie is Secure and SameSite=None);
// "" and false when unset. Only http:// or https:// and a host (a port may
// follow) and an empty path or "/" pass: a query, a fragment (even an empty
// one: a bare trailing "?" or "#" would put the link's token in them),
// another path or credentials are an error naming the variable.
func (p Portal) PublicBase() (base string, https bool, err error) {
	if p.PublicURL == "" {
		return "", false, nil
	}
	u, perr := url.Parse(p.PublicURL)
	if perr != nil || strings.ContainsAny(p.PublicURL, "?#") || u.Opaque != "" || u.User != nil || u.Hostname() == "" || strings.HasSuffix(u.Host, ":") ||
		(u.Path != "" && u.Path != "/") {
		return "", false, fmt.Errorf("HOOKRELAY_PUBLIC_URL: %q must be http:// or https:// and a host (a port may follow), without path, query, fragment or credentials: the pages are served at the root", p.PublicURL)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false, fmt.Errorf("HOOKRELAY_PUBLIC_URL: %q must be http:// or https://", p.PublicURL)
	}
	return scheme + "://" + strings.ToLower(u.Host), scheme == "https", nil
}

// Serve is every setting of `hookrelay serve`.
type Serve struct {
	Database `embed:""`
	Log      `embed:""`
	Delivery `embed:""`
	Server   `embed:""`
	// Dev turns development mode on; ApplyDev applies it.
	Dev bool `name:"dev" env:"HOOKRELAY_DEV" help:"Development mode: the settings marked with --dev take their development values unless set explicitly (flag, environment or settings file), and serve prints a banner with listen, webhooks add and events publish commands to paste. Not for production."`
}

// Settings that development mode (HOOKRELAY_DEV, --dev) gives those not set
// explicitly, so that a failed delivery is retried while the developer
// watches, in seconds rather than minutes.
const (
	DevLogFormat     = "text"
	DevBackoffBase   = time.Second
	DevBackoffCap    = 30 * time.Second
	DevRetryAfterCap = 30 * time.Second
)

// ApplyDev applies development mode when Dev is set, and does nothing
// otherwise: HOOKRELAY_ALLOW_PRIVATE_TARGETS becomes true, HOOKRELAY_LOG_FORMAT
// DevLogFormat, HOOKRELAY_BACKOFF_BASE DevBackoffBase, HOOKRELAY_BACKOFF_CAP
// DevBackoffCap and HOOKRELAY_RETRY_AFTER_CAP DevRetryAfterCap, each only
// when explicit, called with the setting's environment variable name,
// reports that it was not given (by flag, environment or configuration),
// so that an explicit setting always wins.
func (s *Serve) ApplyDev(explicit func(env string) bool) {
	if !s.Dev {
		return
	}
	if !explicit("HOOKRELAY_ALLOW_PRIVATE_TARGETS") {
		s.AllowPrivate = true
	}
	if !explicit("HOOKRELAY_LOG_FORMAT") {
		s.LogFormat = DevLogFormat
	}
	if !explicit("HOOKRELAY_BACKOFF_BASE") {
		s.BackoffBase = DevBackoffBase
	}
	if !explicit("HOOKRELAY_BACKOFF_CAP") && s.BackoffBase < DevBackoffCap {
		// A base of the user's own at or above the development cap keeps
		// serve's cap, so that the delays still double.
		s.BackoffCap = DevBackoffCap
	}
	if !explicit("HOOKRELAY_RETRY_AFTER_CAP") {
		s.RetryAfterCap = DevRetryAfterCap
	}
}

// MinPublicTokenLength is the shortest HOOKRELAY_API_TOKEN accepted when the
// server listens beyond loopback: 32 characters, as 24 random bytes in
// base64 take.
const MinPublicTokenLength = 32

// Validate checks every setting and returns one error per problem, each
// naming its setting: those of serve alone here, those of the library
// through Library and hookrelay.Config.Validate.
func (s Serve) Validate() error {
	return errors.Join(s.Database.validateURL(), s.Delivery.validateURLs(), s.Server.Validate(), s.validateLibrary())
}

// validateLibrary checks the settings that are the library's: serve's own
// reading of 0 and of negatives (Library), then hookrelay.Config.Validate,
// each error named by its environment variable.
func (s Serve) validateLibrary() error {
	lib, refused := s.Library()
	errs := []error{EnvError(refused)}
	if err, ok := lib.Validate().(interface{ Unwrap() []error }); ok {
		for _, e := range err.Unwrap() {
			// A value serve refused already has its error.
			if ce := (*hookrelay.ConfigError)(nil); !errors.As(e, &ce) || !refusedField(refused, ce.Field) {
				errs = append(errs, EnvError(e))
			}
		}
	}
	return errors.Join(errs...)
}

// Validate checks the database settings, for the commands that take them
// without the rest of serve's (migrate, publish).
func (d Database) Validate() error {
	return errors.Join(d.validateURL(), EnvError(hookrelay.Config{EncryptionKey: d.EncryptionKey}.Validate()))
}

// validateURL checks DATABASE_URL, which serve alone has.
func (d Database) validateURL() error {
	if strings.TrimSpace(d.DatabaseURL) == "" {
		return errors.New("DATABASE_URL: must not be empty")
	}
	return nil
}

// Validate checks the delivery settings, for the commands that take them
// without the rest of serve's (bench).
func (d Delivery) Validate() error {
	return errors.Join(d.validateURLs(), Serve{Delivery: d}.validateLibrary())
}

// validateURLs checks WEBHOOK_URLS and WEBHOOK_SECRET, which serve alone has.
func (d Delivery) validateURLs() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for i, raw := range d.EndpointURLs {
		raw = strings.TrimSpace(raw)
		if err := service.ValidateTargetURL(raw); err != nil {
			if errors.Is(err, service.ErrNotURL) {
				err = service.ErrNotURL // the parser's detail may quote a password
			}
			add("WEBHOOK_URLS: entry %d %s: %v", i+1, printableTarget(raw), err)
		}
	}
	if len(d.EndpointURLs) > 0 && d.EndpointSecret == "" {
		add("WEBHOOK_SECRET: required when WEBHOOK_URLS is set")
	}
	if err := store.CheckText(d.EndpointSecret); err != nil {
		add("WEBHOOK_SECRET: %v", err)
	}
	if d.SignatureProfile == store.ProfileStandard {
		// Ackify keys its HMAC with the secret's raw bytes: any string goes.
		key, err := signature.Key(d.EndpointSecret)
		switch {
		case d.EndpointSecret == "":
		case err != nil:
			add("WEBHOOK_SECRET: %v (an Ackify secret is used as raw bytes only with HOOKRELAY_SIGNATURE_PROFILE=ackify)", err)
		case len(key) < service.MinSecretBytes:
			add("WEBHOOK_SECRET: too short: a signing secret needs at least %d bytes of key, as the API requires "+
				"(%d bytes of UTF-8, or whsec_ and the base64 of %d bytes); make one with: "+
				"echo whsec_$(openssl rand -base64 24); an Ackify CE secret is accepted as it is with HOOKRELAY_SIGNATURE_PROFILE=ackify",
				service.MinSecretBytes, service.MinSecretBytes, service.MinSecretBytes)
		}
	}
	return errors.Join(errs...)
}

// Validate checks the server settings.
func (s Server) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		errs = append(errs, fmt.Errorf("HOOKRELAY_LISTEN: %q is not host:port: %v", s.Listen, err))
	} else if s.APIToken == "" && !IsLoopbackListen(s.Listen) {
		errs = append(errs, fmt.Errorf("HOOKRELAY_LISTEN: %q is not a loopback address; set HOOKRELAY_API_TOKEN to serve the API beyond this machine", s.Listen))
	} else if !IsLoopbackListen(s.Listen) && len(s.APIToken) < MinPublicTokenLength {
		errs = append(errs, fmt.Errorf("HOOKRELAY_API_TOKEN: too short to serve beyond loopback (HOOKRELAY_LISTEN %q): "+
			"use at least %d random characters, for example: openssl rand -base64 32", s.Listen, MinPublicTokenLength))
	}
	if s.MaxPayloadBytes <= 0 {
		errs = append(errs, fmt.Errorf("HOOKRELAY_MAX_PAYLOAD_BYTES: must be positive, got %d", s.MaxPayloadBytes))
	}
	errs = append(errs, s.Portal.Validate())
	return errors.Join(errs...)
}

// IsLoopbackListen reports whether a host:port listen address binds loopback only.
func IsLoopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// printableTarget is how an invalid WEBHOOK_URLS entry is shown: quoted,
// with any credentials replaced by "xxxxx", when it parses as a URL with a
// host; otherwise not at all, since there is no telling which part of it is
// a password (a "/" or "#" in one, a missing "//", a comma that split the
// entry).
func printableTarget(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(not shown: it does not parse as a URL with a host, and may hold a password)"
	}
	if u.User != nil {
		u.User = url.User("xxxxx")
	}
	return fmt.Sprintf("%q", u.String())
}
