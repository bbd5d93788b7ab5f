package delivery

import (
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// How the in-flight limit of one endpoint adapts (AIMD, as TCP's congestion
// window): it starts at initialEndpointLimit, grows by one with each
// delivered attempt up to the worker's EndpointInFlight, and halves (down to
// one) with each sign of overload: a timeout or network failure, 429, 502,
// 503 or 504.
const initialEndpointLimit = 4

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
	// limit is the adaptive in-flight limit, between 1 and the worker's
	// EndpointInFlight.
	limit int
	// fast is true while the endpoint's last attempt ended (with an answer or
	// a quick refusal) within slowAttempt. An endpoint that is not fast (new,
	// timing out, slow) draws on the restricted share of the slots.
	fast bool
	// latency is the moving average of attempt durations; 0 before the first.
	latency time.Duration
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

// learn updates the endpoint's limit, speed and latency from one attempt.
func (e *endpointState) learn(a attemptEnd, maxLimit int) {
	switch {
	case a.class == Delivered:
		e.limit = min(e.limit+1, maxLimit)
	case a.overloaded():
		e.limit = max(e.limit/2, 1)
	}
	e.fast = a.duration < slowAttempt
	if e.latency == 0 {
		e.latency = a.duration
	} else {
		e.latency = time.Duration(latencyWeight*float64(a.duration) + (1-latencyWeight)*float64(e.latency))
	}
}
