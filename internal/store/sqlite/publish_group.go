package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/groupcommit"
	"github.com/hookrelay/hookrelay/internal/store"
)

// newStore returns a store that writes through write and reads through read
// (one pool may be both).
func newStore(write, read *sql.DB) *Store {
	s := &Store{writes: newStatements(write), reads: newStatements(read), wakeups: newBroadcast[struct{}](), deactivations: newBroadcast[int64]()}
	s.publishes = groupcommit.New(store.MaxPublishGroup, 1, s.publishGroup)
	return s
}

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
	return store.PublishGrouped(ctx, s.publishes, ev, opts)
}

// publishGroup writes group in one write transaction, wakes the Wakeups
// subscribers when it created deliveries, and then completes its calls. The
// transaction belongs to no caller, so it runs without a deadline; each
// call's ctx is checked before its turn.
func (s *Store) publishGroup(group []*store.PublishCall) {
	ctx := context.Background()
	err := s.inTx(ctx, func(tx execer) error {
		for _, call := range group {
			call.Result, call.Err = publishInGroup(ctx, tx, call)
		}
		return nil
	})
	created := false
	for _, call := range group {
		if err != nil && call.Err == nil {
			call.Result, call.Err = store.PublishResult{}, err
		}
		created = created || call.Result.Deliveries > 0
	}
	if created {
		s.wakeups.send(struct{}{})
	}
}

// publishInGroup publishes call in a savepoint of tx, unless its ctx has
// ended.
func publishInGroup(ctx context.Context, tx execer, call *store.PublishCall) (store.PublishResult, error) {
	if err := call.Ctx.Err(); err != nil {
		return store.PublishResult{}, err
	}
	var res store.PublishResult
	err := inSavepoint(ctx, tx, func() error {
		var err error
		res, err = record(ctx, tx, call.Value.Event, call.Value.Options, time.Now())
		return err
	})
	if err != nil {
		return store.PublishResult{}, err
	}
	return res, nil
}

// inSavepoint runs fn in a savepoint of tx, rolled back to when fn fails and
// released in any case. The rollback and the release run even when ctx ended
// during fn (store.UndoContext): a cancelled caller must not leave half of
// fn's writes in its transaction, to commit with it. When they fail (SQLite
// rolls the whole transaction back on some errors, an interrupt among them),
// the error matches store.ErrTxAborted.
func inSavepoint(ctx context.Context, tx execer, fn func() error) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT publish`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	err := fn()
	undoCtx, cancel := store.UndoContext(ctx)
	defer cancel()
	if err != nil {
		if _, rbErr := tx.ExecContext(undoCtx, `ROLLBACK TO publish`); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w: %w", rbErr, store.ErrTxAborted))
		}
	}
	if _, relErr := tx.ExecContext(undoCtx, `RELEASE publish`); relErr != nil {
		return errors.Join(err, fmt.Errorf("release savepoint: %w: %w", relErr, store.ErrTxAborted))
	}
	return err
}
