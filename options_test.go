package hookrelay

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay/internal/config"
	"github.com/hookrelay/hookrelay/internal/delivery"
	"github.com/hookrelay/hookrelay/internal/store"
)

func TestDefaultsAreThoseOfServe(t *testing.T) {
	for _, env := range os.Environ() {
		if name, _, _ := strings.Cut(env, "="); strings.HasPrefix(name, "HOOKRELAY_") || strings.HasPrefix(name, "WEBHOOK_") {
			t.Setenv(name, "") // registers the restore
			os.Unsetenv(name)
		}
	}
	var serve config.Delivery
	if err := kong.ApplyDefaults(&serve); err != nil {
		t.Fatal(err)
	}
	s, err := newSettings(nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s: library default %v, serve's %v", name, got, want)
		}
	}
	check("timeout", s.timeout, serve.Timeout())
	check("max retries", s.maxRetries, serve.MaxRetries)
	check("retry", s.worker.Retry, delivery.RetryPolicy{Base: serve.BackoffBase, Cap: serve.BackoffCap, RetryAfterCap: serve.RetryAfterCap})
	check("concurrency", s.worker.Concurrency, serve.Concurrency)
	check("endpoint concurrency", s.worker.EndpointInFlight, serve.EndpointInFlight)
	check("batch size", s.worker.BatchSize, serve.BatchSize)
	check("poll interval", s.worker.PollInterval, serve.PollInterval)
	check("lease", s.worker.Lease, serve.LeaseDuration())
	check("shutdown timeout", s.worker.ShutdownTimeout, serve.ShutdownTimeout)
	check("health", s.worker.Health, store.HealthPolicy{DisableAfterFailures: serve.DisableAfter, DisableAfterFailingFor: serve.DisableAfterFor})
	check("retention", s.retention, serve.Retention)
	check("allow private", s.allowPrivate, serve.AllowPrivate)
	check("signature profile", s.profile, serve.SignatureProfile)
}

func TestLeaseFollowsTheTimeout(t *testing.T) {
	s, err := newSettings([]Option{WithTimeout(20 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if want := 90 * time.Second; s.worker.Lease != want {
		t.Errorf("lease %s with a 20s timeout, want %s as in serve", s.worker.Lease, want)
	}
}

func TestOptionsRefuseBadValues(t *testing.T) {
	for _, opt := range []Option{
		WithTimeout(0),
		WithMaxRetries(-1),
		WithMaxRetries(store.MaxRetriesLimit + 1),
		WithBackoff(0, time.Hour),
		WithBackoff(time.Hour, time.Minute),
		WithRetryAfterCap(-time.Second),
		WithConcurrency(0, 1),
		WithConcurrency(1, 0),
		WithPollInterval(0),
		WithShutdownTimeout(-time.Second),
		WithDisableAfter(-1, 0),
		WithRetention(-time.Hour),
		WithLogger(nil),
		WithHTTPClient(nil),
		WithEncryptionKey("short"),
		WithSignatureProfile(""),
		WithSignatureProfile("Ackify"),
	} {
		if _, err := newSettings([]Option{opt}); err == nil || !strings.HasPrefix(err.Error(), "hookrelay: With") {
			t.Errorf("error %v, want one naming the option", err)
		}
	}
}
