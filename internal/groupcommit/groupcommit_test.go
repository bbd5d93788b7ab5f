package groupcommit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/groupcommit"
	"github.com/hookrelay/hookrelay/internal/testwait"
)

// TestCallsShareGroups holds the first group until every other call waits,
// so that they must share groups, of at most maxGroup calls, each call
// getting its own result.
func TestCallsShareGroups(t *testing.T) {
	const calls, maxGroup = 20, 8
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	first := true
	q := groupcommit.New(maxGroup, 1, func(group []*groupcommit.Call[int, string]) {
		if first {
			first = false
			<-release
		}
		mu.Lock()
		sizes = append(sizes, len(group))
		mu.Unlock()
		for _, c := range group {
			if c.Value%5 == 0 {
				c.Err = fmt.Errorf("refused %d", c.Value)
				continue
			}
			c.Result = fmt.Sprint("done ", c.Value)
		}
	})
	var wg sync.WaitGroup
	started := make(chan struct{}, calls)
	for i := range calls {
		wg.Go(func() {
			started <- struct{}{}
			res, err := q.Do(t.Context(), i)
			switch {
			case i%5 == 0 && (err == nil || err.Error() != fmt.Sprint("refused ", i)):
				t.Errorf("call %d: %q, %v; want its own error", i, res, err)
			case i%5 != 0 && (err != nil || res != fmt.Sprint("done ", i)):
				t.Errorf("call %d: %q, %v; want its own result", i, res, err)
			}
		})
	}
	for range calls {
		<-started
	}
	time.Sleep(10 * time.Millisecond) // not a proof: only makes larger groups likely
	close(release)
	testwait.Group(t, &wg, "calls")
	total := 0
	for _, n := range sizes {
		if n > maxGroup {
			t.Errorf("a group of %d calls, want at most %d", n, maxGroup)
		}
		total += n
	}
	if total != calls {
		t.Errorf("groups %v wrote %d calls, want %d", sizes, total, calls)
	}
}

// TestDoReturnsWhenItsContextEnds blocks the writer and cancels one waiting
// call: it returns ctx's error without waiting for its group, and the writer
// sees its ended Ctx.
func TestDoReturnsWhenItsContextEnds(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	sawEnded := make(chan bool, 2)
	q := groupcommit.New(1, 1, func(group []*groupcommit.Call[string, int]) {
		if group[0].Value == "blocker" {
			close(entered)
			<-release
		}
		sawEnded <- group[0].Ctx.Err() != nil
	})
	done := make(chan error, 1)
	go func() {
		_, err := q.Do(t.Context(), "blocker")
		done <- err
	}()
	<-entered
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		time.Sleep(5 * time.Millisecond)
		cancel()
	}()
	if _, err := q.Do(ctx, "cancelled"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("blocker: %v", err)
	}
	if ended := <-sawEnded; ended {
		t.Error("the blocker's context looked ended to the writer")
	}
	select {
	case ended := <-sawEnded:
		if !ended {
			t.Error("the writer saw the cancelled call's context alive")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled call never reached the writer")
	}
}

// TestWritersRunAtOnce holds every group until as many writers as allowed
// run at once: groups then overlap, never more than writers of them, and
// every call gets its result.
func TestWritersRunAtOnce(t *testing.T) {
	const writers, calls = 3, 12
	var mu sync.Mutex
	running, most := 0, 0
	allIn := make(chan struct{})
	var once sync.Once
	q := groupcommit.New(1, writers, func(group []*groupcommit.Call[int, int]) {
		mu.Lock()
		running++
		most = max(most, running)
		if running == writers {
			once.Do(func() { close(allIn) })
		}
		mu.Unlock()
		select {
		case <-allIn:
		case <-time.After(10 * time.Second):
		}
		mu.Lock()
		running--
		mu.Unlock()
		group[0].Result = group[0].Value * 2
	})
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			if got, err := q.Do(t.Context(), i); err != nil || got != 2*i {
				t.Errorf("call %d: %d, %v", i, got, err)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("calls not all written within 10 s")
	}
	if most != writers {
		t.Errorf("at most %d groups ran at once, want %d", most, writers)
	}
}
