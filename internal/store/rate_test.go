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
