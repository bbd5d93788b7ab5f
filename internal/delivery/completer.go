package delivery

import (
	"context"
	"log/slog"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

const (
	// completeBatch is the most outcomes written by one Complete call.
	completeBatch = 256
	// completeRetryMax is the longest wait between two tries of a failed write.
	completeRetryMax = 5 * time.Second
)

// completer collects attempt outcomes from the senders and writes them to the
// store in batches, so the hot path costs a few statements per batch rather
// than per delivery. A failed write is retried until it succeeds or the
// completer is stopped; outcomes whose lease expired in the meantime are
// skipped by the store and their deliveries are sent again (at-least-once).
type completer struct {
	store    store.Store
	health   store.HealthPolicy
	logger   *slog.Logger
	observer Observer
	in       chan store.Outcome
	done     chan struct{}
}

func newCompleter(s store.Store, health store.HealthPolicy, logger *slog.Logger, observer Observer, capacity int) *completer {
	return &completer{
		store:    s,
		health:   health,
		logger:   logger,
		observer: observer,
		in:       make(chan store.Outcome, capacity),
		done:     make(chan struct{}),
	}
}

// add queues an outcome; it blocks only when the completer is far behind.
func (c *completer) add(o store.Outcome) { c.in <- o }

// run writes outcomes until in is closed and drained. ctx bounds each write;
// when it ends, outcomes still unwritten are dropped and their leases expire.
func (c *completer) run(ctx context.Context) {
	defer close(c.done)
	batch := make([]store.Outcome, 0, completeBatch)
	for o := range c.in {
		batch = append(batch[:0], o)
	drain:
		for len(batch) < completeBatch {
			select {
			case o, ok := <-c.in:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		c.write(ctx, batch)
	}
}

func (c *completer) write(ctx context.Context, batch []store.Outcome) {
	wait := 50 * time.Millisecond
	for {
		res, err := c.store.Complete(ctx, batch, c.health)
		if err == nil {
			for _, d := range res.Disabled {
				c.logger.LogAttrs(ctx, slog.LevelWarn, "endpoint disabled",
					slog.Int64("webhook_id", d.ID), slog.String("reason", d.Reason))
				c.observer.EndpointDisabled(d.ID, d.Reason)
			}
			return
		}
		c.logger.LogAttrs(ctx, slog.LevelError, "record delivery outcomes failed; retrying",
			slog.Int("outcomes", len(batch)), slog.String("error", err.Error()))
		select {
		case <-ctx.Done():
			c.logger.LogAttrs(context.Background(), slog.LevelError, "delivery outcomes not recorded; their leases will expire and they will be sent again",
				slog.Int("outcomes", len(batch)))
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, completeRetryMax)
	}
}
