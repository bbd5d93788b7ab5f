package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hookrelay/hookrelay/internal/store"
)

// maxPublishGroup is the most publishes one group transaction takes.
const maxPublishGroup = 128

// Publish records ev and its deliveries atomically (see PublishTx) and
// returns once they are committed; when it created deliveries, it wakes the
// Wakeups subscribers of this store.
//
// Concurrent publishes share write transactions (group commit): while one
// transaction commits, the publishes that arrive queue up, and the next
// transaction takes them all, each in a savepoint of its own, so that one
// commit (one fsync) serves many. A publish that fails rolls back to its
// savepoint and leaves the others of its group be. A publish whose ctx ends
// while it waits is not written, unless its group has started it.
func (s *Store) Publish(ctx context.Context, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	call := &publishCall{ctx: ctx, ev: ev, opts: opts, done: make(chan struct{})}
	s.publishes.add(call, s.runPublishGroups)
	select {
	case <-call.done:
		return call.res, call.err
	case <-ctx.Done():
		return store.PublishResult{}, fmt.Errorf("publish event: %w", ctx.Err())
	}
}

// publishCall is one Publish waiting for its group.
type publishCall struct {
	ctx  context.Context
	ev   store.Event
	opts store.PublishOptions
	res  store.PublishResult
	err  error
	done chan struct{} // closed once res and err are set
}

// publishQueue holds the publishes waiting for a group transaction; one
// goroutine at most runs the groups, while there are publishes waiting.
type publishQueue struct {
	mu      sync.Mutex
	waiting []*publishCall
	running bool
}

// add queues call and starts run in a goroutine unless it is running.
func (q *publishQueue) add(call *publishCall, run func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.waiting = append(q.waiting, call)
	if !q.running {
		q.running = true
		go run()
	}
}

// next takes the next group of waiting publishes, or nil, and then marks the
// queue as no longer running, when none is waiting.
func (q *publishQueue) next() []*publishCall {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.waiting), maxPublishGroup)
	if n == 0 {
		q.running = false
		return nil
	}
	group := q.waiting[:n:n]
	q.waiting = q.waiting[n:]
	return group
}

// runPublishGroups writes groups of waiting publishes until none is left.
func (s *Store) runPublishGroups() {
	for group := s.publishes.next(); group != nil; group = s.publishes.next() {
		s.publishGroup(group)
	}
}

// publishGroup writes group in one write transaction, wakes the Wakeups
// subscribers when it created deliveries, and then completes its calls. The
// transaction belongs to no caller, so it runs without a deadline; each
// call's ctx is checked before its turn.
func (s *Store) publishGroup(group []*publishCall) {
	ctx := context.Background()
	err := s.inTx(ctx, func(tx execer) error {
		for _, call := range group {
			call.res, call.err = publishInGroup(ctx, tx, call)
		}
		return nil
	})
	created := false
	for _, call := range group {
		if err != nil && call.err == nil {
			call.res, call.err = store.PublishResult{}, fmt.Errorf("publish event: %w", err)
		}
		created = created || call.res.Deliveries > 0
	}
	if created {
		s.wakeups.send()
	}
	for _, call := range group {
		close(call.done)
	}
}

// publishInGroup publishes call in a savepoint of tx, unless its ctx has
// ended.
func publishInGroup(ctx context.Context, tx execer, call *publishCall) (store.PublishResult, error) {
	if err := call.ctx.Err(); err != nil {
		return store.PublishResult{}, fmt.Errorf("publish event: %w", err)
	}
	var res store.PublishResult
	err := inSavepoint(ctx, tx, func() error {
		var err error
		res, err = publish(ctx, tx, call.ev, call.opts)
		return err
	})
	if err != nil {
		return store.PublishResult{}, err
	}
	return res, nil
}

// inSavepoint runs fn in a savepoint of tx, rolled back to when fn fails.
func inSavepoint(ctx context.Context, tx execer, fn func() error) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT publish`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	err := fn()
	if err != nil {
		if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO publish`); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rbErr))
		}
	}
	if _, relErr := tx.ExecContext(ctx, `RELEASE publish`); relErr != nil {
		return errors.Join(err, fmt.Errorf("release savepoint: %w", relErr))
	}
	return err
}
