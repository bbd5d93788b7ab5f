package hookrelay

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
)

// Option tunes a Client: each sets fields of its Config (see Config for
// the settings, their defaults and their `hookrelay serve` names) and
// refuses a bad value at once, with an error naming the option. Options
// apply in order, over WithConfig's Config when it comes first.
type Option func(*Config) error

// WithConfig sets every setting at once, replacing what earlier options set;
// later options change it further. Its zero fields take their defaults.
func WithConfig(cfg Config) Option {
	return func(c *Config) error {
		*c = cfg
		return nil
	}
}

// newConfig applies opts over the zero Config, then checks it
// (Config.Validate) and fills in its defaults.
func newConfig(opts []Option) (Config, error) {
	var c Config
	for _, opt := range opts {
		if err := opt(&c); err != nil {
			return Config{}, fmt.Errorf("hookrelay: %w", err)
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("hookrelay: config: %w", err)
	}
	return c.WithDefaults(), nil
}

// duration returns the option called name, which calls set when d is at
// least least and fails otherwise.
func duration(name string, d, least time.Duration, set func(*Config)) Option {
	return func(c *Config) error {
		if d < least {
			return fmt.Errorf("%s: must be at least %s, got %s", name, least, d)
		}
		set(c)
		return nil
	}
}

// orOff is v, or off (the constant that turns its setting off) when v is 0
// or off itself: the options take 0 for "off", as `hookrelay serve`'s
// settings do, and the off constant, as Config does. ok is false for any
// other negative v.
func orOff[T ~int | ~int64](v, off T) (_ T, ok bool) {
	switch {
	case v == 0 || v == off:
		return off, true
	case v < 0:
		return v, false
	}
	return v, true
}

// WithTimeout sets Config.Timeout, which bounds one whole delivery attempt;
// the lease follows it.
func WithTimeout(d time.Duration) Option {
	return duration("WithTimeout", d, time.Millisecond, func(c *Config) { c.Timeout = d })
}

// WithMaxRetries sets Config.MaxRetries, the retries after the first attempt
// of the deliveries this client publishes for endpoints that set none: 0 or
// NoRetries (no retry) to MaxRetriesLimit.
func WithMaxRetries(n int) Option {
	return func(c *Config) error {
		retries, ok := orOff(n, NoRetries)
		if !ok || n > MaxRetriesLimit {
			return fmt.Errorf("WithMaxRetries: must be between 0 (or NoRetries) and %d, got %d", MaxRetriesLimit, n)
		}
		c.MaxRetries = retries
		return nil
	}
}

// WithBackoff sets Config.BackoffBase, the delay before the first retry,
// which doubles on each retry, and Config.BackoffCap, the longest delay.
func WithBackoff(base, ceiling time.Duration) Option {
	return func(c *Config) error {
		if base <= 0 || ceiling < base {
			return fmt.Errorf("WithBackoff: want 0 < base <= ceiling, got %s and %s", base, ceiling)
		}
		c.BackoffBase, c.BackoffCap = base, ceiling
		return nil
	}
}

// WithRetryAfterCap sets Config.RetryAfterCap, the longest delay an
// endpoint's Retry-After answer may ask for; it must be positive.
func WithRetryAfterCap(d time.Duration) Option {
	return func(c *Config) error {
		if d <= 0 {
			return fmt.Errorf("WithRetryAfterCap: must be positive (a cap of 0 would retry a Retry-After answer at once), got %s", d)
		}
		c.RetryAfterCap = d
		return nil
	}
}

// WithConcurrency sets Config.Concurrency and Config.EndpointConcurrency,
// the most requests in flight at once over all endpoints and to one
// endpoint; both must be positive.
func WithConcurrency(total, perEndpoint int) Option {
	return func(c *Config) error {
		if total <= 0 || perEndpoint <= 0 {
			return fmt.Errorf("WithConcurrency: both must be positive, got %d and %d", total, perEndpoint)
		}
		c.Concurrency, c.EndpointConcurrency = total, perEndpoint
		return nil
	}
}

// WithConcurrencyMode sets Config.ConcurrencyMode: AdaptiveConcurrency (the
// default) or FixedConcurrency.
func WithConcurrencyMode(m ConcurrencyMode) Option {
	return func(c *Config) error {
		if m != AdaptiveConcurrency && m != FixedConcurrency {
			return fmt.Errorf("WithConcurrencyMode: must be %q or %q, got %q", AdaptiveConcurrency, FixedConcurrency, m)
		}
		c.ConcurrencyMode = m
		return nil
	}
}

// WithPollInterval sets Config.PollInterval, how often idle workers look for
// due retries (on SQLite, also how soon they see events published in the
// application's transactions).
func WithPollInterval(d time.Duration) Option {
	return duration("WithPollInterval", d, time.Millisecond, func(c *Config) { c.PollInterval = d })
}

// WithShutdownTimeout sets Config.ShutdownTimeout, how long Stop waits for
// requests in flight; 0 or NoWait cuts them at once.
func WithShutdownTimeout(d time.Duration) Option {
	return offDuration("WithShutdownTimeout", "NoWait", d, NoWait, func(c *Config, d time.Duration) { c.ShutdownTimeout = d })
}

// offDuration returns the option called name, which calls set with d, or
// with off (the constant called offName) when d is 0 or off, and refuses any
// other negative d.
func offDuration(name, offName string, d, off time.Duration, set func(*Config, time.Duration)) Option {
	return func(c *Config) error {
		v, ok := orOff(d, off)
		if !ok {
			return fmt.Errorf("%s: must not be negative but %s, got %s", name, offName, d)
		}
		set(c, v)
		return nil
	}
}

// WithDisableAfter sets Config.DisableAfterFailures and
// Config.DisableAfterFailingFor: an endpoint is disabled after failures
// consecutive failed attempts, or after failing for failingFor without a
// success; 0 or Never turns a rule off.
func WithDisableAfter(failures int, failingFor time.Duration) Option {
	return func(c *Config) error {
		n, okN := orOff(failures, Never)
		d, okD := orOff(failingFor, Never)
		if !okN || !okD {
			return fmt.Errorf("WithDisableAfter: must not be negative but Never, got %d and %s", failures, failingFor)
		}
		c.DisableAfterFailures, c.DisableAfterFailingFor = n, d
		return nil
	}
}

// WithRetention sets Config.Retention: finished deliveries older than d are
// deleted; 0 or Forever keeps them.
func WithRetention(d time.Duration) Option {
	return offDuration("WithRetention", "Forever", d, Forever, func(c *Config, d time.Duration) { c.Retention = d })
}

// WithLogger sets Config.Logger, which receives the workers' logs (one line
// per attempt, with event_id, delivery_id, webhook_id and attempt).
func WithLogger(logger *slog.Logger) Option {
	return func(c *Config) error {
		if logger == nil {
			return fmt.Errorf("WithLogger: nil logger; use slog.New(slog.DiscardHandler) to drop logs")
		}
		c.Logger = logger
		return nil
	}
}

// WithHTTPClient sets Config.HTTPClient: deliveries are sent with client
// instead of hookrelay's own keep-alive clients.
func WithHTTPClient(client *http.Client) Option {
	return func(c *Config) error {
		if client == nil {
			return fmt.Errorf("WithHTTPClient: nil client")
		}
		c.HTTPClient = client
		return nil
	}
}

// WithAllowPrivateTargets sets Config.AllowPrivateTargets: endpoints may
// reach addresses that are not globally routable (for development and tests).
func WithAllowPrivateTargets() Option {
	return func(c *Config) error {
		c.AllowPrivateTargets = true
		return nil
	}
}

// WithRequireVerification sets Config.RequireVerification: endpoints
// created without an explicit Endpoint.RequireVerification must prove
// ownership (echo a webhook.verification challenge) before they receive
// anything else.
func WithRequireVerification() Option {
	return func(c *Config) error {
		c.RequireVerification = true
		return nil
	}
}

// WithEncryptionKey sets Config.EncryptionKey: endpoint secrets and custom
// header values are kept encrypted at rest with AES-256-GCM under key, 32
// bytes written as 64 hex digits or base64.
func WithEncryptionKey(key string) Option {
	return func(c *Config) error {
		if _, err := encrypted.ParseKey(key); err != nil {
			return fmt.Errorf("WithEncryptionKey: %w", err)
		}
		c.EncryptionKey = key
		return nil
	}
}

// WithSignatureProfile sets Config.SignatureProfile, the signature profile
// of endpoints that name none: ProfileStandard or ProfileAckify.
func WithSignatureProfile(profile string) Option {
	return func(c *Config) error {
		if err := service.ValidateProfile(profile); err != nil {
			return fmt.Errorf("WithSignatureProfile: %w", err)
		}
		c.SignatureProfile = profile
		return nil
	}
}

// WithoutMigrate sets Config.SkipMigrate: the client checks that hookrelay's
// tables are up to date instead of migrating them, for applications that
// run `hookrelay migrate` themselves.
func WithoutMigrate() Option {
	return func(c *Config) error {
		c.SkipMigrate = true
		return nil
	}
}

// WithTracerProvider sets Config.TracerProvider: tp makes the spans of
// publishes, delivery attempts, claims and outcome writes, instead of the
// application's global provider.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *Config) error {
		c.TracerProvider = tp
		return nil
	}
}

// WithoutTraceHeader sets Config.TraceHeader to OmitTraceHeader: delivery
// requests carry no traceparent or tracestate header.
func WithoutTraceHeader() Option {
	return func(c *Config) error {
		c.TraceHeader = OmitTraceHeader
		return nil
	}
}
