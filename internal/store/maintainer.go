package store

import (
	"context"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/internal/repeat"
)

// Maintainership is the right to maintain a store (rescue expired leases,
// delete old deliveries), which one process at a time holds: see
// Store.TryMaintain. Its zero value is held by no one: Lost is nil and
// Release does nothing.
type Maintainership struct {
	lost    <-chan struct{}
	release func()
}

// Lost returns a channel that is closed when the maintainership ends: it was
// released, the context given to TryMaintain ended, or the store found it
// lost (its connection died, its lease could not be renewed). Its holder
// must then stop maintaining.
func (m Maintainership) Lost() <-chan struct{} { return m.lost }

// Release gives the maintainership up, so that another process may take it
// at once, and returns when that is done. It is safe to call more than once,
// and after the maintainership was lost.
func (m Maintainership) Release() {
	if m.release != nil {
		m.release()
	}
}

// maintainershipGiveUpTimeout bounds the database write that gives a
// maintainership up; past it, the store forgets it anyway (a PostgreSQL
// connection is closed, a SQLite lease expires).
const maintainershipGiveUpTimeout = 5 * time.Second

// HoldMaintainership is how stores implement TryMaintain once they hold the
// maintainership: it calls check every ttl/3 until check fails (the
// maintainership is lost), ctx ends or Release is called, and then calls
// giveUp once, with a context of its own bounded by a few seconds. check and
// giveUp run on one goroutine, never at once. Lost closes after giveUp has
// returned.
func HoldMaintainership(ctx context.Context, ttl time.Duration, check, giveUp func(ctx context.Context) error) Maintainership {
	lost := make(chan struct{})
	ctx, stop := context.WithCancel(ctx)
	every := max(ttl/3, time.Millisecond)
	go func() {
		defer close(lost)
		defer func() {
			giveUpCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), maintainershipGiveUpTimeout)
			defer cancel()
			_ = giveUp(giveUpCtx)
		}()
		repeat.Until(ctx, every, func() bool { return check(ctx) != nil })
	}()
	var once sync.Once
	return Maintainership{lost: lost, release: func() {
		once.Do(stop)
		<-lost
	}}
}
