package authlimit

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
func newTestLimiter() (*Limiter, *testClock) {
	clock := &testClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	return New(clock.now), clock
}

// failTimes makes n attempts from addr that fail, and reports whether the
// last was admitted as the window's last.
func failTimes(l *Limiter, addr string, n int) bool {
	last := false
	for range n {
		_, last = l.Attempt(addr)
	}
	return last
}

// refused reports whether an attempt from addr is refused now; an admitted
// attempt counts.
func refused(l *Limiter, addr string) bool {
	wait, _ := l.Attempt(addr)
	return wait > 0
}

func TestLimiter(t *testing.T) {
	const addr, other = "192.0.2.1", "192.0.2.2"

	t.Run("five failures in the window shut the address out until it ends", func(t *testing.T) {
		l, clock := newTestLimiter()
		if failTimes(l, addr, MaxFailures-1) {
			t.Fatal("the fourth attempt was the last")
		}
		clock.advance(time.Minute)
		if wait, last := l.Attempt(addr); wait != 0 || !last {
			t.Fatalf("fifth attempt: wait %v, last %v; want admitted as the last", wait, last)
		}
		if wait, last := l.Attempt(addr); wait != Window-time.Minute || last {
			t.Fatalf("sixth attempt: wait %v, last %v; want %v", wait, last, Window-time.Minute)
		}
	})

	t.Run("a success clears the count", func(t *testing.T) {
		l, _ := newTestLimiter()
		failTimes(l, addr, MaxFailures-1)
		l.Attempt(addr)
		l.Succeed(addr)
		if failTimes(l, addr, MaxFailures-1) || refused(l, addr) {
			t.Fatal("attempts before the success still count")
		}
		if !refused(l, addr) {
			t.Error("not refused after five failures since the success")
		}
	})

	t.Run("another address is unaffected", func(t *testing.T) {
		l, _ := newTestLimiter()
		failTimes(l, addr, MaxFailures)
		if !refused(l, addr) {
			t.Fatal("the address was not shut out")
		}
		if refused(l, other) {
			t.Error("another address was refused")
		}
	})

	t.Run("the window ending lets the address in again", func(t *testing.T) {
		l, clock := newTestLimiter()
		failTimes(l, addr, MaxFailures)
		clock.advance(Window - time.Nanosecond)
		if wait, _ := l.Attempt(addr); wait != time.Nanosecond {
			t.Fatalf("wait = %v just before the window ends", wait)
		}
		clock.advance(time.Nanosecond)
		if failTimes(l, addr, MaxFailures-1) || refused(l, addr) {
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
		if got := admitted.Load(); got != MaxFailures {
			t.Errorf("%d attempts admitted, want %d", got, MaxFailures)
		}
	})

	t.Run("memory stays bounded", func(t *testing.T) {
		l, clock := newTestLimiter()
		const extra = 100
		for i := range maxClients + extra {
			l.Attempt(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
			clock.advance(time.Millisecond)
		}
		if len(l.byClient) != maxClients || l.windows.Len() != maxClients {
			t.Fatalf("%d addresses in the map, %d in the list, want %d", len(l.byClient), l.windows.Len(), maxClients)
		}
		if _, ok := l.byClient["10.0.0.0"]; ok {
			t.Error("the oldest address was kept")
		}
		if _, ok := l.byClient[fmt.Sprintf("10.0.%d.%d", extra/256, extra%256)]; !ok {
			t.Error("an address within the cap was dropped")
		}
		clock.advance(Window)
		l.Succeed(addr)
		l.Attempt(addr)
		if len(l.byClient) != 1 || l.windows.Len() != 1 {
			t.Errorf("%d addresses kept after their windows ended, want 1", len(l.byClient))
		}
	})
}

func TestFailAndWait(t *testing.T) {
	l, clock := newTestLimiter()
	const addr = "192.0.2.1"
	for i := range MaxFailures {
		if l.Wait(addr) != 0 {
			t.Fatalf("refused after %d failures", i)
		}
		if wait, last := l.Fail(addr); wait != 0 || last != (i == MaxFailures-1) {
			t.Fatalf("failure %d: wait %v last %v", i+1, wait, last)
		}
	}
	if wait, _ := l.Fail(addr); wait != Window {
		t.Fatalf("failure past the limit: wait %v, want %v", wait, Window)
	}
	clock.advance(time.Minute)
	if got := l.Wait(addr); got != Window-time.Minute {
		t.Errorf("Wait = %v, want %v", got, Window-time.Minute)
	}
	// Checks that succeed count nothing, however many.
	for range 100 {
		l.Wait("192.0.2.9")
	}
	if _, ok := l.byClient["192.0.2.9"]; ok {
		t.Error("a successful check was remembered")
	}
}

func TestClientKey(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.1:51234":          "192.0.2.1",
		"[::ffff:192.0.2.1]:51234": "192.0.2.1",
		"[2001:db8::1]:51234":      "2001:db8::/64",
		"[2001:db8::ffff:1:2:3]:1": "2001:db8::/64",
		"[2001:db8:0:1::1]:1":      "2001:db8:0:1::/64",
		"[fe80::1%eth0]:1":         "fe80::/64",
		"@":                        "@",
	} {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{"X-Forwarded-For": {"203.0.113.9"}}}
		if got := ClientKey(r); got != want {
			t.Errorf("ClientKey(%q) = %q, want %q", remote, got, want)
		}
	}
}
