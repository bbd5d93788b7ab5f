package delivery

import (
	"container/heap"
	"testing"
	"time"
)

// answer is a 2xx of s that started at start and took d.
func answer(id int64, start time.Time, d time.Duration) attemptEnd {
	return attemptEnd{endpointID: id, started: start, duration: d, class: Delivered, status: 200}
}

// steadyState is an endpoint whose baseline is base, after enough samples,
// at limit.
func steadyState(base time.Duration, limit int) *endpointState {
	e := &endpointState{limit: limit}
	for range baselineSamples {
		e.sample(base)
	}
	return e
}

func TestLimitGrowsInSlowStartThenAdditively(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := &endpointState{limit: initialEndpointLimit}
	for i := range 4 {
		e.learn(answer(1, t0, 30*time.Millisecond), 64, true, t0)
		if want := initialEndpointLimit + i + 1; e.limit != want {
			t.Fatalf("slow start: limit %d after %d answers, want %d", e.limit, i+1, want)
		}
	}
	e.learn(attemptEnd{endpointID: 1, class: Retryable, status: 503}, 64, true, t0)
	if e.limit != 4 {
		t.Fatalf("after 503 limit %d, want 4 (8 halved)", e.limit)
	}
	// After a decrease: one more per limit's worth of steady answers.
	for range 3 {
		e.learn(answer(1, t0, 30*time.Millisecond), 64, true, t0)
	}
	if e.limit != 4 {
		t.Fatalf("limit %d after 3 answers at limit 4, want 4", e.limit)
	}
	e.learn(answer(1, t0, 30*time.Millisecond), 64, true, t0)
	if e.limit != 5 {
		t.Fatalf("limit %d after 4 answers at limit 4, want 5", e.limit)
	}
}

// Each overload signal that the receiver states halves the limit, down to
// 1; other failures leave it.
func TestLimitHalvesOnStatedOverload(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		end  attemptEnd
		want int
	}{
		{"timeout", attemptEnd{class: Retryable, duration: 10 * time.Second}, 8},
		{"connection refused", attemptEnd{class: Retryable}, 8},
		{"429", attemptEnd{class: Retryable, status: 429}, 8},
		{"502", attemptEnd{class: Retryable, status: 502}, 8},
		{"503", attemptEnd{class: Retryable, status: 503}, 8},
		{"504", attemptEnd{class: Retryable, status: 504}, 8},
		{"500", attemptEnd{class: Retryable, status: 500}, 16},
		{"400", attemptEnd{class: Permanent, status: 400}, 16},
	} {
		e := &endpointState{limit: 16}
		e.learn(tc.end, 16, true, t0)
		if e.limit != tc.want {
			t.Errorf("%s: limit %d, want %d", tc.name, e.limit, tc.want)
		}
	}
	e := &endpointState{limit: 16}
	for range 10 {
		e.learn(attemptEnd{class: Retryable, status: 429}, 16, true, t0)
	}
	if e.limit != 1 {
		t.Fatalf("limit %d after ten 429s, want 1", e.limit)
	}
}

func TestLimitLatencyJump(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t.Run("HalvesOncePerRoundTrip", func(t *testing.T) {
		e := steadyState(50*time.Millisecond, 16)
		// Sixteen requests started together come back slow: the first
		// halves the limit, the others were started at the old pressure.
		for range 16 {
			e.learn(answer(1, t0, 150*time.Millisecond), 16, true, t0.Add(150*time.Millisecond))
		}
		if e.limit != 8 {
			t.Fatalf("limit %d, want 8 (one decrease for one round trip)", e.limit)
		}
		// A request started after the decrease and still slow halves it again.
		e.learn(answer(1, t0.Add(200*time.Millisecond), 150*time.Millisecond), 16, true, t0.Add(350*time.Millisecond))
		if e.limit != 4 {
			t.Fatalf("limit %d, want 4", e.limit)
		}
	})
	t.Run("NearTheKneeHolds", func(t *testing.T) {
		e := steadyState(50*time.Millisecond, 10)
		e.learn(answer(1, t0, 90*time.Millisecond), 16, true, t0)
		if e.limit != 10 {
			t.Fatalf("limit %d after an answer at 1.8× the baseline, want 10 (held)", e.limit)
		}
	})
	t.Run("TinyLatenciesNeverJump", func(t *testing.T) {
		e := steadyState(time.Millisecond, 10)
		e.learn(answer(1, t0, 15*time.Millisecond), 16, true, t0)
		if e.limit != 11 {
			t.Fatalf("limit %d after 1 ms → 15 ms, want 11 (within the %s floor)", e.limit, jumpFloor)
		}
	})
	t.Run("NotBeforeEnoughSamples", func(t *testing.T) {
		e := &endpointState{limit: 4}
		e.sample(10 * time.Millisecond)
		e.learn(answer(1, t0, 500*time.Millisecond), 16, true, t0)
		if e.limit != 5 {
			t.Fatalf("limit %d, want 5: one sample is no baseline", e.limit)
		}
	})
	t.Run("SlowerForGoodGetsANewBaseline", func(t *testing.T) {
		e := steadyState(20*time.Millisecond, 1)
		start := t0
		for range 60 {
			e.learn(answer(1, start, 200*time.Millisecond), 16, true, start.Add(200*time.Millisecond))
			start = start.Add(200 * time.Millisecond)
		}
		if e.limit < 4 {
			t.Fatalf("limit %d: a receiver that takes 200 ms at any load stays throttled", e.limit)
		}
	})
	t.Run("FixedNeverMoves", func(t *testing.T) {
		e := steadyState(50*time.Millisecond, 16)
		e.learn(answer(1, t0, time.Second), 16, false, t0)
		e.learn(attemptEnd{class: Retryable, status: 503}, 16, false, t0)
		if e.limit != 16 {
			t.Fatalf("fixed limit moved to %d", e.limit)
		}
	})
}

// simulation drives a dispatcher against a modelled receiver whose latency
// grows with the requests it holds, on a virtual clock: deterministic,
// and instant.
type simulation struct {
	d        *dispatcher
	clk      *clock
	inFlight flights
	// latency is the receiver's answer time for a request that arrives
	// while n requests (itself included) are in flight.
	latency  func(n int) time.Duration
	timeout  time.Duration
	done     int // 2xx answers
	timeouts int
}

type flight struct {
	s     started
	start time.Time
	end   time.Time
}

type flights []flight

func (f flights) Len() int           { return len(f) }
func (f flights) Less(i, j int) bool { return f[i].end.Before(f[j].end) }
func (f flights) Swap(i, j int)      { f[i], f[j] = f[j], f[i] }
func (f *flights) Push(x any)        { *f = append(*f, x.(flight)) }
func (f *flights) Pop() any {
	old := *f
	x := old[len(old)-1]
	*f = old[:len(old)-1]
	return x
}

func (sim *simulation) start(run []started) {
	for _, s := range run {
		d := sim.latency(sim.inFlight.Len() + 1)
		heap.Push(&sim.inFlight, flight{s: s, start: sim.clk.t, end: sim.clk.t.Add(min(d, sim.timeout))})
	}
}

// run keeps endpoint 1's backlog full and plays answers for span of virtual
// time; it returns the limit at the end.
func (sim *simulation) run(span time.Duration) (last int) {
	until := sim.clk.t.Add(span)
	for sim.clk.t.Before(until) {
		if room := sim.d.room(); room > 0 && sim.d.accepts(sim.d.state(1)) {
			run, _ := sim.d.admit(claimedFor(repeat(1, min(room, 10))...))
			sim.start(run)
		}
		f := heap.Pop(&sim.inFlight).(flight)
		sim.clk.t = f.end
		end := answer(1, f.start, f.end.Sub(f.start))
		end.restricted = f.s.restricted
		if end.duration >= sim.timeout {
			end.class, end.status = Retryable, 0
			sim.timeouts++
		} else {
			sim.done++
		}
		run, _, _ := sim.d.finish(end)
		sim.start(run)
		last = sim.d.endpoints[1].limit
	}
	return last
}

// The limit falls under overload and recovers after: a receiver that
// answers in 20 ms at any load lets the limit reach its ceiling; when it
// starts to slow down with every request it holds (80 ms alone, 5 ms × (n-1)²
// more with n, past the 1 s timeout at 16), the limit falls
// well below the ceiling and no request times out for long; when it is
// fast again, the limit climbs back to the ceiling.
func TestLimitFallsUnderOverloadAndRecovers(t *testing.T) {
	const ceiling = 16
	limits := NewLimits(ceiling, true)
	d, clk := testDispatcher(dispatchLimits{total: 64, perEndpoint: ceiling, hold: 164, lease: time.Hour, limits: limits})
	fast := func(int) time.Duration { return 20 * time.Millisecond }
	sim := &simulation{d: d, clk: clk, latency: fast, timeout: time.Second}

	if last := sim.run(5 * time.Second); last != ceiling {
		t.Fatalf("fast receiver: limit %d, want the ceiling %d", last, ceiling)
	}
	sim.latency = func(n int) time.Duration {
		return 80*time.Millisecond + time.Duration((n-1)*(n-1))*5*time.Millisecond
	}
	sim.done, sim.timeouts = 0, 0
	last := sim.run(30 * time.Second)
	if last > ceiling/2 {
		t.Fatalf("overloaded receiver: limit %d after 30 s, want at most %d", last, ceiling/2)
	}
	if got, _ := limits.Limit(1); got != last {
		t.Fatalf("published limit %d, want %d", got, last)
	}
	// Only the requests in flight when the receiver slowed down time out.
	if sim.timeouts > ceiling {
		t.Fatalf("overloaded receiver: %d timeouts, want at most the %d in flight when it slowed down", sim.timeouts, ceiling)
	}

	sim.latency = fast
	if last := sim.run(10 * time.Second); last != ceiling {
		t.Fatalf("recovered receiver: limit %d after 10 s, want the ceiling %d", last, ceiling)
	}
	if got, _ := limits.Limit(1); got != ceiling {
		t.Fatalf("published limit %d, want %d", got, ceiling)
	}
}

// With fixed limits every endpoint runs at the ceiling whatever it answers.
func TestFixedLimitsStayAtTheCeiling(t *testing.T) {
	limits := NewLimits(16, false)
	d, _ := testDispatcher(dispatchLimits{total: 64, perEndpoint: 16, hold: 164, fixed: true, limits: limits})
	run, _ := d.admit(claimedFor(repeat(1, 20)...))
	if len(run) != 16 {
		t.Fatalf("started %d, want 16 at once", len(run))
	}
	for _, s := range run {
		d.finish(timedOut(s))
	}
	if got, _ := limits.Limit(1); got != 16 || d.endpoints[1].limit != 16 {
		t.Fatalf("limit %d (published %d) after timeouts, want 16", d.endpoints[1].limit, got)
	}
}
