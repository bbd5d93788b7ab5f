package delivery

import (
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// How the in-flight limit of one endpoint adapts (AIMD, as TCP's congestion
// window), between 1 and the worker's EndpointInFlight:
//
//   - It starts at initialEndpointLimit and, until its first decrease, grows
//     by one with each steady 2xx (slow start). After a decrease it grows by
//     one for each limit's worth of steady 2xx answers, about one per round
//     trip (additive increase), so that it probes the ceiling gently.
//   - It halves with each sign of overload that the receiver states: a
//     timeout or network failure, 429, 502, 503 or 504.
//   - It halves on a latency jump: a 2xx that took more than jumpRatio times
//     the endpoint's baseline, and at least jumpFloor more than it, once the
//     baseline has baselineSamples samples. Requests already in flight when
//     the limit fell were started at the old pressure, so their jumps do not
//     halve it again: one decrease per round trip.
//   - A 2xx above steadyRatio times the baseline (but no jump) neither grows
//     nor halves the limit: the endpoint is near its knee.
//
// The baseline is a moving average of the durations of steady 2xx answers
// that falls quickly (baselineDown) and rises slowly (baselineUp), so that
// it remembers what the endpoint does unloaded. At a limit of 1 every 2xx
// feeds it: the endpoint then runs alone, so what it takes is what it
// takes, and a receiver that became slower for good gets a new baseline
// rather than a limit stuck at 1.
const (
	initialEndpointLimit = 4
	jumpRatio            = 2.0
	steadyRatio          = 1.5
	jumpFloor            = 20 * time.Millisecond
	baselineSamples      = 8
	baselineDown         = 0.25
	baselineUp           = 1.0 / 16
)

// slowAttempt is how long an attempt may take and still prove its endpoint
// fast; see endpointState.fast.
const slowAttempt = time.Second

// latencyWeight is the weight of the newest attempt in an endpoint's
// moving average of attempt durations.
const latencyWeight = 0.25

// endpointState is what a worker knows of one endpoint: its requests in
// flight, its claimed deliveries waiting for a slot, and what recent attempts
// say of it.
type endpointState struct {
	running    int
	restricted int // running requests started while the endpoint was not fast
	waiting    []waiting
	// limit is the in-flight limit, between 1 and the worker's
	// EndpointInFlight; it adapts (learn) unless the worker's limits are
	// fixed.
	limit int
	// fast is true while the endpoint's last attempt ended (with an answer or
	// a quick refusal) within slowAttempt. An endpoint that is not fast (new,
	// timing out, slow) draws on the restricted share of the slots.
	fast bool
	// latency is the moving average of attempt durations; 0 before the first.
	latency time.Duration
	// baseline is the endpoint's unloaded latency as steady 2xx answers show
	// it, from samples of them; see the constants above.
	baseline time.Duration
	samples  int
	// decreasedAt is when the limit last fell; zero before. Until then the
	// limit grows in slow start.
	decreasedAt time.Time
	// credit counts steady 2xx answers towards the next additive increase.
	credit int
	// stopped is set when the endpoint answered 410 Gone, until the store has
	// recorded it disabled (or stoppedUntil passes): its deliveries are not
	// started and claims skip it.
	stopped      bool
	stoppedUntil time.Time
	// skipped is set when a claim skipped the endpoint, or handed its
	// deliveries back, for want of room: the worker claims again once the
	// endpoint has room.
	skipped bool
	// ready is set while the endpoint is in the dispatcher's turn order.
	ready      bool
	lastActive time.Time
}

// waiting is a claimed delivery that waits for a slot.
type waiting struct {
	claimed store.Claimed
	since   time.Time
}

// attemptEnd is what the dispatcher learns from one finished attempt.
type attemptEnd struct {
	endpointID int64
	restricted bool
	started    time.Time // when its request started
	duration   time.Duration
	class      Class
	status     int // 0 when no answer arrived
}

// overloaded reports whether an attempt's end asks the sender to slow down.
func (a attemptEnd) overloaded() bool {
	switch a.status {
	case 0:
		return a.class == Retryable
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// pace says what a 2xx's duration says of its endpoint's load.
type pace int

const (
	steady pace = iota // grow the limit
	near               // keep it
	jumped             // halve it
)

// pace classifies d against the baseline; without enough samples every
// answer is steady.
func (e *endpointState) pace(d time.Duration) pace {
	if e.samples < baselineSamples {
		return steady
	}
	over := d - e.baseline
	switch {
	case over <= jumpFloor:
		return steady
	case float64(d) > jumpRatio*float64(e.baseline):
		return jumped
	case float64(d) > steadyRatio*float64(e.baseline):
		return near
	}
	return steady
}

// learn updates the endpoint's speed, latency and, when adaptive, its
// limit (at most maxLimit) from one attempt that ended at now.
func (e *endpointState) learn(a attemptEnd, maxLimit int, adaptive bool, now time.Time) {
	if adaptive {
		e.adapt(a, maxLimit, now)
	}
	e.fast = a.duration < slowAttempt
	if e.latency == 0 {
		e.latency = a.duration
	} else {
		e.latency = time.Duration(latencyWeight*float64(a.duration) + (1-latencyWeight)*float64(e.latency))
	}
}

// adapt applies the rule above to one attempt.
func (e *endpointState) adapt(a attemptEnd, maxLimit int, now time.Time) {
	switch {
	case a.class == Delivered:
		p := e.pace(a.duration)
		if p == steady || e.limit == 1 {
			e.sample(a.duration)
		}
		switch {
		case p == jumped && a.started.After(e.decreasedAt):
			e.decrease(now)
		case p == steady:
			e.increase(maxLimit)
		}
	case a.overloaded():
		e.decrease(now)
	}
}

// sample adds a steady answer's duration to the baseline.
func (e *endpointState) sample(d time.Duration) {
	e.samples++
	switch {
	case e.samples == 1:
		e.baseline = d
	case d < e.baseline:
		e.baseline += time.Duration(baselineDown * float64(d-e.baseline))
	default:
		e.baseline += time.Duration(baselineUp * float64(d-e.baseline))
	}
}

func (e *endpointState) increase(maxLimit int) {
	if e.decreasedAt.IsZero() {
		e.limit = min(e.limit+1, maxLimit)
		return
	}
	if e.credit++; e.credit >= e.limit {
		e.credit = 0
		e.limit = min(e.limit+1, maxLimit)
	}
}

func (e *endpointState) decrease(now time.Time) {
	e.limit = max(e.limit/2, 1)
	e.credit = 0
	e.decreasedAt = now
}
