package hookrelay

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
)

// The defaults of Config: what a zero field means. `hookrelay serve` has the
// same defaults, as its flags take them from these constants.
const (
	DefaultTimeout                = 10 * time.Second
	DefaultMaxRetries             = 6
	DefaultBackoffBase            = time.Minute
	DefaultBackoffCap             = time.Hour
	DefaultRetryAfterCap          = time.Hour
	DefaultConcurrency            = 64
	DefaultEndpointConcurrency    = 16
	DefaultConcurrencyMode        = AdaptiveConcurrency
	DefaultBatchSize              = 100
	DefaultPollInterval           = time.Second
	DefaultShutdownTimeout        = 30 * time.Second
	DefaultDisableAfterFailures   = 100
	DefaultDisableAfterFailingFor = 72 * time.Hour
	DefaultRecoveryWindow         = 72 * time.Hour
	DefaultProbeInterval          = time.Minute
	DefaultProbeIntervalCap       = time.Hour
	DefaultRetention              = 30 * 24 * time.Hour
	DefaultRotationWindow         = service.DefaultRotationWindow
	DefaultSignatureProfile       = ProfileStandard
)

// The upper bounds of Config's counts and of its timeout, which Validate
// enforces: beyond them a setting is a mistake (a unit taken for another, a
// number typed twice), and it would exhaust the process or overflow before
// it did any good.
const (
	// MaxConcurrency bounds Config.Concurrency and
	// Config.EndpointConcurrency: each slot is a goroutine and an HTTP
	// connection, and 10,000 open connections is past what a process's file
	// descriptors (often 1,024 to 65,536) and a receiver usually allow.
	MaxConcurrency = 10_000
	// MaxBatchSize bounds Config.BatchSize: the rows of one claim, which
	// one statement locks and returns at once; past 10,000 a claim holds
	// its locks for long and its rows outnumber the slots that could send
	// them.
	MaxBatchSize = 10_000
	// MaxTimeout bounds Config.Timeout: one attempt of an hour is already
	// far past what a webhook receiver takes, and the lease derived from it
	// (DefaultLease) stays a few hours.
	MaxTimeout = time.Hour
)

// The values that turn a setting off. A zero field of Config always means
// its default, so "off" is spelled with one of these (all -1, untyped, so
// that they fit both counts and durations).
const (
	// NoRetries makes Config.MaxRetries allow no retry: one attempt only.
	NoRetries = -1
	// Never turns off a rule that disables failing endpoints
	// (Config.DisableAfterFailures, Config.DisableAfterFailingFor), and the
	// probing of the endpoints they disabled (Config.ProbeInterval).
	Never = -1
	// NoRecovery turns automatic recovery off (Config.RecoveryWindow).
	NoRecovery = -1
	// Forever keeps finished deliveries forever (Config.Retention).
	Forever = -1
	// NoWait makes Config.ShutdownTimeout cut requests in flight at once,
	// and Config.RotationWindow stop the previous secret at once.
	NoWait = -1
)

// ConcurrencyMode says how the in-flight limit of each endpoint is set
// (Config.ConcurrencyMode).
type ConcurrencyMode string

// The concurrency modes. FixedConcurrency is the one that turns adaptive
// limits off.
const (
	// AdaptiveConcurrency gives each endpoint a limit that adapts between 1
	// and Config.EndpointConcurrency: it starts at 4, grows while the
	// endpoint answers 2xx at a steady latency, and halves on timeouts,
	// network failures, 429, 502, 503, 504 and latency jumps (the README's
	// "How slots are shared" gives the rule).
	AdaptiveConcurrency ConcurrencyMode = "adaptive"
	// FixedConcurrency lets every endpoint have Config.EndpointConcurrency
	// requests in flight at once, whatever it answers.
	FixedConcurrency ConcurrencyMode = "fixed"
)

// TraceHeader says whether delivery requests carry the W3C trace context
// of their attempt (Config.TraceHeader).
type TraceHeader int

// The trace header settings. OmitTraceHeader is the one that turns the
// header off.
const (
	// SendTraceHeader (the zero value, the default) sends the traceparent
	// and tracestate headers of each attempt's span, or of the publisher's
	// stored trace context when tracing is off, so that the receiver can
	// continue the publisher's trace.
	SendTraceHeader TraceHeader = 0
	// OmitTraceHeader sends neither header, for receivers that must not
	// see the publisher's trace IDs. Attempts are traced all the same.
	OmitTraceHeader TraceHeader = -1
)

// DefaultLease is the lease of a claimed delivery when Config.Lease is zero,
// for an attempt timeout of timeout: 3 × timeout + 30s, long enough for a
// request and its wait behind the endpoint's concurrency cap. It saturates
// at the longest time.Duration instead of overflowing for a huge timeout.
func DefaultLease(timeout time.Duration) time.Duration {
	const most = time.Duration(math.MaxInt64)
	if timeout > (most-30*time.Second)/3 {
		return most
	}
	return 3*timeout + 30*time.Second
}

// Config holds every setting of a Client. A zero field takes its default
// (the Default… constants); a setting that can be turned off says so with
// an explicit constant (NoRetries, Never, NoRecovery, Forever, NoWait), never with zero.
// Each setting is also a setting of `hookrelay serve`, named in brackets.
type Config struct {
	// Timeout bounds one whole delivery attempt (WEBHOOK_TIMEOUT_MS).
	// Defaults to DefaultTimeout; at least 1ms, at most MaxTimeout.
	Timeout time.Duration
	// MaxRetries is the retries after the first attempt of the deliveries
	// this client publishes, for endpoints that set none
	// (WEBHOOK_MAX_RETRIES). Defaults to DefaultMaxRetries; at most
	// MaxRetriesLimit; NoRetries allows none.
	MaxRetries int
	// BackoffBase is the delay before the first retry, which doubles on each
	// retry up to BackoffCap (HOOKRELAY_BACKOFF_BASE, HOOKRELAY_BACKOFF_CAP).
	// Default to DefaultBackoffBase and DefaultBackoffCap; BackoffCap is at
	// least BackoffBase.
	BackoffBase, BackoffCap time.Duration
	// RetryAfterCap is the longest delay an endpoint's Retry-After answer may
	// ask for (HOOKRELAY_RETRY_AFTER_CAP). Defaults to DefaultRetryAfterCap;
	// positive.
	RetryAfterCap time.Duration
	// Concurrency is the most requests in flight at once, over all endpoints
	// (HOOKRELAY_CONCURRENCY). Defaults to DefaultConcurrency; at most
	// MaxConcurrency.
	Concurrency int
	// EndpointConcurrency is the most requests in flight at once to one
	// endpoint, the ceiling of its adaptive limit
	// (HOOKRELAY_ENDPOINT_CONCURRENCY). Defaults to DefaultEndpointConcurrency;
	// at most MaxConcurrency.
	EndpointConcurrency int
	// ConcurrencyMode says whether each endpoint's limit adapts to how it
	// answers, AdaptiveConcurrency, or stays at EndpointConcurrency,
	// FixedConcurrency (HOOKRELAY_ADAPTIVE_CONCURRENCY=true or false).
	// Defaults to DefaultConcurrencyMode.
	ConcurrencyMode ConcurrencyMode
	// BatchSize is the most deliveries one claim takes (HOOKRELAY_BATCH_SIZE).
	// Defaults to DefaultBatchSize; at most MaxBatchSize.
	BatchSize int
	// PollInterval is how often idle workers look for due retries
	// (HOOKRELAY_POLL_INTERVAL); on SQLite it is also how soon workers see
	// events published in the application's transactions. Defaults to
	// DefaultPollInterval; at least 1ms.
	PollInterval time.Duration
	// Lease is how long a claimed delivery stays with its worker before
	// another may take it (HOOKRELAY_LEASE). Defaults to
	// DefaultLease(Timeout); longer than Timeout.
	Lease time.Duration
	// ShutdownTimeout is how long Stop waits for requests in flight
	// (HOOKRELAY_SHUTDOWN_TIMEOUT). Defaults to DefaultShutdownTimeout;
	// NoWait cuts them at once.
	ShutdownTimeout time.Duration
	// DisableAfterFailures disables an endpoint after this many consecutive
	// failed attempts (HOOKRELAY_DISABLE_AFTER_FAILURES). Defaults to
	// DefaultDisableAfterFailures; Never turns the rule off.
	DisableAfterFailures int
	// DisableAfterFailingFor disables an endpoint that has failed without a
	// success for this long (HOOKRELAY_DISABLE_AFTER_FAILING_FOR). Defaults
	// to DefaultDisableAfterFailingFor; Never turns the rule off.
	DisableAfterFailingFor time.Duration
	// RecoveryWindow turns on automatic recovery: when an endpoint answers
	// 2xx again after failures, its deliveries that failed for good during
	// the outage at most this long ago are queued again, once each (the
	// README's "Automatic recovery" gives the rules)
	// (HOOKRELAY_RECOVERY_WINDOW). Defaults to DefaultRecoveryWindow;
	// NoRecovery turns it off.
	RecoveryWindow time.Duration
	// ProbeInterval is the wait before the first probe (a signed
	// webhook.ping) of an endpoint that the health rules disabled; it
	// doubles after each failed probe up to ProbeIntervalCap, and the first
	// 2xx re-enables the endpoint (HOOKRELAY_PROBE_INTERVAL,
	// HOOKRELAY_PROBE_INTERVAL_CAP). Defaults to DefaultProbeInterval and
	// DefaultProbeIntervalCap (or ProbeInterval when larger); Never leaves
	// such endpoints disabled, unprobed. One process per database probes
	// (the maintainer).
	ProbeInterval time.Duration
	// ProbeIntervalCap is the longest wait between two probes
	// (HOOKRELAY_PROBE_INTERVAL_CAP); see ProbeInterval.
	ProbeIntervalCap time.Duration
	// Retention is how long finished deliveries are kept before they are
	// deleted (HOOKRELAY_RETENTION). Defaults to DefaultRetention; Forever
	// keeps them. It applies to the whole database, by whichever process
	// maintains it (one at a time): give every process the same value.
	Retention time.Duration
	// RotationWindow is how long the previous secret still signs requests
	// after a rotation (HOOKRELAY_SECRET_ROTATION_WINDOW). Defaults to
	// DefaultRotationWindow; NoWait stops it at once.
	RotationWindow time.Duration
	// SignatureProfile is the profile of endpoints that name none:
	// ProfileStandard or ProfileAckify (HOOKRELAY_SIGNATURE_PROFILE).
	// Endpoints created without a profile get it, and rows that another
	// program inserted without one (Ackify CE's own webhooks) are signed
	// with it. Defaults to DefaultSignatureProfile.
	SignatureProfile string
	// AllowPrivateTargets lets endpoints reach addresses that are not
	// globally routable (loopback, private, link-local, documentation, this
	// host's own…), both when they are created and when they are called
	// (HOOKRELAY_ALLOW_PRIVATE_TARGETS; for development and tests).
	AllowPrivateTargets bool
	// RequireVerification makes endpoints created without an explicit
	// choice (CreateEndpoint's RequireVerification nil, the API's
	// require_verification absent) prove ownership before they receive
	// anything else: they start unverified and are sent a webhook.verification
	// challenge (HOOKRELAY_REQUIRE_VERIFICATION). Endpoints of WEBHOOK_URLS
	// and of earlier releases are verified whatever it says. Defaults to
	// false.
	RequireVerification bool
	// RequireEventTypes refuses to publish an event whose type is not in
	// the event-type catalog (HOOKRELAY_REQUIRE_EVENT_TYPES), at every door:
	// Publish, PublishNow, PublishMany, the API, the CLI and the dashboard.
	// hookrelay's own types (webhook.ping, webhook.verification) are never
	// refused. Defaults to false: any type publishes, and only catalogued
	// types with a schema have their data checked.
	RequireEventTypes bool

	// TraceHeader says whether delivery requests carry the traceparent and
	// tracestate headers of their attempt (HOOKRELAY_TRACE_HEADER).
	// Defaults to SendTraceHeader; OmitTraceHeader leaves them out. The
	// README's "Tracing (OpenTelemetry)" tells what is traced.
	TraceHeader TraceHeader
	// EncryptionKey, when set, keeps endpoint secrets and custom header
	// values encrypted at rest with AES-256-GCM: 32 bytes written as 64 hex
	// digits or base64 (HOOKRELAY_ENCRYPTION_KEY). Give it the same key as
	// `hookrelay serve` when both share the database.
	EncryptionKey string
	// HTTPClient, when set, sends deliveries instead of hookrelay's own
	// keep-alive clients; the attempt timeout still applies. hookrelay's
	// clients follow no redirects and, unless AllowPrivateTargets, refuse
	// addresses that are not globally routable when they connect; with
	// HTTPClient, that is HTTPClient's business.
	HTTPClient *http.Client
	// Logger receives the workers' logs (one line per attempt, with
	// event_id, delivery_id, webhook_id and attempt). Defaults to
	// slog.Default(); slog.New(slog.DiscardHandler) drops them.
	Logger *slog.Logger
	// Metrics, when set, gets hookrelay's Prometheus collectors (attempts,
	// durations, latency, requests in flight, endpoints disabled, queue
	// depth, each endpoint's in-flight limit), which the workers feed. Nil records none. One client per
	// registerer: a second one's collectors would have the same names.
	Metrics prometheus.Registerer
	// TracerProvider makes the spans of publishes, delivery attempts,
	// claims and outcome writes. Defaults to the application's global one
	// (otel.GetTracerProvider(), which may be set before or after the
	// client is made); while none is set, no span is recorded. The trace
	// context of Publish's ctx is stored with the event whatever the
	// provider, so that attempts continue the publisher's trace.
	TracerProvider trace.TracerProvider
	// SkipMigrate makes the client check that hookrelay's tables are up to
	// date instead of migrating them, for applications that run `hookrelay
	// migrate` themselves.
	SkipMigrate bool
}

// WithDefaults returns c with every zero setting replaced by its default,
// and the lease derived from the timeout. The constants that turn settings
// off are kept as they are.
func (c Config) WithDefaults() Config {
	orDefault(&c.Timeout, DefaultTimeout)
	orDefault(&c.MaxRetries, DefaultMaxRetries)
	orDefault(&c.BackoffBase, DefaultBackoffBase)
	orDefault(&c.BackoffCap, max(DefaultBackoffCap, c.BackoffBase))
	orDefault(&c.RetryAfterCap, DefaultRetryAfterCap)
	orDefault(&c.Concurrency, DefaultConcurrency)
	orDefault(&c.EndpointConcurrency, DefaultEndpointConcurrency)
	orDefault(&c.ConcurrencyMode, DefaultConcurrencyMode)
	orDefault(&c.BatchSize, DefaultBatchSize)
	orDefault(&c.PollInterval, DefaultPollInterval)
	orDefault(&c.Lease, DefaultLease(c.Timeout))
	orDefault(&c.ShutdownTimeout, DefaultShutdownTimeout)
	orDefault(&c.DisableAfterFailures, DefaultDisableAfterFailures)
	orDefault(&c.DisableAfterFailingFor, DefaultDisableAfterFailingFor)
	orDefault(&c.RecoveryWindow, DefaultRecoveryWindow)
	orDefault(&c.ProbeInterval, DefaultProbeInterval)
	orDefault(&c.ProbeIntervalCap, max(DefaultProbeIntervalCap, c.ProbeInterval))
	orDefault(&c.Retention, DefaultRetention)
	orDefault(&c.RotationWindow, DefaultRotationWindow)
	orDefault(&c.SignatureProfile, DefaultSignatureProfile)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// orDefault sets *v to def when it is zero.
func orDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// ConfigError is one setting of a Config that Validate refuses. Validate
// joins several (errors.Join); find them with errors.As.
type ConfigError struct {
	// Field is the name of the Config field, such as "Timeout".
	Field string
	// Message says what is wrong, without the field's name.
	Message string
}

// Error returns "Field: Message".
func (e *ConfigError) Error() string { return e.Field + ": " + e.Message }

// Is makes every ConfigError match ErrInvalid.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalid }

// Validate checks every setting of c as given (a zero is a default, and
// fine) and returns one *ConfigError per setting it refuses, joined, or nil.
func (c Config) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	d := c.WithDefaults()
	atLeast := func(field string, v, least time.Duration) {
		if v < least {
			add(field, "must be at least %s, got %s", least, v)
		}
	}
	positive := func(field string, v, most int) {
		if v < 0 {
			add(field, "must be positive, got %d", v)
		} else if v > most {
			add(field, "must be at most %d, got %d", most, v)
		}
	}
	// off checks a setting that is positive, or the constant named off.
	off := func(field, name string, v, offValue int64, show string) {
		if v < 0 && v != offValue {
			add(field, "must be positive, or %s to turn it off, got %s", name, show)
		}
	}
	atLeast("Timeout", d.Timeout, time.Millisecond)
	if d.Timeout > MaxTimeout {
		add("Timeout", "must be at most %s, got %s", MaxTimeout, d.Timeout)
	}
	if c.MaxRetries < 0 && c.MaxRetries != NoRetries {
		add("MaxRetries", "must be positive, or NoRetries for none, got %d", c.MaxRetries)
	} else if c.MaxRetries > store.MaxRetriesLimit {
		add("MaxRetries", "must be at most %d, got %d", store.MaxRetriesLimit, c.MaxRetries)
	}
	if d.BackoffBase <= 0 {
		add("BackoffBase", "must be positive, got %s", c.BackoffBase)
	} else if d.BackoffCap < d.BackoffBase {
		add("BackoffCap", "must be at least the backoff base (%s), got %s", d.BackoffBase, d.BackoffCap)
	}
	if c.RetryAfterCap < 0 {
		add("RetryAfterCap", "must be positive, got %s", c.RetryAfterCap)
	}
	positive("Concurrency", c.Concurrency, MaxConcurrency)
	positive("EndpointConcurrency", c.EndpointConcurrency, MaxConcurrency)
	if d.ConcurrencyMode != AdaptiveConcurrency && d.ConcurrencyMode != FixedConcurrency {
		add("ConcurrencyMode", "must be %q or %q, got %q", AdaptiveConcurrency, FixedConcurrency, c.ConcurrencyMode)
	}
	positive("BatchSize", c.BatchSize, MaxBatchSize)
	atLeast("PollInterval", d.PollInterval, time.Millisecond)
	if c.Lease < 0 {
		add("Lease", "must be positive, got %s", c.Lease)
	} else if d.Lease <= d.Timeout && d.Timeout <= MaxTimeout {
		add("Lease", "must be longer than the timeout (%s), got %s", d.Timeout, d.Lease)
	}
	off("ShutdownTimeout", "NoWait", int64(c.ShutdownTimeout), NoWait, c.ShutdownTimeout.String())
	off("DisableAfterFailures", "Never", int64(c.DisableAfterFailures), Never, fmt.Sprint(c.DisableAfterFailures))
	off("DisableAfterFailingFor", "Never", int64(c.DisableAfterFailingFor), Never, c.DisableAfterFailingFor.String())
	off("RecoveryWindow", "NoRecovery", int64(c.RecoveryWindow), NoRecovery, c.RecoveryWindow.String())
	off("ProbeInterval", "Never", int64(c.ProbeInterval), Never, c.ProbeInterval.String())
	if c.ProbeIntervalCap < 0 {
		add("ProbeIntervalCap", "must be positive, got %s", c.ProbeIntervalCap)
	} else if d.ProbeInterval > 0 && d.ProbeIntervalCap < d.ProbeInterval {
		add("ProbeIntervalCap", "must be at least the probe interval (%s), got %s", d.ProbeInterval, d.ProbeIntervalCap)
	}
	off("Retention", "Forever", int64(c.Retention), Forever, c.Retention.String())
	off("RotationWindow", "NoWait", int64(c.RotationWindow), NoWait, c.RotationWindow.String())
	if d.SignatureProfile != ProfileStandard && d.SignatureProfile != ProfileAckify {
		add("SignatureProfile", "must be %q or %q, got %q", ProfileStandard, ProfileAckify, c.SignatureProfile)
	}
	if c.TraceHeader != SendTraceHeader && c.TraceHeader != OmitTraceHeader {
		add("TraceHeader", "must be SendTraceHeader or OmitTraceHeader, got %d", c.TraceHeader)
	}
	if c.EncryptionKey != "" {
		if _, err := encrypted.ParseKey(c.EncryptionKey); err != nil {
			add("EncryptionKey", "%v", err)
		}
	}
	return errors.Join(errs...)
}

// offToZero is v, or 0 when v is the constant that turns its setting off:
// the internal packages read 0 as "off".
func offToZero[T ~int | ~int64](v T) T {
	if v < 0 {
		return 0
	}
	return v
}
