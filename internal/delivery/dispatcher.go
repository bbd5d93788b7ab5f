package delivery

import (
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// How a worker shares its slots between endpoints:
//
//   - At most total requests run at once, and at most hold deliveries are
//     claimed at once (running or waiting for a slot), so that a claim always
//     has a batch's worth of room while every slot is busy.
//   - Each endpoint has an in-flight limit, perEndpoint when limits are
//     fixed, otherwise adaptive (endpointState.adapt): it grows while the
//     endpoint answers 2xx at a steady latency and halves when it times out,
//     says it is overloaded or slows down sharply, between 1 and
//     perEndpoint. Each change is published to limits.
//   - Endpoints that have not proved fast (new ones, slow ones, ones that
//     time out) share half of the slots between them (restrictedShare), so
//     that any number of hanging endpoints leaves the other half to healthy
//     ones.
//   - A freed slot goes to the endpoints with waiting deliveries in turn
//     (round robin), not to the endpoint that freed it, so that a busy
//     endpoint cannot crowd out a quiet one.
//   - An endpoint's waiting deliveries are bounded by what it can send well
//     within a lease (waitCap); claims skip an endpoint that has as many as
//     it may hold, and the worker claims again as soon as such an endpoint
//     has room, rather than waiting for its next poll.
//   - A delivery that waited so long that its lease would run out before its
//     request ends is handed back, never sent on an expiring lease.
//
// The dispatcher is used by the worker's dispatch loop only, so it needs no
// lock.
type dispatcher struct {
	total       int
	perEndpoint int
	hold        int
	lease       time.Duration
	timeout     time.Duration
	adaptive    bool
	limits      *Limits
	now         func() time.Time

	running    int
	restricted int
	held       int // running + waiting
	endpoints  map[int64]*endpointState
	ready      []int64 // endpoints that may have waiting deliveries, in turn order
}

// dispatchLimits configure a dispatcher.
type dispatchLimits struct {
	total       int           // requests in flight at once
	perEndpoint int           // requests in flight at once to one endpoint
	hold        int           // deliveries claimed at once, running or waiting
	lease       time.Duration // how long a claim holds
	timeout     time.Duration // how long one request may take
	fixed       bool          // every endpoint's limit is perEndpoint, never adapting
	limits      *Limits       // where limits are published; nil: nowhere
}

// stopHold bounds how long an endpoint that answered 410 stays stopped when
// the store never confirms that it disabled it (its outcome lost its lease).
const stopHold = time.Minute

// idleForget is how long the state of an idle endpoint is kept.
const idleForget = 10 * time.Minute

func newDispatcher(l dispatchLimits, now func() time.Time) *dispatcher {
	return &dispatcher{
		total: l.total, perEndpoint: l.perEndpoint, hold: l.hold,
		lease: l.lease, timeout: l.timeout, adaptive: !l.fixed, limits: l.limits, now: now,
		endpoints: map[int64]*endpointState{},
	}
}

// started is a delivery to send now.
type started struct {
	claimed    store.Claimed
	restricted bool // it draws on the restricted share
}

// room is how many more deliveries may be claimed now.
func (d *dispatcher) room() int { return d.hold - d.held }

// inFlight is the number of requests running.
func (d *dispatcher) inFlight() int { return d.running }

// restrictedShare is how many requests endpoints that are not fast may run
// together.
func (d *dispatcher) restrictedShare() int { return max(d.total/2, 1) }

func (d *dispatcher) state(endpointID int64) *endpointState {
	e, ok := d.endpoints[endpointID]
	if !ok {
		e = &endpointState{limit: d.perEndpoint}
		if d.adaptive {
			e.limit = min(initialEndpointLimit, d.perEndpoint)
		}
		d.endpoints[endpointID] = e
		d.limits.set(endpointID, e.limit)
	}
	return e
}

// waitCap is how many claimed deliveries of e may wait for a slot: as many
// as e sends in a quarter of a lease at its latency, at least its limit and
// at most hold; only its limit while it is not fast; none while stopped.
func (d *dispatcher) waitCap(e *endpointState) int {
	switch {
	case e.stopped:
		return 0
	case !e.fast:
		return e.limit
	}
	latency := max(e.latency, time.Millisecond)
	n := int(int64(e.limit) * int64(d.lease) / int64(4*latency))
	return min(max(n, e.limit), d.hold)
}

// accepts reports whether admit would take one more delivery of e, to run
// or to wait; claims skip the endpoints that it would not.
func (d *dispatcher) accepts(e *endpointState) bool {
	if e.stopped {
		return false
	}
	return len(e.waiting) == 0 && d.canStart(e) || len(e.waiting) < d.waitCap(e)
}

func (d *dispatcher) canStart(e *endpointState) bool {
	return !e.stopped && e.running < e.limit && d.running < d.total &&
		(e.fast || d.restricted < d.restrictedShare())
}

// skipList returns the endpoints that a claim must skip, those stopped or
// holding all they may, and marks them skipped.
func (d *dispatcher) skipList() []int64 {
	now := d.now()
	var ids []int64
	for id, e := range d.endpoints {
		if e.stopped && now.After(e.stoppedUntil) {
			e.stopped = false
		}
		if !d.accepts(e) {
			e.skipped = true
			ids = append(ids, id)
		}
	}
	return ids
}

// admit sorts claimed deliveries into those to start now, those that wait
// for a slot of their endpoint (kept), and the overflow to hand back.
func (d *dispatcher) admit(claimed []store.Claimed) (run []started, overflow []store.Claimed) {
	now := d.now()
	for _, c := range claimed {
		id := c.Endpoint.ID
		e := d.state(id)
		e.lastActive = now
		switch {
		case e.stopped:
			e.skipped = true
			overflow = append(overflow, c)
		case len(e.waiting) == 0 && d.canStart(e):
			d.held++
			run = append(run, d.start(e, c))
		case len(e.waiting) < d.waitCap(e):
			if !e.ready {
				e.ready = true
				d.ready = append(d.ready, id)
			}
			e.waiting = append(e.waiting, waiting{claimed: c, since: now})
			d.held++
		default:
			e.skipped = true
			overflow = append(overflow, c)
		}
	}
	return run, overflow
}

// start counts a request of e as running.
func (d *dispatcher) start(e *endpointState, c store.Claimed) started {
	s := started{claimed: c, restricted: !e.fast}
	e.running++
	d.running++
	if s.restricted {
		e.restricted++
		d.restricted++
	}
	return s
}

// finish records the end of an attempt and returns the waiting deliveries
// that may start now, and those to hand back (their endpoint stopped, or
// their lease too close to its end). It also reports whether the worker
// should claim again: the endpoint was skipped for want of room and has
// room now.
func (d *dispatcher) finish(a attemptEnd) (run []started, release []store.Claimed, claim bool) {
	e := d.state(a.endpointID)
	e.running--
	d.running--
	d.held--
	if a.restricted {
		e.restricted--
		d.restricted--
	}
	now := d.now()
	before := e.limit
	e.learn(a, d.perEndpoint, d.adaptive, now)
	if e.limit != before {
		d.limits.set(a.endpointID, e.limit)
	}
	e.lastActive = now
	if a.class == Gone {
		release = d.stop(a.endpointID)
	}
	run, release = d.fill(release)
	if e.skipped && d.accepts(e) {
		e.skipped = false
		claim = true
	}
	return run, release, claim
}

// fill starts waiting deliveries while slots allow, one endpoint at a time
// in turn, and appends to release those whose lease would end too soon.
func (d *dispatcher) fill(release []store.Claimed) ([]started, []store.Claimed) {
	var run []started
	deadline := d.now().Add(-d.maxWait())
	for idle := 0; len(d.ready) > 0 && idle < len(d.ready) && d.running < d.total; {
		id := d.ready[0]
		d.ready = d.ready[1:]
		e := d.endpoints[id]
		if e == nil {
			continue
		}
		for len(e.waiting) > 0 && e.waiting[0].since.Before(deadline) {
			release = append(release, e.waiting[0].claimed)
			e.waiting = e.waiting[1:]
			d.held--
		}
		if len(e.waiting) > 0 && d.canStart(e) {
			run = append(run, d.start(e, e.waiting[0].claimed))
			e.waiting = e.waiting[1:]
			idle = 0
		} else {
			idle++
		}
		if e.ready = len(e.waiting) > 0; e.ready {
			d.ready = append(d.ready, id)
		}
	}
	return run, release
}

// maxWait is how long a claimed delivery may wait for a slot: half of what
// its lease leaves once a whole request is allowed for.
func (d *dispatcher) maxWait() time.Duration {
	return max(d.lease-d.timeout, 0) / 2
}

// stop keeps every request to endpointID from starting until the store has
// recorded it disabled (see disabled) or stopHold passes, and returns its
// waiting deliveries to hand back.
func (d *dispatcher) stop(endpointID int64) []store.Claimed {
	e := d.state(endpointID)
	e.stopped = true
	e.stoppedUntil = d.now().Add(stopHold)
	return d.takeWaiting(e)
}

// disabled is told that the store disabled endpointID: claims no longer
// return its deliveries, so it is no longer stopped here; its waiting
// deliveries are returned to hand back.
func (d *dispatcher) disabled(endpointID int64) []store.Claimed {
	e, ok := d.endpoints[endpointID]
	if !ok {
		return nil
	}
	e.stopped = false
	return d.takeWaiting(e)
}

func (d *dispatcher) takeWaiting(e *endpointState) []store.Claimed {
	out := make([]store.Claimed, len(e.waiting))
	for i, w := range e.waiting {
		out[i] = w.claimed
	}
	d.held -= len(e.waiting)
	e.waiting = nil
	return out
}

// waitingEndpoints returns the endpoints that have deliveries waiting.
func (d *dispatcher) waitingEndpoints() []int64 {
	var ids []int64
	for id, e := range d.endpoints {
		if len(e.waiting) > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// drainWaiting removes and returns every waiting delivery.
func (d *dispatcher) drainWaiting() []store.Claimed {
	var out []store.Claimed
	for _, e := range d.endpoints {
		out = append(out, d.takeWaiting(e)...)
		e.ready = false
	}
	d.ready = nil
	return out
}

// forgetIdle drops the state of endpoints idle for idleForget.
func (d *dispatcher) forgetIdle() {
	cutoff := d.now().Add(-idleForget)
	for id, e := range d.endpoints {
		if e.running == 0 && len(e.waiting) == 0 && !e.stopped && e.lastActive.Before(cutoff) {
			delete(d.endpoints, id)
			d.limits.forget(id)
		}
	}
}
