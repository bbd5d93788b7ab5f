// Package testwait bounds the waits of tests: every wait for something that
// should happen soon (a value on a channel, a condition, goroutines ending)
// fails the test after Timeout instead of hanging until the test binary's
// own timeout, so that a broken test fails in seconds with a message.
package testwait

import (
	"sync"
	"testing"
	"time"
)

// Timeout bounds every wait: long enough for a loaded two-core machine, short
// enough that a broken test fails in seconds.
const Timeout = 10 * time.Second

// Receive returns the next value of ch (the zero value once ch is closed),
// failing t when none arrives within Timeout. what names the awaited value in
// the failure.
func Receive[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(Timeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("%s: nothing within %s", what, Timeout)
		panic("unreachable")
	}
}

// Until polls cond every few milliseconds until it holds, failing t when it
// still does not after Timeout.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not true after %s", what, Timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Group waits for wg, failing t when its goroutines have not all returned
// within Timeout.
func Group(t testing.TB, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	Receive(t, done, what)
}
