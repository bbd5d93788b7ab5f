package config

import (
	"reflect"
	"testing"
	"time"
)

func TestApplyDev(t *testing.T) {
	none := func(string) bool { return false }

	off := validServe()
	off.ApplyDev(none)
	if !reflect.DeepEqual(off, validServe()) {
		t.Errorf("ApplyDev without Dev changed the settings: %+v", off)
	}

	on := validServe()
	on.Dev = true
	on.ApplyDev(none)
	if !on.AllowPrivate || on.LogFormat != "text" || on.BackoffBase != time.Second ||
		on.BackoffCap != 30*time.Second || on.RetryAfterCap != 30*time.Second {
		t.Errorf("development mode gave %+v", on)
	}
	if err := on.Validate(); err != nil {
		t.Errorf("development settings do not validate: %v", err)
	}

	// Explicit settings win; with an explicit base the cap stays serve's, so
	// that the delays still double.
	explicit := validServe()
	explicit.Dev = true
	explicit.BackoffBase = 2 * time.Minute
	explicit.ApplyDev(func(env string) bool {
		return env == "HOOKRELAY_BACKOFF_BASE" || env == "HOOKRELAY_LOG_FORMAT" || env == "HOOKRELAY_ALLOW_PRIVATE_TARGETS"
	})
	if explicit.AllowPrivate || explicit.LogFormat != "json" || explicit.BackoffBase != 2*time.Minute ||
		explicit.BackoffCap != validServe().BackoffCap || explicit.RetryAfterCap != 30*time.Second {
		t.Errorf("development mode over explicit settings gave %+v", explicit)
	}
	if err := explicit.Validate(); err != nil {
		t.Errorf("development settings over explicit ones do not validate: %v", err)
	}
}
