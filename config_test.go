package hookrelay_test

import (
	"errors"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/store"
)

func TestZeroConfigTakesTheDefaults(t *testing.T) {
	c := hookrelay.Config{}.WithDefaults()
	want := hookrelay.Config{
		Timeout:                hookrelay.DefaultTimeout,
		MaxRetries:             hookrelay.DefaultMaxRetries,
		BackoffBase:            hookrelay.DefaultBackoffBase,
		BackoffCap:             hookrelay.DefaultBackoffCap,
		RetryAfterCap:          hookrelay.DefaultRetryAfterCap,
		Concurrency:            hookrelay.DefaultConcurrency,
		EndpointConcurrency:    hookrelay.DefaultEndpointConcurrency,
		ConcurrencyMode:        hookrelay.AdaptiveConcurrency,
		BatchSize:              hookrelay.DefaultBatchSize,
		PollInterval:           hookrelay.DefaultPollInterval,
		Lease:                  time.Minute, // 3 × 10s + 30s
		ShutdownTimeout:        hookrelay.DefaultShutdownTimeout,
		DisableAfterFailures:   hookrelay.DefaultDisableAfterFailures,
		DisableAfterFailingFor: hookrelay.DefaultDisableAfterFailingFor,
		RecoveryWindow:         hookrelay.DefaultRecoveryWindow,
		ProbeInterval:          hookrelay.DefaultProbeInterval,
		ProbeIntervalCap:       hookrelay.DefaultProbeIntervalCap,
		Retention:              hookrelay.DefaultRetention,
		RotationWindow:         hookrelay.DefaultRotationWindow,
		SignatureProfile:       hookrelay.ProfileStandard,
		Logger:                 slog.Default(),
	}
	if c != want {
		t.Errorf("Config{}.WithDefaults() =\n%+v\nwant\n%+v", c, want)
	}
	if err := (hookrelay.Config{}).Validate(); err != nil {
		t.Errorf("the zero Config is refused: %v", err)
	}
}

func TestWithDefaultsKeepsWhatIsSet(t *testing.T) {
	set := hookrelay.Config{
		Timeout: 20 * time.Second, MaxRetries: hookrelay.NoRetries, BackoffBase: 2 * time.Hour,
		ShutdownTimeout: hookrelay.NoWait, DisableAfterFailures: hookrelay.Never, DisableAfterFailingFor: hookrelay.Never,
		Retention: hookrelay.Forever, RotationWindow: hookrelay.NoWait, Metrics: prometheus.NewRegistry(),
		ConcurrencyMode: hookrelay.FixedConcurrency, RecoveryWindow: hookrelay.NoRecovery, ProbeInterval: hookrelay.Never,
	}
	c := set.WithDefaults()
	if c.Lease != 90*time.Second {
		t.Errorf("lease %s with a 20s timeout, want 3 × timeout + 30s", c.Lease)
	}
	if c.BackoffCap != 2*time.Hour {
		t.Errorf("backoff cap %s with a 2h base and no cap, want the base", c.BackoffCap)
	}
	if c.MaxRetries != hookrelay.NoRetries || c.ShutdownTimeout != hookrelay.NoWait || c.DisableAfterFailures != hookrelay.Never ||
		c.DisableAfterFailingFor != hookrelay.Never || c.Retention != hookrelay.Forever || c.RotationWindow != hookrelay.NoWait ||
		c.Metrics != set.Metrics || c.ConcurrencyMode != hookrelay.FixedConcurrency ||
		c.RecoveryWindow != hookrelay.NoRecovery || c.ProbeInterval != hookrelay.Never {
		t.Errorf("WithDefaults changed a setting that was set: %+v", c)
	}
	if err := set.Validate(); err != nil {
		t.Errorf("the off constants are refused: %v", err)
	}
	if c := (hookrelay.Config{Lease: 2 * time.Minute}).WithDefaults(); c.Lease != 2*time.Minute {
		t.Errorf("a set lease became %s", c.Lease)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		cfg   hookrelay.Config
		field string
	}{
		{hookrelay.Config{Timeout: -time.Second}, "Timeout"},
		{hookrelay.Config{Timeout: time.Microsecond}, "Timeout"},
		{hookrelay.Config{MaxRetries: -2}, "MaxRetries"},
		{hookrelay.Config{MaxRetries: store.MaxRetriesLimit + 1}, "MaxRetries"},
		{hookrelay.Config{BackoffBase: -time.Second}, "BackoffBase"},
		{hookrelay.Config{BackoffBase: time.Hour, BackoffCap: time.Minute}, "BackoffCap"},
		{hookrelay.Config{RetryAfterCap: -time.Second}, "RetryAfterCap"},
		{hookrelay.Config{RetryAfterCap: hookrelay.NoWait}, "RetryAfterCap"},
		{hookrelay.Config{Timeout: hookrelay.MaxTimeout + time.Millisecond}, "Timeout"},
		{hookrelay.Config{Timeout: math.MaxInt64}, "Timeout"},
		{hookrelay.Config{Concurrency: -1}, "Concurrency"},
		{hookrelay.Config{Concurrency: 1 << 40}, "Concurrency"},
		{hookrelay.Config{Concurrency: math.MaxInt64}, "Concurrency"},
		{hookrelay.Config{EndpointConcurrency: hookrelay.MaxConcurrency + 1}, "EndpointConcurrency"},
		{hookrelay.Config{BatchSize: math.MaxInt64}, "BatchSize"},
		{hookrelay.Config{EndpointConcurrency: -1}, "EndpointConcurrency"},
		{hookrelay.Config{ConcurrencyMode: "off"}, "ConcurrencyMode"},
		{hookrelay.Config{BatchSize: -1}, "BatchSize"},
		{hookrelay.Config{PollInterval: -time.Second}, "PollInterval"},
		{hookrelay.Config{Lease: -time.Second}, "Lease"},
		{hookrelay.Config{Lease: 5 * time.Second}, "Lease"}, // not longer than the 10s timeout
		{hookrelay.Config{ShutdownTimeout: -time.Second}, "ShutdownTimeout"},
		{hookrelay.Config{RecoveryWindow: -time.Second}, "RecoveryWindow"},
		{hookrelay.Config{ProbeInterval: -time.Second}, "ProbeInterval"},
		{hookrelay.Config{ProbeInterval: time.Hour, ProbeIntervalCap: time.Minute}, "ProbeIntervalCap"},
		{hookrelay.Config{DisableAfterFailures: -2}, "DisableAfterFailures"},
		{hookrelay.Config{DisableAfterFailingFor: -time.Hour}, "DisableAfterFailingFor"},
		{hookrelay.Config{Retention: -time.Hour}, "Retention"},
		{hookrelay.Config{RotationWindow: -time.Hour}, "RotationWindow"},
		{hookrelay.Config{SignatureProfile: "Ackify"}, "SignatureProfile"},
		{hookrelay.Config{EncryptionKey: "short"}, "EncryptionKey"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		var ce *hookrelay.ConfigError
		if !errors.As(err, &ce) || ce.Field != tt.field || !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("Validate(%+v) = %v, want a *ConfigError for %s matching ErrInvalid", tt.cfg, err, tt.field)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.field+": ") || strings.Contains(err.Error(), "HOOKRELAY_") || strings.Contains(err.Error(), "WEBHOOK_") {
			t.Errorf("%s: %q, want the Go field's name and no environment variable", tt.field, err)
		}
	}
}

// TestValidateJoinsEveryProblem: one error per refused field.
func TestValidateJoinsEveryProblem(t *testing.T) {
	err := hookrelay.Config{Timeout: -1, Concurrency: -1, Retention: -time.Hour}.Validate()
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 3 {
		t.Errorf("Validate = %v, want three joined errors", err)
	}
}

// TestHugeSettingsAreRefusedOnce: counts and timeouts past their bounds are
// refused by name, each alone (a huge timeout blames no lease the user never
// set), and the derived lease saturates instead of overflowing.
func TestHugeSettingsAreRefusedOnce(t *testing.T) {
	for _, cfg := range []hookrelay.Config{
		{Timeout: math.MaxInt64}, {Timeout: 3074457345618 * time.Millisecond}, {Concurrency: math.MaxInt64}, {BatchSize: math.MaxInt64},
	} {
		err := cfg.Validate()
		joined, ok := err.(interface{ Unwrap() []error })
		if !ok || len(joined.Unwrap()) != 1 || !strings.Contains(err.Error(), "must be at most") {
			t.Errorf("Validate(%+v) = %v, want one error giving the bound", cfg, err)
		}
	}
	if got := hookrelay.DefaultLease(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("DefaultLease(max) = %s, want it saturated", got)
	}
	if got := hookrelay.DefaultLease(hookrelay.MaxTimeout); got != 3*time.Hour+30*time.Second {
		t.Errorf("DefaultLease(MaxTimeout) = %s", got)
	}
	if err := (hookrelay.Config{Timeout: hookrelay.MaxTimeout, Concurrency: hookrelay.MaxConcurrency, BatchSize: hookrelay.MaxBatchSize}).Validate(); err != nil {
		t.Errorf("the bounds themselves are refused: %v", err)
	}
}
