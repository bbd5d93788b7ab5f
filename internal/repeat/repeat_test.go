package repeat_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/repeat"
)

func TestUntilStopsWhenTheStepIsDone(t *testing.T) {
	calls := 0
	repeat.Until(t.Context(), time.Millisecond, func() bool {
		calls++
		return calls == 3
	})
	if calls != 3 {
		t.Errorf("step called %d times, want 3", calls)
	}
}

func TestUntilStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	repeat.Until(ctx, time.Millisecond, func() bool {
		calls++
		if calls == 2 {
			cancel()
		}
		return false
	})
	if calls != 2 {
		t.Errorf("step called %d times, want 2", calls)
	}
}

func TestUntilDoesNotStepAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	repeat.Until(ctx, time.Hour, func() bool {
		t.Error("step called before the first tick")
		return true
	})
}
