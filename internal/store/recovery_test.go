package store

import (
	"testing"
	"time"
)

// TestNextProbeDelay: the wait doubles with each failed probe from the
// base, up to the cap, and never overflows.
func TestNextProbeDelay(t *testing.T) {
	base, ceiling := time.Minute, time.Hour
	for _, c := range []struct {
		failed int
		want   time.Duration
	}{
		{0, time.Minute}, {1, 2 * time.Minute}, {2, 4 * time.Minute}, {5, 32 * time.Minute},
		{6, time.Hour}, {7, time.Hour}, {1000, time.Hour},
	} {
		if got := NextProbeDelay(base, ceiling, c.failed); got != c.want {
			t.Errorf("NextProbeDelay(%s, %s, %d) = %s, want %s", base, ceiling, c.failed, got, c.want)
		}
	}
	if got := NextProbeDelay(time.Hour, time.Minute, 3); got != time.Hour {
		t.Errorf("a cap below the base: %s, want the base", got)
	}
}
