package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
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
		closedAfterCancel(t, "wakeups", wake)
	}},
}

var deactivationTests = []test{
	{"DeactivationsAnnounceDisabledAndDeletedEndpoints", func(t *testing.T, f *fixture) {
		ctx, cancel := context.WithCancel(f.ctx)
		ids := f.s.Deactivations(ctx)
		// 0 says it is ready: every deactivation from now on reaches it.
		if got := receiveID(t, ids, 5*time.Second); got != 0 {
			t.Fatalf("first value %d, want 0 once ready", got)
		}
		disabled := f.endpoint()
		f.setActive(disabled.ID, false)
		if got := receiveID(t, ids, 5*time.Second); got != disabled.ID {
			t.Fatalf("after a disable: announced %d, want %d", got, disabled.ID)
		}
		deleted := f.endpoint()
		if err := f.s.DeleteEndpoint(f.ctx, deleted.ID); err != nil {
			t.Fatal(err)
		}
		if got := receiveID(t, ids, 5*time.Second); got != deleted.ID {
			t.Fatalf("after a delete: announced %d, want %d", got, deleted.ID)
		}
		failing := f.endpoint()
		f.publish("document.created")
		if res := f.failDue(store.HealthPolicy{DisableAfterFailures: 1}); len(res.Disabled) != 1 {
			t.Fatalf("health rules disabled %v, want endpoint %d", res.Disabled, failing.ID)
		}
		if got := receiveID(t, ids, 5*time.Second); got != failing.ID {
			t.Fatalf("after health rules disabled it: announced %d, want %d", got, failing.ID)
		}
		cancel()
		closedAfterCancel(t, "deactivations", ids)
	}},
}

// receiveID returns the next id from ids, or 0 when none comes within wait.
func receiveID(t *testing.T, ids <-chan int64, wait time.Duration) int64 {
	t.Helper()
	select {
	case id, ok := <-ids:
		if !ok {
			t.Fatal("deactivations closed early")
		}
		return id
	case <-time.After(wait):
		return 0
	}
}

// closedAfterCancel waits, within Eventually's deadline, until ch is closed,
// as a subscription's channel is once its context is cancelled; what names
// the subscription.
func closedAfterCancel[T any](t *testing.T, what string, ch <-chan T) {
	t.Helper()
	Eventually(t, what+" closed after cancel", func() bool {
		select {
		case _, ok := <-ch:
			return !ok
		case <-time.After(50 * time.Millisecond):
			return false
		}
	})
}
