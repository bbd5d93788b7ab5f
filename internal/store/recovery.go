package store

import (
	"context"
	"time"
)

// RecoveryReason is what the API and the dashboard say about a delivery
// whose RecoveredAt is set: why it was sent again.
const RecoveryReason = "recovered after the endpoint came back"

// RecoverySpacing is the time between the scheduled_for of consecutive
// recovered deliveries of one endpoint: the first is due at once, the next
// RecoverySpacing later, and so on, so that a receiver that just came back
// gets its backlog at most 10 a second on top of its new traffic (and the
// endpoint's rate limit and adaptive concurrency still apply, since they go
// through Claim).
const RecoverySpacing = 100 * time.Millisecond

// ProbeState is the probing of an endpoint that its health rules disabled.
// The zero value means the endpoint is not probed.
type ProbeState struct {
	// Since is when the health rules disabled the endpoint; nil when it is
	// not probed.
	Since *time.Time
	// NextAt is when the next probe is due.
	NextAt *time.Time
	// Failures counts the probes that did not get a 2xx.
	Failures int
}

// Probing reports whether the endpoint is being probed.
func (p ProbeState) Probing() bool { return p.Since != nil }

// NextProbeDelay is the wait after the failed-th failed probe (1 for the
// first): base doubled failed times, at most maxDelay (base when maxDelay is
// below it).
func NextProbeDelay(base, maxDelay time.Duration, failed int) time.Duration {
	d := base
	for range failed {
		if d >= maxDelay/2 {
			return max(maxDelay, base)
		}
		d *= 2
	}
	return min(d, max(maxDelay, base))
}

// Recovery is the recovery state of one endpoint, as the API and the
// dashboard show it.
type Recovery struct {
	ProbeState
	// ToRecover counts the deliveries that would be queued again if the
	// endpoint came back now: failed for good during its outage (see
	// RecoverDeliveries), within the window, never recovered.
	ToRecover int
	// Recovering counts the recovered deliveries that are pending: queued
	// again and not sent yet.
	Recovering int
}

// Recoverer is the part of a Store that automatic recovery uses (Store
// embeds it; it is declared here to keep the recovery rules in one place).
//
// A delivery "failed for good during the outage" of its endpoint when it is
// failed, its retries ran out (RetryCount >= MaxRetries: a permanent answer,
// a 4xx or the SSRF guard, fails it earlier and is not recovered), it failed
// (ProcessedAt) at or after the endpoint's FailingSince (the first failed
// attempt since its last 2xx) and at most the window ago, and it was never
// recovered. Cancelled deliveries are never recovered, nor are challenges
// (VerificationEventType): a failed challenge is stale, only a new one
// (NewChallenge) counts. RecoverDeliveries makes such deliveries pending
// again, oldest (lowest ID) first, the first due now and each next RecoverySpacing later, with RecoveredAt now and one
// more attempt (as RetryDelivery counts it).
type Recoverer interface {
	// RecoveryOf returns the recovery state of endpoint id, counting
	// ToRecover within window, or ErrNotFound.
	RecoveryOf(ctx context.Context, id int64, window time.Duration) (Recovery, error)
	// DueProbes returns up to limit endpoints that are probed and whose
	// next probe is due (Probe.NextAt <= now), by NextAt.
	DueProbes(ctx context.Context, limit int) ([]Endpoint, error)
	// ProbeFailed records a failed probe of endpoint id: Failures + 1 and
	// NextAt = next. It does nothing to an endpoint that is no longer probed.
	ProbeFailed(ctx context.Context, id int64, next time.Time) error
	// ProbeSucceeded re-enables endpoint id after a probe got a 2xx (active,
	// no disabled reason, probing cleared, failure count 0, LastDeliveredAt
	// now) and, when window > 0, recovers the deliveries that failed for
	// good during its outage within window, in one transaction. It returns
	// how many it recovered, or ErrConflict when the endpoint is no longer
	// probed (a person acted meanwhile), ErrNotFound when it is gone.
	ProbeSucceeded(ctx context.Context, id int64, window time.Duration) (int, error)
	// StopRecovery is a person's stop: it clears the endpoint's probing (a
	// disabled endpoint stays disabled, now as if by a person) and cancels
	// its recovered deliveries that are still pending. It returns the
	// endpoint, or ErrNotFound.
	StopRecovery(ctx context.Context, id int64) (Endpoint, error)
}
