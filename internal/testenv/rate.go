package testenv

import (
	"slices"
	"testing"
	"time"
)

// WithinRate checks that times, when requests to one endpoint limited to
// limit per second arrived, keep the rate limit's guarantee: over any span
// between two arrivals there are at most one second's worth (limit) plus
// limit a second, give or take slack of the span (the time from a claim to
// its request's arrival).
func WithinRate(t testing.TB, times []time.Time, limit int, slack time.Duration) {
	t.Helper()
	sorted := slices.SortedFunc(slices.Values(times), time.Time.Compare)
	for i := range sorted {
		for j := i; j < len(sorted); j++ {
			span := sorted[j].Sub(sorted[i])
			if n, allowed := j-i+1, limit+int(float64(limit)*(span+slack).Seconds()); n > allowed {
				t.Fatalf("%d requests arrived within %v, want at most %d at %d/s (bursts of one second's worth, %v of slack)",
					n, span, allowed, limit, slack)
			}
		}
	}
}

// AtRate checks that times, when each of a backlog of requests to one
// endpoint limited to limit per second arrived, keep the limit (WithinRate,
// with slack) and took as long as the limit makes them take: about
// len(times)/limit seconds, at least that less two.
func AtRate(t testing.TB, times []time.Time, limit int, slack time.Duration) {
	t.Helper()
	WithinRate(t, times, limit, slack)
	sorted := slices.SortedFunc(slices.Values(times), time.Time.Compare)
	n := len(sorted)
	if took := sorted[n-1].Sub(sorted[0]); took < time.Duration(n/limit-2)*time.Second {
		t.Errorf("%d requests took %v, want about %d s at %d/s", n, took, n/limit-1, limit)
	}
}
