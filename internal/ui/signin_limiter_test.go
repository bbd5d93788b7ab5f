package ui

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/testwait"
)

// testClock is a clock that a test moves by hand.
type testClock struct{ t time.Time }

// now is the clock's time.
func (c *testClock) now() time.Time { return c.t }

// advance moves the clock on by d.
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// newTestLimiter returns an empty limiter on a clock of its own.
func newTestLimiter() (*signInLimiter, *testClock) {
	clock := &testClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	return newSignInLimiter(clock.now), clock
}

// failTimes makes n attempts from addr that fail, and reports whether the
// last was admitted as the window's last.
func failTimes(l *signInLimiter, addr string, n int) bool {
	last := false
	for range n {
		_, last = l.attempt(addr)
	}
	return last
}

// refused reports whether an attempt from addr is refused now; an admitted
// attempt counts.
func refused(l *signInLimiter, addr string) bool {
	wait, _ := l.attempt(addr)
	return wait > 0
}

func TestSignInLimiter(t *testing.T) {
	const addr, other = "192.0.2.1", "192.0.2.2"

	t.Run("five failures in the window shut the address out until it ends", func(t *testing.T) {
		l, clock := newTestLimiter()
		if failTimes(l, addr, signInMaxFailures-1) {
			t.Fatal("the fourth attempt was the last")
		}
		clock.advance(time.Minute)
		if wait, last := l.attempt(addr); wait != 0 || !last {
			t.Fatalf("fifth attempt: wait %v, last %v; want admitted as the last", wait, last)
		}
		if wait, last := l.attempt(addr); wait != signInWindow-time.Minute || last {
			t.Fatalf("sixth attempt: wait %v, last %v; want %v", wait, last, signInWindow-time.Minute)
		}
	})

	t.Run("a success clears the count", func(t *testing.T) {
		l, _ := newTestLimiter()
		failTimes(l, addr, signInMaxFailures-1)
		l.attempt(addr)
		l.succeed(addr)
		if failTimes(l, addr, signInMaxFailures-1) || refused(l, addr) {
			t.Fatal("attempts before the success still count")
		}
		if !refused(l, addr) {
			t.Error("not refused after five failures since the success")
		}
	})

	t.Run("another address is unaffected", func(t *testing.T) {
		l, _ := newTestLimiter()
		failTimes(l, addr, signInMaxFailures)
		if !refused(l, addr) {
			t.Fatal("the address was not shut out")
		}
		if refused(l, other) {
			t.Error("another address was refused")
		}
	})

	t.Run("the window ending lets the address in again", func(t *testing.T) {
		l, clock := newTestLimiter()
		failTimes(l, addr, signInMaxFailures)
		clock.advance(signInWindow - time.Nanosecond)
		if wait, _ := l.attempt(addr); wait != time.Nanosecond {
			t.Fatalf("wait = %v just before the window ends", wait)
		}
		clock.advance(time.Nanosecond)
		if failTimes(l, addr, signInMaxFailures-1) || refused(l, addr) {
			t.Error("refused, or failures of the old window count in the new one")
		}
	})

	t.Run("concurrent attempts cannot slip past the limit", func(t *testing.T) {
		l, _ := newTestLimiter()
		var admitted atomic.Int32
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if !refused(l, addr) {
					admitted.Add(1)
				}
			})
		}
		testwait.Group(t, &wg, "sign-in attempts")
		if got := admitted.Load(); got != signInMaxFailures {
			t.Errorf("%d attempts admitted, want %d", got, signInMaxFailures)
		}
	})

	t.Run("memory stays bounded", func(t *testing.T) {
		l, clock := newTestLimiter()
		const extra = 100
		for i := range signInMaxAddrs + extra {
			l.attempt(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
			clock.advance(time.Millisecond)
		}
		if len(l.byAddr) != signInMaxAddrs || l.windows.Len() != signInMaxAddrs {
			t.Fatalf("%d addresses in the map, %d in the list, want %d", len(l.byAddr), l.windows.Len(), signInMaxAddrs)
		}
		if _, ok := l.byAddr["10.0.0.0"]; ok {
			t.Error("the oldest address was kept")
		}
		if _, ok := l.byAddr[fmt.Sprintf("10.0.%d.%d", extra/256, extra%256)]; !ok {
			t.Error("an address within the cap was dropped")
		}
		clock.advance(signInWindow)
		l.succeed(addr)
		l.attempt(addr)
		if len(l.byAddr) != 1 || l.windows.Len() != 1 {
			t.Errorf("%d addresses kept after their windows ended, want 1", len(l.byAddr))
		}
	})
}

func TestClientAddr(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.1:51234":     "192.0.2.1",
		"[2001:db8::1]:51234": "2001:db8::1",
		"@":                   "@",
	} {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{"X-Forwarded-For": {"203.0.113.9"}}}
		if got := clientAddr(r); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", remote, got, want)
		}
	}
}

func TestMinutes(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second:                    "1 minute",
		time.Minute:                    "1 minute",
		time.Minute + time.Second:      "2 minutes",
		signInWindow:                   "5 minutes",
		signInWindow - time.Nanosecond: "5 minutes",
	} {
		if got := minutes(d); got != want {
			t.Errorf("minutes(%v) = %q, want %q", d, got, want)
		}
	}
}
