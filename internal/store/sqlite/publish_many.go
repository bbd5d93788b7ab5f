package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// PublishMany publishes pubs in one write transaction (see store.Store) and,
// when it created deliveries, wakes the Wakeups subscribers of this store.
func (s *Store) PublishMany(ctx context.Context, pubs []store.Publication) ([]store.PublicationResult, error) {
	var results []store.PublicationResult
	err := s.inTx(ctx, func(tx execer) error {
		var err error
		results, err = publishMany(ctx, tx, pubs)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		if r.Deliveries > 0 {
			s.wakeups.send(struct{}{})
			break
		}
	}
	return results, nil
}

// publishMany publishes pubs (see TxStore.PublishMany) on tx, an execer in a
// write transaction: one event after the other, which costs SQLite no round
// trip.
func publishMany(ctx context.Context, tx execer, pubs []store.Publication) ([]store.PublicationResult, error) {
	if err := store.CheckPublishMany(len(pubs)); err != nil {
		return nil, fmt.Errorf("publish events: %w", err)
	}
	now := time.Now()
	results := make([]store.PublicationResult, len(pubs))
	for i, p := range pubs {
		res, err := record(ctx, tx, p.Event, p.Options, now)
		var fe *store.FieldError
		switch {
		case errors.As(err, &fe):
			results[i].Err = err
		case err != nil:
			return nil, fmt.Errorf("publish events: event %d: %w", i, err)
		default:
			results[i].PublishResult = res
		}
	}
	return results, nil
}
