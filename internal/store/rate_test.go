package store

import (
	"testing"
	"time"
)

func TestRateStep(t *testing.T) {
	for _, c := range []struct {
		limit, level int
		step         time.Duration
		burst        int
	}{
		{5, 0, 200 * time.Millisecond, 5},
		{3, 0, 333334 * time.Microsecond, 3}, // rounded up: never above the limit
		{5, 1, 400 * time.Millisecond, 2},
		{1, 4, 16 * time.Second, 1}, // a sixteenth of 1/s still holds one token
		{MaxRateLimitPerSecond, 0, 100 * time.Microsecond, MaxRateLimitPerSecond},
	} {
		step, burst := RateStep(c.limit, c.level)
		if step != c.step || burst != c.burst {
			t.Errorf("RateStep(%d, %d) = %v, %d; want %v, %d", c.limit, c.level, step, burst, c.step, c.burst)
		}
	}
}

func TestRateStateTake(t *testing.T) {
	now := time.UnixMicro(1_800_000_000_000_000)
	var s RateState
	take, s := s.Take(5, 8, now)
	if take.Admitted != 5 || take.Step != 200*time.Millisecond {
		t.Fatalf("first take = %+v, want the burst of 5 admitted", take)
	}
	// The bucket is empty until now + 1 s; the 3 others wait one step apart.
	for k, want := range []time.Duration{200, 400, 600} {
		if got := take.DeferredAt(k); !got.Equal(now.Add(want * time.Millisecond)) {
			t.Errorf("DeferredAt(%d) = %v, want now + %v ms", k, got.Sub(now), want)
		}
	}
	if !s.TAT.Equal(now.Add(time.Second)) || !s.DeferredUntil.Equal(now.Add(600*time.Millisecond)) {
		t.Errorf("state %+v", s)
	}
	// A second claim at once admits nothing and queues after the others.
	take, s = s.Take(5, 2, now)
	if take.Admitted != 0 || !take.DeferredAt(0).Equal(now.Add(800*time.Millisecond)) {
		t.Errorf("second take = %+v, want none admitted, the first at now + 800 ms", take)
	}
	// At its token time, the first one waiting is admitted, and only it.
	take, _ = s.Take(5, 3, now.Add(200*time.Millisecond))
	if take.Admitted != 1 {
		t.Errorf("take at the first token time admitted %d, want 1", take.Admitted)
	}
	// Long idle: the bucket holds one second's worth, no more.
	take, _ = s.Take(5, 100, now.Add(time.Hour))
	if take.Admitted != 5 {
		t.Errorf("take after an hour admitted %d, want the burst of 5", take.Admitted)
	}
}

func TestRateStateSlowDown(t *testing.T) {
	now := time.UnixMicro(1_800_000_000_000_000)
	s := RateState{}.SlowDown(now)
	if s.SlowLevel != 1 || !s.SlowUntil.Equal(now.Add(SlowDownFor)) {
		t.Fatalf("first slow-down %+v, want level 1 for SlowDownFor", s)
	}
	if s = s.SlowDown(now.Add(time.Millisecond)); s.SlowLevel != 1 {
		t.Errorf("a second answer of the same burst made level %d, want 1", s.SlowLevel)
	}
	for i := range 10 {
		s = s.SlowDown(now.Add(time.Duration(i+1) * SlowDownEvery))
	}
	if s.SlowLevel != MaxSlowDownLevel {
		t.Errorf("level %d after many slow-downs, want at most %d", s.SlowLevel, MaxSlowDownLevel)
	}
	take, _ := s.Take(16, 10, now.Add(11*time.Second))
	if take.Step != time.Second || take.Admitted != 1 {
		t.Errorf("take while slowed down to a sixteenth of 16/s = %+v, want one a second", take)
	}
	later := s.SlowUntil.Add(time.Microsecond)
	if take, _ := s.Take(16, 100, later); take.Step != 62500*time.Microsecond || take.Admitted != 16 {
		t.Errorf("take after the slow-down = %+v, want the full rate again", take)
	}
	if s = s.SlowDown(later); s.SlowLevel != 1 {
		t.Errorf("a slow-down after the last ended made level %d, want 1", s.SlowLevel)
	}
}

func TestRateStateTakeDefersNoFurtherThanTheHorizon(t *testing.T) {
	now := time.UnixMicro(1_800_000_000_000_000)
	// A backlog of 128 at a sixteenth of 16/s: one token a second.
	s := RateState{}.SlowDown(now)
	for i := range 4 {
		s = s.SlowDown(now.Add(time.Duration(i+1) * SlowDownEvery))
	}
	slowedAt := now.Add(4 * SlowDownEvery)
	take, s := s.Take(16, 128, slowedAt)
	if take.Step != time.Second {
		t.Fatalf("step %v while slowed to a sixteenth of 16/s, want 1 s", take.Step)
	}
	for k := range 128 - take.Admitted {
		if at := take.DeferredAt(k); at.After(slowedAt.Add(RateHorizon)) {
			t.Fatalf("DeferredAt(%d) = now + %v, want at most RateHorizon", k, at.Sub(slowedAt))
		}
	}
	if s.DeferredUntil.After(slowedAt.Add(RateHorizon)) {
		t.Errorf("DeferredUntil = now + %v, want at most RateHorizon", s.DeferredUntil.Sub(slowedAt))
	}
	// A claim made after the slow-down ends paces at the full rate: the
	// burst of 16 at once, the rest 62.5 ms apart, none beyond the horizon.
	end := s.SlowUntil.Add(time.Microsecond)
	take, _ = s.Take(16, 128, end)
	if take.Admitted != 16 || take.Step != 62500*time.Microsecond {
		t.Errorf("take after the slow-down = %+v, want 16 admitted, 62.5 ms apart", take)
	}
	if got := take.DeferredAt(0); got.After(end.Add(take.Step)) {
		t.Errorf("first deferred at end + %v, want within one step", got.Sub(end))
	}
	if got := take.DeferredAt(111); !got.Equal(end.Add(RateHorizon)) {
		t.Errorf("last deferred at end + %v, want the horizon", got.Sub(end))
	}
	// A far-future DeferredUntil (written before the horizon) defers no
	// further than the horizon either.
	old := RateState{DeferredUntil: now.Add(time.Hour)}
	if take, _ := old.Take(1, 2, now); !take.DeferredAt(0).Equal(now.Add(RateHorizon)) {
		t.Errorf("deferred at now + %v after an old far DeferredUntil, want the horizon", take.DeferredAt(0).Sub(now))
	}
}
