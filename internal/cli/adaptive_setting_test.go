package cli

import "testing"

// HOOKRELAY_ADAPTIVE_CONCURRENCY is on unless a settings file, the
// environment or --no-adaptive-concurrency turns it off.
func TestAdaptiveConcurrencySetting(t *testing.T) {
	unsetEnv(t, "HOOKRELAY_ADAPTIVE_CONCURRENCY")
	c, err := parseServe(t, "serve")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Adaptive {
		t.Error("adaptive concurrency is off by default")
	}
	off := writeSettings(t, "HOOKRELAY_ADAPTIVE_CONCURRENCY = false\n")
	if c, err = parseServe(t, "serve", "--config", off); err != nil || c.Adaptive {
		t.Errorf("file sets false: adaptive %t, %v", c.Adaptive, err)
	}
	if c, err = parseServe(t, "serve", "--config", off, "--adaptive-concurrency"); err != nil || !c.Adaptive {
		t.Errorf("flag over file: adaptive %t, %v", c.Adaptive, err)
	}
	if c, err = parseServe(t, "serve", "--no-adaptive-concurrency"); err != nil || c.Adaptive {
		t.Errorf("--no-adaptive-concurrency: adaptive %t, %v", c.Adaptive, err)
	}
}
