package testenv

import (
	"context"
	"sync"
	"testing"

	"github.com/hookrelay/hookrelay/internal/testwait"
)

// Run runs run (a worker's or a maintainer's Run, say) in a goroutine of
// its own until the returned stop is called or tb ends, whichever comes
// first: stop cancels run's context, waits within testwait's deadline for
// run to return, and fails tb with run's error; what names run in those
// messages. Calling stop again does nothing.
func Run(tb testing.TB, what string, run func(ctx context.Context) error) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	stop = sync.OnceFunc(func() {
		cancel()
		if err := testwait.Receive(tb, done, what+" stops"); err != nil {
			tb.Errorf("%s: %v", what, err)
		}
	})
	tb.Cleanup(stop)
	return stop
}
