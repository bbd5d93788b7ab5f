package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/api"
)

// Vars are the kong variables that the defaults of the struct tags name
// (default:"${default_timeout_ms}"): the library's defaults, so that serve,
// its --help and the README's table (generated from the tags) cannot drift
// from hookrelay.Config. Give them to every kong parser of these structs.
func Vars() kong.Vars {
	return kong.Vars{
		"default_timeout_ms":                strconv.FormatInt(hookrelay.DefaultTimeout.Milliseconds(), 10),
		"max_timeout_ms":                    strconv.FormatInt(hookrelay.MaxTimeout.Milliseconds(), 10),
		"max_concurrency":                   strconv.Itoa(hookrelay.MaxConcurrency),
		"max_batch_size":                    strconv.Itoa(hookrelay.MaxBatchSize),
		"default_max_retries":               strconv.Itoa(hookrelay.DefaultMaxRetries),
		"default_backoff_base":              ShortDuration(hookrelay.DefaultBackoffBase),
		"default_backoff_cap":               ShortDuration(hookrelay.DefaultBackoffCap),
		"default_retry_after_cap":           ShortDuration(hookrelay.DefaultRetryAfterCap),
		"default_concurrency":               strconv.Itoa(hookrelay.DefaultConcurrency),
		"default_endpoint_concurrency":      strconv.Itoa(hookrelay.DefaultEndpointConcurrency),
		"default_adaptive_concurrency":      strconv.FormatBool(hookrelay.DefaultConcurrencyMode == hookrelay.AdaptiveConcurrency),
		"default_batch_size":                strconv.Itoa(hookrelay.DefaultBatchSize),
		"default_poll_interval":             ShortDuration(hookrelay.DefaultPollInterval),
		"default_shutdown_timeout":          ShortDuration(hookrelay.DefaultShutdownTimeout),
		"default_disable_after_failures":    strconv.Itoa(hookrelay.DefaultDisableAfterFailures),
		"default_disable_after_failing_for": ShortDuration(hookrelay.DefaultDisableAfterFailingFor),
		"default_retention":                 ShortDuration(hookrelay.DefaultRetention),
		"default_recovery_window":           ShortDuration(hookrelay.DefaultRecoveryWindow),
		"default_probe_interval":            ShortDuration(hookrelay.DefaultProbeInterval),
		"default_probe_interval_cap":        ShortDuration(hookrelay.DefaultProbeIntervalCap),
		"default_rotation_window":           ShortDuration(hookrelay.DefaultRotationWindow),
		"default_signature_profile":         hookrelay.DefaultSignatureProfile,
		"default_max_payload_bytes":         strconv.Itoa(api.DefaultMaxPayloadBytes),
		"max_retries_limit":                 strconv.Itoa(hookrelay.MaxRetriesLimit),
	}
}

// ShortDuration writes d as time.Duration.String without its zero units:
// 1m rather than 1m0s, 720h rather than 720h0m0s.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// zeroMeans is what 0 given to serve means for a setting that the library
// reads 0 as "the default" for: serve always has a value (its default is
// written out), so its 0 is never "the default".
type zeroMeans int

const (
	// zeroRefused: the setting must be positive; 0 is refused.
	zeroRefused zeroMeans = iota
	// zeroOff: 0 turns the setting off (the library's off constant);
	// negatives are refused.
	zeroOff
	// zeroDefault: 0 (or unset) means the library's default; negatives are
	// refused.
	zeroDefault
)

// setting is one setting of serve that is a setting of the library: its
// environment variable, the hookrelay.Config field it sets, and how.
type setting struct {
	env, field string
	// apply copies the value from s to c, and returns it as a number with
	// what serve's 0 means for it (ok false: not a number).
	apply func(s *Serve, c *hookrelay.Config) (n number, ok bool)
}

// number is a numeric setting as serve holds it, for the checks of its sign.
type number struct {
	value    int64
	duration bool
	zero     zeroMeans
	// most, when positive, is the largest value serve takes, checked here
	// because the library cannot see the value as given.
	most int64
}

func (n number) String() string {
	if n.duration {
		return time.Duration(n.value).String()
	}
	return strconv.FormatInt(n.value, 10)
}

// count and span make the setting of an int or a duration that serve holds
// at from and the library at to; off is the library's constant for a
// setting that zero turns off.
func count(env, field string, zero zeroMeans, from func(*Serve) *int, to func(*hookrelay.Config) *int) setting {
	return setting{env, field, func(s *Serve, c *hookrelay.Config) (number, bool) {
		v := *from(s)
		*to(c) = offIfZero(v, zero)
		return number{value: int64(v), zero: zero}, true
	}}
}

func span(env, field string, zero zeroMeans, from func(*Serve) *time.Duration, to func(*hookrelay.Config) *time.Duration) setting {
	return setting{env, field, func(s *Serve, c *hookrelay.Config) (number, bool) {
		v := *from(s)
		*to(c) = offIfZero(v, zero)
		return number{value: int64(v), duration: true, zero: zero}, true
	}}
}

// offIfZero is v, or the library's off constant (all are -1) when v is 0
// and zero is zeroOff.
func offIfZero[T int | time.Duration](v T, zero zeroMeans) T {
	if v == 0 && zero == zeroOff {
		return -1
	}
	return v
}

// settings are serve's settings that are the library's, in the order of
// hookrelay.Config.
var settings = []setting{
	{"WEBHOOK_TIMEOUT_MS", "Timeout", func(s *Serve, c *hookrelay.Config) (number, bool) {
		// Past the library's bound, it is refused before it is multiplied
		// into a duration that might overflow.
		if s.TimeoutMS > int(hookrelay.MaxTimeout/time.Millisecond) {
			return number{value: int64(s.TimeoutMS), most: int64(hookrelay.MaxTimeout / time.Millisecond)}, true
		}
		c.Timeout = s.Timeout()
		return number{value: int64(s.TimeoutMS), zero: zeroRefused}, true
	}},
	count("WEBHOOK_MAX_RETRIES", "MaxRetries", zeroOff, func(s *Serve) *int { return &s.MaxRetries }, func(c *hookrelay.Config) *int { return &c.MaxRetries }),
	span("HOOKRELAY_BACKOFF_BASE", "BackoffBase", zeroRefused, func(s *Serve) *time.Duration { return &s.BackoffBase }, func(c *hookrelay.Config) *time.Duration { return &c.BackoffBase }),
	span("HOOKRELAY_BACKOFF_CAP", "BackoffCap", zeroDefault, func(s *Serve) *time.Duration { return &s.BackoffCap }, func(c *hookrelay.Config) *time.Duration { return &c.BackoffCap }),
	span("HOOKRELAY_RETRY_AFTER_CAP", "RetryAfterCap", zeroRefused, func(s *Serve) *time.Duration { return &s.RetryAfterCap }, func(c *hookrelay.Config) *time.Duration { return &c.RetryAfterCap }),
	count("HOOKRELAY_CONCURRENCY", "Concurrency", zeroRefused, func(s *Serve) *int { return &s.Concurrency }, func(c *hookrelay.Config) *int { return &c.Concurrency }),
	count("HOOKRELAY_ENDPOINT_CONCURRENCY", "EndpointConcurrency", zeroRefused, func(s *Serve) *int { return &s.EndpointInFlight }, func(c *hookrelay.Config) *int { return &c.EndpointConcurrency }),
	{"HOOKRELAY_ADAPTIVE_CONCURRENCY", "ConcurrencyMode", func(s *Serve, c *hookrelay.Config) (number, bool) {
		c.ConcurrencyMode = hookrelay.FixedConcurrency
		if s.Adaptive {
			c.ConcurrencyMode = hookrelay.AdaptiveConcurrency
		}
		return number{}, false
	}},
	count("HOOKRELAY_BATCH_SIZE", "BatchSize", zeroRefused, func(s *Serve) *int { return &s.BatchSize }, func(c *hookrelay.Config) *int { return &c.BatchSize }),
	span("HOOKRELAY_POLL_INTERVAL", "PollInterval", zeroRefused, func(s *Serve) *time.Duration { return &s.PollInterval }, func(c *hookrelay.Config) *time.Duration { return &c.PollInterval }),
	span("HOOKRELAY_LEASE", "Lease", zeroDefault, func(s *Serve) *time.Duration { return &s.Lease }, func(c *hookrelay.Config) *time.Duration { return &c.Lease }),
	span("HOOKRELAY_SHUTDOWN_TIMEOUT", "ShutdownTimeout", zeroOff, func(s *Serve) *time.Duration { return &s.ShutdownTimeout }, func(c *hookrelay.Config) *time.Duration { return &c.ShutdownTimeout }),
	count("HOOKRELAY_DISABLE_AFTER_FAILURES", "DisableAfterFailures", zeroOff, func(s *Serve) *int { return &s.DisableAfter }, func(c *hookrelay.Config) *int { return &c.DisableAfterFailures }),
	span("HOOKRELAY_DISABLE_AFTER_FAILING_FOR", "DisableAfterFailingFor", zeroOff, func(s *Serve) *time.Duration { return &s.DisableAfterFor }, func(c *hookrelay.Config) *time.Duration { return &c.DisableAfterFailingFor }),
	span("HOOKRELAY_RECOVERY_WINDOW", "RecoveryWindow", zeroOff, func(s *Serve) *time.Duration { return &s.RecoveryWindow }, func(c *hookrelay.Config) *time.Duration { return &c.RecoveryWindow }),
	span("HOOKRELAY_PROBE_INTERVAL", "ProbeInterval", zeroOff, func(s *Serve) *time.Duration { return &s.ProbeInterval }, func(c *hookrelay.Config) *time.Duration { return &c.ProbeInterval }),
	span("HOOKRELAY_PROBE_INTERVAL_CAP", "ProbeIntervalCap", zeroDefault, func(s *Serve) *time.Duration { return &s.ProbeIntervalCap }, func(c *hookrelay.Config) *time.Duration { return &c.ProbeIntervalCap }),
	span("HOOKRELAY_RETENTION", "Retention", zeroOff, func(s *Serve) *time.Duration { return &s.Retention }, func(c *hookrelay.Config) *time.Duration { return &c.Retention }),
	span("HOOKRELAY_SECRET_ROTATION_WINDOW", "RotationWindow", zeroOff, func(s *Serve) *time.Duration { return &s.RotationWindow }, func(c *hookrelay.Config) *time.Duration { return &c.RotationWindow }),
	{"HOOKRELAY_SIGNATURE_PROFILE", "SignatureProfile", func(s *Serve, c *hookrelay.Config) (number, bool) {
		c.SignatureProfile = s.SignatureProfile
		return number{}, false
	}},
	{"HOOKRELAY_ALLOW_PRIVATE_TARGETS", "AllowPrivateTargets", func(s *Serve, c *hookrelay.Config) (number, bool) {
		c.AllowPrivateTargets = s.AllowPrivate
		return number{}, false
	}},
	{"HOOKRELAY_REQUIRE_VERIFICATION", "RequireVerification", func(s *Serve, c *hookrelay.Config) (number, bool) {
		c.RequireVerification = s.RequireVerification
		return number{}, false
	}},
	{"HOOKRELAY_REQUIRE_EVENT_TYPES", "RequireEventTypes", func(s *Serve, c *hookrelay.Config) (number, bool) {
		c.RequireEventTypes = s.RequireEventTypes
		return number{}, false
	}},
	{"HOOKRELAY_TRACE_HEADER", "TraceHeader", func(s *Serve, c *hookrelay.Config) (number, bool) {
		if !s.TraceHeader {
			c.TraceHeader = hookrelay.OmitTraceHeader
		}
		return number{}, false
	}},
	{"HOOKRELAY_ENCRYPTION_KEY", "EncryptionKey", func(s *Serve, c *hookrelay.Config) (number, bool) {
		c.EncryptionKey = s.EncryptionKey
		return number{}, false
	}},
}

// Library maps serve's settings onto the library's Config: a 0 that turns a
// setting off (WEBHOOK_MAX_RETRIES, HOOKRELAY_RETENTION, …) becomes the
// library's constant for it (hookrelay.NoRetries, hookrelay.Forever, …).
// Serve's own reading of 0 and of negatives is checked here, each refusal a
// *hookrelay.ConfigError naming the Config field (EnvError names the
// variable); the library's rules are Config.Validate's. The logger and the
// metrics registry are the caller's to set.
func (s Serve) Library() (hookrelay.Config, error) {
	var c hookrelay.Config
	var errs []error
	for _, st := range settings {
		n, ok := st.apply(&s, &c)
		if !ok {
			continue
		}
		switch {
		case n.most > 0 && n.value > n.most:
			errs = append(errs, &hookrelay.ConfigError{Field: st.field, Message: fmt.Sprintf("must be at most %d, got %s", n.most, n)})
		case n.zero == zeroRefused && n.value <= 0:
			errs = append(errs, &hookrelay.ConfigError{Field: st.field, Message: "must be positive, got " + n.String()})
		case n.value < 0:
			errs = append(errs, &hookrelay.ConfigError{Field: st.field, Message: "must not be negative, got " + n.String()})
		}
	}
	if s.SignatureProfile == "" {
		// The parser's enum refuses it; a Serve made otherwise might not.
		errs = append(errs, &hookrelay.ConfigError{Field: "SignatureProfile", Message: "must not be empty"})
	}
	return c, errors.Join(errs...)
}

// refusedField reports whether refused, an error of Library, refuses field.
func refusedField(refused error, field string) bool {
	joined, ok := refused.(interface{ Unwrap() []error })
	if !ok {
		return false
	}
	for _, e := range joined.Unwrap() {
		if ce := (*hookrelay.ConfigError)(nil); errors.As(e, &ce) && ce.Field == field {
			return true
		}
	}
	return false
}

// EnvError returns err with each *hookrelay.ConfigError in it (joined or
// wrapped) written as serve's users know the setting: "ENV_NAME: message".
// Other errors are kept as they are; nil stays nil.
func EnvError(err error) error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var errs []error
		for _, e := range joined.Unwrap() {
			errs = append(errs, EnvError(e))
		}
		return errors.Join(errs...)
	}
	var ce *hookrelay.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	for _, st := range settings {
		if st.field == ce.Field {
			return &envError{env: st.env, err: ce}
		}
	}
	return err
}

// envError is a *hookrelay.ConfigError named by its environment variable.
type envError struct {
	env string
	err *hookrelay.ConfigError
}

func (e *envError) Error() string { return fmt.Sprintf("%s: %s", e.env, e.err.Message) }
func (e *envError) Unwrap() error { return e.err }
