package hookrelay

import (
	"strings"
	"testing"
	"time"
)

func TestLeaseFollowsTheTimeout(t *testing.T) {
	c, err := newConfig([]Option{WithTimeout(20 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if want := 90 * time.Second; c.Lease != want {
		t.Errorf("lease %s with a 20s timeout, want %s as in serve", c.Lease, want)
	}
}

func TestOptionsRefuseBadValues(t *testing.T) {
	for _, opt := range []Option{
		WithTimeout(0),
		WithMaxRetries(-2),
		WithMaxRetries(MaxRetriesLimit + 1),
		WithBackoff(0, time.Hour),
		WithBackoff(time.Hour, time.Minute),
		WithRetryAfterCap(-time.Second),
		WithRetryAfterCap(0),
		WithConcurrency(0, 1),
		WithConcurrency(1, 0),
		WithConcurrencyMode(""),
		WithConcurrencyMode("off"),
		WithPollInterval(0),
		WithShutdownTimeout(-time.Second),
		WithDisableAfter(-2, 0),
		WithDisableAfter(0, -time.Second),
		WithRetention(-time.Hour),
		WithLogger(nil),
		WithHTTPClient(nil),
		WithEncryptionKey("short"),
		WithSignatureProfile(""),
		WithSignatureProfile("Ackify"),
	} {
		if _, err := newConfig([]Option{opt}); err == nil || !strings.HasPrefix(err.Error(), "hookrelay: With") {
			t.Errorf("error %v, want one naming the option", err)
		}
	}
}

// TestOptionsSpellZeroAsOff: an option given 0 for a setting that 0 turns
// off (as in serve), or the library's own off constant, sets the Config's
// explicit constant, never the zero that means the default.
func TestOptionsSpellZeroAsOff(t *testing.T) {
	for name, opts := range map[string][]Option{
		"zero": {WithMaxRetries(0), WithShutdownTimeout(0), WithDisableAfter(0, 0), WithRetention(0),
			WithRecoveryWindow(0), WithProbeInterval(0, 0)},
		"constants": {WithMaxRetries(NoRetries), WithShutdownTimeout(NoWait), WithDisableAfter(Never, Never),
			WithRetention(Forever), WithRecoveryWindow(NoRecovery), WithProbeInterval(Never, 0)},
	} {
		c, err := newConfig(opts)
		if err != nil {
			t.Errorf("options given %s: %v", name, err)
			continue
		}
		if c.MaxRetries != NoRetries || c.ShutdownTimeout != NoWait || c.DisableAfterFailures != Never ||
			c.DisableAfterFailingFor != Never || c.Retention != Forever || c.RecoveryWindow != NoRecovery ||
			c.ProbeInterval != Never {
			t.Errorf("options given %s: %+v, want the off constants", name, c)
		}
	}
}

// TestWithConfigThenOptions: WithConfig sets every field; options after it
// change it further.
func TestWithConfigThenOptions(t *testing.T) {
	c, err := newConfig([]Option{WithConfig(Config{Concurrency: 3, BatchSize: 7}), WithConcurrency(5, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Concurrency != 5 || c.EndpointConcurrency != 2 || c.BatchSize != 7 {
		t.Errorf("got %+v, want Concurrency 5, EndpointConcurrency 2, BatchSize 7", c)
	}
	if _, err := newConfig([]Option{WithConfig(Config{Timeout: -time.Second})}); err == nil || !strings.Contains(err.Error(), "Timeout:") {
		t.Errorf("a bad Config through WithConfig: %v, want an error naming Timeout", err)
	}
}
