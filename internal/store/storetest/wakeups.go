package storetest

import (
	"context"
	"testing"
	"time"
)

var wakeupTests = []test{
	{"WakeupsAfterPublish", func(t *testing.T, f *fixture) {
		f.endpoint()
		ctx, cancel := context.WithCancel(f.ctx)
		wake := f.s.Wakeups(ctx)
		// The listener may not listen yet when Wakeups returns: publish until
		// a wakeup comes.
		Eventually(t, "a wakeup after publishing", func() bool {
			f.publish("document.created")
			select {
			case _, ok := <-wake:
				if !ok {
					t.Fatal("wakeups closed early")
				}
				return true
			case <-time.After(50 * time.Millisecond):
				return false
			}
		})
		cancel()
		Eventually(t, "wakeups closed after cancel", func() bool {
			select {
			case _, ok := <-wake:
				return !ok
			case <-time.After(50 * time.Millisecond):
				return false
			}
		})
	}},
}
