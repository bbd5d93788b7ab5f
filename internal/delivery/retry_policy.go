package delivery

import (
	"math/rand/v2"
	"time"
)

// jitterFraction is the largest random part added to a backoff delay, as a
// fraction of it (the seed's formula multiplies by 1 + random()×0.3).
const jitterFraction = 0.3

// RetryPolicy computes when a failed delivery is tried again.
type RetryPolicy struct {
	// Base is the delay before the first retry.
	Base time.Duration
	// Cap is the longest delay, jitter included.
	Cap time.Duration
	// RetryAfterCap is the longest delay an endpoint's Retry-After may ask for.
	RetryAfterCap time.Duration
}

// Delay returns the wait before retry number retryCount+1:
// min(Cap, Base × 2^retryCount × (1 + random×0.3)).
func (p RetryPolicy) Delay(retryCount int) time.Duration {
	d := p.Base
	for i := 0; i < retryCount && d < p.Cap; i++ {
		d *= 2
	}
	d += time.Duration(rand.Float64() * jitterFraction * float64(d))
	if d > p.Cap || d <= 0 {
		d = p.Cap
	}
	return d
}

// Next returns the wait before the next attempt, honouring an endpoint's
// Retry-After (capped by RetryAfterCap) over the backoff when it asks for one.
func (p RetryPolicy) Next(retryCount int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, p.RetryAfterCap)
	}
	return p.Delay(retryCount)
}
