package config

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/hookrelay/hookrelay"
)

// serveParser returns a parser of serve's settings with the command line's
// tags and Vars, and the Serve that its Parse fills.
func serveParser(t *testing.T) (*kong.Kong, *Serve) {
	t.Helper()
	var flags struct {
		Serve `embed:""`
	}
	parser, err := kong.New(&flags, Vars())
	if err != nil {
		t.Fatal(err)
	}
	return parser, &flags.Serve
}

// parseServe reads serve's settings from args as the command line does, the
// environment aside.
func parseServe(t *testing.T, args ...string) Serve {
	t.Helper()
	parser, serve := serveParser(t)
	if _, err := parser.Parse(args); err != nil {
		t.Fatal(err)
	}
	return *serve
}

// TestServeWithNoSettingRunsTheLibraryDefaults: serve given nothing maps
// onto a Config that, with its defaults, is the zero Config's.
func TestServeWithNoSettingRunsTheLibraryDefaults(t *testing.T) {
	for _, env := range os.Environ() {
		if name, _, _ := strings.Cut(env, "="); strings.HasPrefix(name, "HOOKRELAY_") || strings.HasPrefix(name, "WEBHOOK_") {
			t.Setenv(name, "") // registers the restore
			os.Unsetenv(name)
		}
	}
	lib, err := parseServe(t).Library()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := lib.WithDefaults(), (hookrelay.Config{}).WithDefaults(); got != want {
		t.Errorf("serve's defaults as a Config:\n%+v\nthe library's:\n%+v", got, want)
	}
}

// TestServeZeroTurnsOff: serve's 0 for a setting that 0 turns off becomes
// the library's constant for it, never the zero that means its default.
func TestServeZeroTurnsOff(t *testing.T) {
	lib, err := parseServe(t, "--webhook-max-retries=0", "--shutdown-timeout=0", "--disable-after-failures=0",
		"--disable-after-failing-for=0", "--retention=0", "--secret-rotation-window=0").Library()
	if err != nil {
		t.Fatal(err)
	}
	if lib.MaxRetries != hookrelay.NoRetries || lib.ShutdownTimeout != hookrelay.NoWait || lib.DisableAfterFailures != hookrelay.Never ||
		lib.DisableAfterFailingFor != hookrelay.Never || lib.Retention != hookrelay.Forever || lib.RotationWindow != hookrelay.NoWait {
		t.Errorf("serve's zeros as a Config: %+v, want the off constants", lib)
	}
	if err := lib.Validate(); err != nil {
		t.Errorf("the off constants are refused: %v", err)
	}
	lib, err = parseServe(t, "--webhook-timeout-ms=20000", "--lease=0").Library()
	if err != nil || lib.WithDefaults().Lease != 90*time.Second {
		t.Errorf("lease %s (%v) with a 20s timeout and --lease=0, want 3 × timeout + 30s", lib.WithDefaults().Lease, err)
	}
}

// TestServeTurnsAdaptiveConcurrencyOff: HOOKRELAY_ADAPTIVE_CONCURRENCY=false
// (or its flag, either spelling) fixes every endpoint's limit.
func TestServeTurnsAdaptiveConcurrencyOff(t *testing.T) {
	t.Setenv("HOOKRELAY_ADAPTIVE_CONCURRENCY", "false")
	for _, args := range [][]string{nil, {"--no-adaptive-concurrency"}, {"--adaptive-concurrency=false"}} {
		lib, err := parseServe(t, args...).Library()
		if err != nil {
			t.Fatal(err)
		}
		if lib.ConcurrencyMode != hookrelay.FixedConcurrency {
			t.Errorf("%v: mode %q, want %q", args, lib.ConcurrencyMode, hookrelay.FixedConcurrency)
		}
	}
	lib, err := parseServe(t, "--adaptive-concurrency").Library()
	if err != nil {
		t.Fatal(err)
	}
	if lib.ConcurrencyMode != hookrelay.AdaptiveConcurrency {
		t.Errorf("--adaptive-concurrency: mode %q, want %q", lib.ConcurrencyMode, hookrelay.AdaptiveConcurrency)
	}
}

// TestServeRefusesAHugeTimeout: a WEBHOOK_TIMEOUT_MS whose duration would
// overflow is refused by its name before it is multiplied: no wrapped
// timeout, no error about a HOOKRELAY_LEASE the user never set.
func TestServeRefusesAHugeTimeout(t *testing.T) {
	for _, ms := range []int{math.MaxInt64, 3074457345618, 288230376151716696, 3600001} {
		s := parseServe(t)
		s.TimeoutMS = ms
		// Validate is what the command line's parser runs.
		err := s.Validate()
		want := fmt.Sprintf("WEBHOOK_TIMEOUT_MS: must be at most 3600000, got %d", ms)
		if err == nil || err.Error() != want {
			t.Errorf("WEBHOOK_TIMEOUT_MS=%d: %v, want only %q", ms, err, want)
		}
	}
	if lib, err := parseServe(t, "--webhook-timeout-ms=3600000").Library(); err != nil || lib.Validate() != nil {
		t.Errorf("WEBHOOK_TIMEOUT_MS at the bound: %v, %v", err, lib.Validate())
	}
	if got := (Delivery{TimeoutMS: math.MaxInt}).Timeout(); got != math.MaxInt64 {
		t.Errorf("Timeout() of a huge TimeoutMS = %s, want it saturated", got)
	}
}

// TestBackoffCapFollowsTheBase: HOOKRELAY_BACKOFF_CAP unset (0) runs with
// the library's cap for the base, so a 2h base alone is valid, as
// Config{BackoffBase: 2 * time.Hour} is; a cap given below the base is
// refused.
func TestBackoffCapFollowsTheBase(t *testing.T) {
	s := validServe()
	s.BackoffBase, s.BackoffCap = 2*time.Hour, 0
	if err := s.Validate(); err != nil {
		t.Errorf("a 2h base without a cap: %v", err)
	}
	lib := hookrelay.Config{BackoffBase: 2 * time.Hour}.WithDefaults().BackoffCap
	if got := s.BackoffCeiling(); got != lib || got != 2*time.Hour {
		t.Errorf("BackoffCeiling = %s, want the library's %s", got, lib)
	}
	s.BackoffCap = time.Hour
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "HOOKRELAY_BACKOFF_CAP") {
		t.Errorf("a 1h cap under a 2h base: %v, want a refusal naming HOOKRELAY_BACKOFF_CAP", err)
	}
}
