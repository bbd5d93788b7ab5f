package store

import (
	"cmp"
	"slices"
	"time"
)

// Rate limits (Endpoint.RateLimitPerSecond) are a generic cell rate
// algorithm (GCRA, a token bucket kept as one time) whose state lives in the
// database, one row per limited endpoint, taken and written by Claim in the
// claim's own transaction. So every worker of every process sharing the
// database draws on the same tokens. Both stores implement the rule that
// RateState.Take states; PostgreSQL runs it in SQL (hookrelay_rate_take),
// SQLite in Go.
//
// Endpoints without a limit take no part: Claim reads no state for them and
// locks nothing more.
const (
	// MaxRateLimitPerSecond is the highest rate limit an endpoint may have.
	MaxRateLimitPerSecond = 10_000
	// SlowDownFor is how long a slow-down (see RateState.SlowDown) lasts
	// after the last answer that asked for one.
	SlowDownFor = time.Minute
	// SlowDownEvery is the shortest time between two halvings of an
	// endpoint's rate: the answers of one burst halve it once.
	SlowDownEvery = time.Second
	// MaxSlowDownLevel is how many times an endpoint's rate may be halved:
	// at most down to a sixteenth of its limit.
	MaxSlowDownLevel = 4
	// MaxClaimRounds is the most rounds one Claim runs (ClaimInRounds).
	MaxClaimRounds = 8
	// ClaimRoundsBudget is the time after which a Claim starts no further
	// round (ClaimInRounds).
	ClaimRoundsBudget = 250 * time.Millisecond
	// RateHorizon is the furthest ahead a claim defers a delivery over its
	// endpoint's rate limit (RateState.Take): one beyond it waits until the
	// horizon and is paced again then, at the rate of that moment. So the
	// end of a slow-down and a change of limit take effect within it, and
	// a retried delivery competes for the next tokens instead of queuing
	// behind a far-future schedule. Re-deferring costs at most one batch
	// per limited endpoint per claim (later rounds skip the endpoint,
	// ClaimInRounds). Two seconds keep that cost at one batch per endpoint
	// every two seconds at worst while being short next to a slow-down
	// (SlowDownFor).
	RateHorizon = 2 * time.Second
)

// RateState is the rate state of one endpoint: a row of
// hookrelay_endpoint_rates. Times are whole microseconds, as both stores
// keep them.
type RateState struct {
	// TAT is GCRA's theoretical arrival time: the time at which the bucket
	// is full again. Zero for an endpoint never claimed.
	TAT time.Time
	// DeferredUntil is the token time of the last delivery put back to wait
	// for its token (at most RateHorizon after the claim that put it back);
	// the next ones wait after it.
	DeferredUntil time.Time
	// SlowLevel halves the rate that many times while SlowUntil is ahead.
	SlowLevel int
	// SlowedAt is when SlowLevel last grew.
	SlowedAt time.Time
	// SlowUntil is when the slow-down ends and the full limit applies again.
	SlowUntil time.Time
}

// RateTake is what a claim may do with the due deliveries of one limited
// endpoint (see RateState.Take).
type RateTake struct {
	// Admitted deliveries, the first in claim order, are sent now.
	Admitted int
	// FirstDeferred is the token time of the first delivery over the limit;
	// the k-th one over the limit (from 0) waits until FirstDeferred + k ×
	// Step.
	FirstDeferred time.Time
	// Step is the time between two tokens at the effective rate.
	Step time.Duration
	// Horizon is the claim's time plus RateHorizon: no delivery is
	// deferred beyond it.
	Horizon time.Time
}

// DeferredAt is when the k-th delivery over the limit (from 0) is due
// again: its token time, FirstDeferred + k × Step, or Horizon when that is
// sooner.
func (t RateTake) DeferredAt(k int) time.Time {
	at := t.FirstDeferred.Add(time.Duration(k) * t.Step)
	if at.After(t.Horizon) {
		return t.Horizon
	}
	return at
}

// RateStep returns the time between two tokens and the burst (tokens the
// bucket holds: one second's worth, at least one) of an endpoint whose
// limit, halved level times, applies. Step is rounded up to the microsecond,
// so the rate never exceeds the limit.
func RateStep(limit, level int) (step time.Duration, burst int) {
	micros := (int64(time.Second/time.Microsecond)<<level + int64(limit) - 1) / int64(limit)
	return time.Duration(micros) * time.Microsecond, max(1, limit>>level)
}

// Take admits up to wanted due deliveries of an endpoint whose limit is
// limit at now (a whole microsecond) and returns what to do with them and
// the state to store. The effective limit is limit halved SlowLevel times
// while SlowUntil is after now. With step and burst from RateStep, the
// bucket is full at TAT - burst × step: deliveries are admitted one per
// step from max(TAT, now) while that stays within burst × step of now, so
// over any span of d seconds at most burst + d × limit deliveries are
// admitted. The others get token times one step apart, after
// max(new TAT - burst × step, DeferredUntil), none beyond now +
// RateHorizon (RateTake.DeferredAt): Claim puts them back to pending until
// then, and DeferredUntil becomes the last of them. Only admissions take
// tokens (TAT), so the bound holds however often a delivery is deferred.
func (s RateState) Take(limit, wanted int, now time.Time) (RateTake, RateState) {
	level := 0
	if s.SlowUntil.After(now) {
		level = s.SlowLevel
	}
	step, burst := RateStep(limit, level)
	window := time.Duration(burst) * step
	start := now
	if s.TAT.After(now) {
		start = s.TAT
	}
	take := RateTake{Step: step, Horizon: now.Add(RateHorizon), Admitted: min(wanted, max(0, int((window-start.Sub(now))/step)))}
	s.TAT = start.Add(time.Duration(take.Admitted) * step)
	base := s.TAT.Add(-window)
	if s.DeferredUntil.After(base) {
		base = s.DeferredUntil
	}
	take.FirstDeferred = base.Add(step)
	if over := wanted - take.Admitted; over > 0 {
		s.DeferredUntil = take.DeferredAt(over - 1)
	}
	return take, s
}

// SlowDown returns the state after an answer that asks the endpoint's
// sender to slow down (429 Too Many Requests, or any answer with
// Retry-After) at now: the rate is halved (SlowLevel + 1, at most
// MaxSlowDownLevel, and at most once per SlowDownEvery), or, once a
// slow-down has ended, halved from the full limit again; it applies until
// SlowDownFor after now.
func (s RateState) SlowDown(now time.Time) RateState {
	switch {
	case !s.SlowUntil.After(now):
		s.SlowLevel, s.SlowedAt = 1, now
	case !s.SlowedAt.After(now.Add(-SlowDownEvery)) && s.SlowLevel < MaxSlowDownLevel:
		s.SlowLevel, s.SlowedAt = s.SlowLevel+1, now
	}
	s.SlowUntil = now.Add(SlowDownFor)
	return s
}

// SlowDownEndpoints returns the endpoints, by ascending ID and once each,
// of the applied outcomes that ask to slow down (Outcome.SlowDown).
func SlowDownEndpoints(applied []AppliedOutcome) []int64 {
	var ids []int64
	for _, a := range applied {
		if a.SlowDown {
			ids = append(ids, a.EndpointID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// ClaimInRounds is how a store's Claim gives the rate limit's deferrals
// back their room: once claims up to n due deliveries of the endpoints not
// in skip and returns those it put back to wait for their tokens (their
// ScheduledFor the token time); while a round defers some and the batch is not full, another round
// claims the room left, skipping those endpoints as well (they are over
// their limit). So a backlog of a limited endpoint at the head of the queue
// costs the deliveries behind it no poll interval, and costs one round, not
// one per batch of its backlog. Rounds end when one defers nothing, after
// MaxClaimRounds, or when ClaimRoundsBudget has passed since the first began
// (a lease taken in the first round is at most that and one round older
// than the claim's return). skip starts as the request's SkipEndpoints. The
// batch comes back in claim order (priority DESC, scheduled_for ASC, ID
// ASC), with the token times of the deliveries deferred.
func ClaimInRounds(limit int, skip []int64, once func(n int, skip []int64) (claimed, deferred []Claimed, err error)) ([]Claimed, []time.Time, error) {
	out := []Claimed{}
	var next []time.Time
	start := time.Now()
	skip = slices.Clone(skip)
	for round := 0; len(out) < limit && round < MaxClaimRounds; round++ {
		if round > 0 && time.Since(start) > ClaimRoundsBudget {
			break
		}
		claimed, deferred, err := once(limit-len(out), skip)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, claimed...)
		if len(deferred) == 0 {
			break
		}
		for _, d := range deferred {
			skip = append(skip, d.Delivery.EndpointID)
			next = append(next, d.Delivery.ScheduledFor)
		}
	}
	slices.SortStableFunc(out, func(a, b Claimed) int {
		if a.Delivery.Priority != b.Delivery.Priority {
			return b.Delivery.Priority - a.Delivery.Priority
		}
		if c := a.Delivery.ScheduledFor.Compare(b.Delivery.ScheduledFor); c != 0 {
			return c
		}
		return cmp.Compare(a.Delivery.ID, b.Delivery.ID)
	})
	return out, next, nil
}
