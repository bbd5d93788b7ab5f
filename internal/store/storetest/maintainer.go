package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// maintainerTTL is the maintainership lease of the tests: long enough that
// no holder loses it while a test runs.
const maintainerTTL = time.Minute

var maintainerTests = []test{
	{"TryMaintainOneHolderAtATime", func(t *testing.T, f *fixture) {
		first := f.tryMaintain("first", true)
		f.tryMaintain("second", false)
		first.Release()
		select {
		case <-first.Lost():
		default:
			t.Fatal("Lost is still open after Release")
		}
		first.Release() // a second release does nothing
		second := f.tryMaintain("second", true)
		f.tryMaintain("first", false)
		second.Release()
	}},
	{"TryMaintainEndsWithItsContext", func(t *testing.T, f *fixture) {
		ctx, cancel := context.WithCancel(f.ctx)
		m, ok, err := f.s.TryMaintain(ctx, "first", maintainerTTL)
		if err != nil || !ok {
			t.Fatalf("TryMaintain = %v, %v; want the maintainership", ok, err)
		}
		cancel()
		waitClosed(t, "maintainership lost once its context ended", m.Lost())
		f.tryMaintain("second", true).Release()
	}},
}

// tryMaintain calls TryMaintain for holder, checks that it is won (or not,
// as want says) and releases a maintainership won when the test ends.
func (f *fixture) tryMaintain(holder string, want bool) store.Maintainership {
	f.t.Helper()
	m, ok, err := f.s.TryMaintain(f.ctx, holder, maintainerTTL)
	if err != nil || ok != want {
		f.t.Fatalf("TryMaintain(%s) = %v, %v; want %v", holder, ok, err, want)
	}
	f.t.Cleanup(m.Release)
	return m
}

// waitClosed waits until c is closed, failing t past testwait.Timeout.
func waitClosed(t *testing.T, what string, c <-chan struct{}) {
	t.Helper()
	Eventually(t, what, func() bool {
		select {
		case <-c:
			return true
		default:
			return false
		}
	})
}
