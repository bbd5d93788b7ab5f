// Package groupcommit lets concurrent callers share one database
// transaction (group commit). While groups of calls are written (at most a
// set number at once), the calls that arrive queue up; the next group takes
// them all, up to a maximum, so that one commit (one fsync, one round trip)
// serves many callers.
//
// Both stores group their single publishes with it: SQLite, whose commits
// each cost an fsync on its one writer, and PostgreSQL, whose commits each
// cost a round trip and a WAL flush.
package groupcommit

import (
	"context"
	"sync"
)

// Call is one caller's request in a group: the write function reads Ctx and
// Value and sets Result and Err.
type Call[T, R any] struct {
	// Ctx is the caller's context. The write function should skip a call
	// whose Ctx has ended before its turn (the caller no longer waits).
	Ctx context.Context
	// Value is what the caller asked to write.
	Value T
	// Result and Err are what the write did for this call.
	Result R
	Err    error

	done chan struct{} // closed once Result and Err are set
}

// Queue holds the calls waiting for a group; one goroutine at most writes
// groups, and only while calls are waiting. The zero Queue is not usable:
// make one with New.
type Queue[T, R any] struct {
	maxGroup int
	writers  int
	write    func(group []*Call[T, R])

	mu      sync.Mutex
	waiting []*Call[T, R]
	running int // goroutines writing groups
}

// New returns a queue whose groups hold at most maxGroup calls (at least 1),
// written by write: write must set Result and Err of every call of group
// before it returns. Groups are taken in the order the calls arrived; at
// most writers (at least 1) run write at once, so with one writer groups are
// also written in that order, and with more a group may start while others
// are being written (a store whose transactions do not serialise gains from
// that: one group's round trips overlap another's).
func New[T, R any](maxGroup, writers int, write func(group []*Call[T, R])) *Queue[T, R] {
	return &Queue[T, R]{maxGroup: max(1, maxGroup), writers: max(1, writers), write: write}
}

// Do queues v, waits for its group to be written, and returns its Result and
// Err. When ctx ends first, Do returns ctx.Err() at once; the call is then
// not written unless its group has started it (see Call.Ctx).
func (q *Queue[T, R]) Do(ctx context.Context, v T) (R, error) {
	call := &Call[T, R]{Ctx: ctx, Value: v, done: make(chan struct{})}
	q.add(call)
	select {
	case <-call.done:
		return call.Result, call.Err
	case <-ctx.Done():
		var zero R
		return zero, ctx.Err()
	}
}

// add queues call and starts a writing goroutine unless writers run.
func (q *Queue[T, R]) add(call *Call[T, R]) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.waiting = append(q.waiting, call)
	if q.running < q.writers {
		q.running++
		go q.run()
	}
}

// next takes the next group of waiting calls or, when none waits, counts
// the calling goroutine as no longer running and returns nil.
func (q *Queue[T, R]) next() []*Call[T, R] {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.waiting), q.maxGroup)
	if n == 0 {
		q.running--
		if q.running == 0 {
			q.waiting = nil
		}
		return nil
	}
	group := q.waiting[:n:n]
	q.waiting = q.waiting[n:]
	return group
}

// run writes groups until no call waits.
func (q *Queue[T, R]) run() {
	for group := q.next(); group != nil; group = q.next() {
		q.write(group)
		for _, call := range group {
			close(call.done)
		}
	}
}

// Context returns a context for writing group that ends once the Ctx of
// every call of group has ended, when no caller waits any more (and when
// cancel is called).
func Context[T, R any](group []*Call[T, R]) (ctx context.Context, cancel context.CancelFunc) {
	ctx, cancel = context.WithCancel(context.Background())
	var mu sync.Mutex
	waiting := len(group)
	for _, call := range group {
		stop := context.AfterFunc(call.Ctx, func() {
			mu.Lock()
			defer mu.Unlock()
			if waiting--; waiting == 0 {
				cancel()
			}
		})
		context.AfterFunc(ctx, func() { stop() })
	}
	return ctx, cancel
}
