package hookrelay

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
)

// Option tunes a Client. Every option mirrors a setting of `hookrelay serve`
// and has the same default, so that an application and the service that
// share a database behave alike.
type Option func(*settings) error

// settings is what the options set.
type settings struct {
	timeout      time.Duration
	maxRetries   int
	worker       delivery.Options
	retention    time.Duration // of the maintainer; 0 keeps forever
	allowPrivate bool
	httpClient   *http.Client
	key          []byte
	migrate      bool
	profile      string
}

// defaults are the settings of `hookrelay serve` when none is given.
func defaults() settings {
	w := delivery.Defaults()
	w.Health = store.HealthPolicy{DisableAfterFailures: 100, DisableAfterFailingFor: 72 * time.Hour}
	w.Logger = slog.Default()
	return settings{timeout: 10 * time.Second, maxRetries: 6, worker: w, retention: 30 * 24 * time.Hour, migrate: true, profile: ProfileStandard}
}

// newSettings applies opts over the defaults.
func newSettings(opts []Option) (settings, error) {
	s := defaults()
	for _, opt := range opts {
		if err := opt(&s); err != nil {
			return settings{}, fmt.Errorf("hookrelay: %w", err)
		}
	}
	// A lease outlasts a request and its wait behind the endpoint's cap, as in serve.
	s.worker.Lease = config.Delivery{TimeoutMS: int(s.timeout.Milliseconds())}.LeaseDuration()
	return s, nil
}

// duration returns the option called name, which calls set when d is at
// least least and fails otherwise.
func duration(name string, d, least time.Duration, set func(*settings)) Option {
	return func(s *settings) error {
		if d < least {
			return fmt.Errorf("%s: must be at least %s, got %s", name, least, d)
		}
		set(s)
		return nil
	}
}

// WithTimeout bounds one whole delivery attempt (WEBHOOK_TIMEOUT_MS; default 10s).
func WithTimeout(d time.Duration) Option {
	return duration("WithTimeout", d, time.Millisecond, func(s *settings) { s.timeout = d })
}

// WithMaxRetries sets the retries after the first attempt of the deliveries
// this client publishes, for endpoints that set none (WEBHOOK_MAX_RETRIES;
// default 6; 0 to 35, see store.MaxRetriesLimit).
func WithMaxRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 || n > store.MaxRetriesLimit {
			return fmt.Errorf("WithMaxRetries: must be between 0 and %d, got %d", store.MaxRetriesLimit, n)
		}
		s.maxRetries = n
		return nil
	}
}

// WithBackoff sets the delay before the first retry, which doubles on each
// retry, and the longest delay (HOOKRELAY_BACKOFF_BASE and
// HOOKRELAY_BACKOFF_CAP; default 1m and 1h).
func WithBackoff(base, ceiling time.Duration) Option {
	return func(s *settings) error {
		if base <= 0 || ceiling < base {
			return fmt.Errorf("WithBackoff: want 0 < base <= ceiling, got %s and %s", base, ceiling)
		}
		s.worker.Retry.Base, s.worker.Retry.Cap = base, ceiling
		return nil
	}
}

// WithRetryAfterCap sets the longest delay an endpoint's Retry-After answer
// may ask for (HOOKRELAY_RETRY_AFTER_CAP; default 1h).
func WithRetryAfterCap(d time.Duration) Option {
	return duration("WithRetryAfterCap", d, 0, func(s *settings) { s.worker.Retry.RetryAfterCap = d })
}

// WithConcurrency sets the most requests in flight at once, over all
// endpoints and to one endpoint (HOOKRELAY_CONCURRENCY and
// HOOKRELAY_ENDPOINT_CONCURRENCY; default 64 and 16).
func WithConcurrency(total, perEndpoint int) Option {
	return func(s *settings) error {
		if total <= 0 || perEndpoint <= 0 {
			return fmt.Errorf("WithConcurrency: both must be positive, got %d and %d", total, perEndpoint)
		}
		s.worker.Concurrency, s.worker.EndpointInFlight = total, perEndpoint
		return nil
	}
}

// WithPollInterval sets how often idle workers look for due retries
// (HOOKRELAY_POLL_INTERVAL; default 1s). On SQLite it is also how soon
// workers see events published in the application's transactions.
func WithPollInterval(d time.Duration) Option {
	return duration("WithPollInterval", d, time.Millisecond, func(s *settings) { s.worker.PollInterval = d })
}

// WithShutdownTimeout sets how long Stop waits for requests in flight
// (HOOKRELAY_SHUTDOWN_TIMEOUT; default 30s).
func WithShutdownTimeout(d time.Duration) Option {
	return duration("WithShutdownTimeout", d, 0, func(s *settings) { s.worker.ShutdownTimeout = d })
}

// WithDisableAfter disables an endpoint after failures consecutive failed
// attempts, or after failing for failingFor without a success; 0 turns a rule
// off (HOOKRELAY_DISABLE_AFTER_FAILURES and
// HOOKRELAY_DISABLE_AFTER_FAILING_FOR; default 100 and 72h).
func WithDisableAfter(failures int, failingFor time.Duration) Option {
	return func(s *settings) error {
		if failures < 0 || failingFor < 0 {
			return fmt.Errorf("WithDisableAfter: must not be negative, got %d and %s", failures, failingFor)
		}
		s.worker.Health = store.HealthPolicy{DisableAfterFailures: failures, DisableAfterFailingFor: failingFor}
		return nil
	}
}

// WithRetention makes the workers delete finished deliveries older than d;
// 0 keeps them (HOOKRELAY_RETENTION; default 720h).
func WithRetention(d time.Duration) Option {
	return duration("WithRetention", d, 0, func(s *settings) { s.retention = d })
}

// WithLogger sends the workers' logs (one line per attempt, with event_id,
// delivery_id, webhook_id and attempt) to logger; default slog.Default().
func WithLogger(logger *slog.Logger) Option {
	return func(s *settings) error {
		if logger == nil {
			return fmt.Errorf("WithLogger: nil logger; use slog.New(slog.DiscardHandler) to drop logs")
		}
		s.worker.Logger = logger
		return nil
	}
}

// WithHTTPClient sends deliveries with client instead of hookrelay's own
// keep-alive clients. The attempt timeout still applies. hookrelay's clients
// follow no redirects and, unless WithAllowPrivateTargets, refuse addresses
// that are not globally routable when they connect; with client, that is client's business.
func WithHTTPClient(client *http.Client) Option {
	return func(s *settings) error {
		if client == nil {
			return fmt.Errorf("WithHTTPClient: nil client")
		}
		s.httpClient = client
		return nil
	}
}

// WithAllowPrivateTargets lets endpoints reach addresses that are not
// globally routable (loopback, private, link-local, documentation and the
// other special-purpose blocks, and this host's own addresses), both when
// they are created and when they are called (HOOKRELAY_ALLOW_PRIVATE_TARGETS;
// for development and tests).
func WithAllowPrivateTargets() Option {
	return func(s *settings) error {
		s.allowPrivate = true
		return nil
	}
}

// WithEncryptionKey keeps endpoint secrets and custom header values encrypted
// at rest with AES-256-GCM
// under key, 32 bytes written as 64 hex digits or base64
// (HOOKRELAY_ENCRYPTION_KEY). Give it the same key as `hookrelay serve` when
// both share the database.
func WithEncryptionKey(key string) Option {
	return func(s *settings) error {
		k, err := encrypted.ParseKey(key)
		if err != nil {
			return fmt.Errorf("WithEncryptionKey: %w", err)
		}
		s.key = k
		return nil
	}
}

// WithSignatureProfile sets the signature profile of endpoints that name
// none: ProfileStandard or ProfileAckify (HOOKRELAY_SIGNATURE_PROFILE; default
// ProfileStandard). Endpoints created without a profile get it, and rows that
// another program inserted without one (Ackify CE's own webhooks, when
// hookrelay replaces Ackify's webhook worker) are signed with it.
func WithSignatureProfile(profile string) Option {
	return func(s *settings) error {
		if err := service.ValidateProfile(profile); err != nil {
			return fmt.Errorf("WithSignatureProfile: %w", err)
		}
		s.profile = profile
		return nil
	}
}

// WithoutMigrate makes New check that hookrelay's tables are up to date
// instead of migrating them, for applications that run `hookrelay migrate`
// themselves.
func WithoutMigrate() Option {
	return func(s *settings) error {
		s.migrate = false
		return nil
	}
}
