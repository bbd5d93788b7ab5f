package hookrelay

import (
	"context"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// MaxPublishMany is the most events one PublishMany or PublishManyNow takes.
const MaxPublishMany = store.MaxPublishMany

// PublishMany records evs and their deliveries in tx, the application's own
// transaction, as Publish records one event: the events exist, and are
// delivered, if and only if tx commits. It costs a few statements whatever
// the number of events (on PostgreSQL), and returns one result per event, in
// order. An ID that exists, or that an earlier event of evs has, writes
// nothing and returns Created false.
//
// evs is checked first, as a whole: when one of them is invalid, PublishMany
// writes nothing and returns an error matching ErrInvalid that names it by
// its index ("events[2]: type: is required"); tx is then still usable. No
// events, or more than MaxPublishMany, is also an ErrInvalid error. The
// events are written in one savepoint of tx: when the database refuses a
// write, or ctx ends half-way, none of them stays in tx, and tx is still
// usable (or the error matches ErrTxAborted, as for Publish). A nil tx is an
// error. As for Publish, tx must not be used by another goroutine during
// the call.
func (c *Client[TTx]) PublishMany(ctx context.Context, tx TTx, evs []Event) ([]PublishResult, error) {
	ts, err := c.driver.inTx(tx)
	if err != nil {
		return nil, fmt.Errorf("hookrelay: publish many: %w", err)
	}
	return c.publishMany(ctx, evs, func(pubs []store.Publication) ([]store.PublicationResult, error) {
		var results []store.PublicationResult
		err := ts.Savepoint(ctx, func() error {
			var err error
			results, err = ts.PublishMany(ctx, pubs)
			return err
		})
		return results, err
	})
}

// PublishManyNow publishes evs, as PublishMany does, in one transaction of
// their own, for events that go with no write of the application's.
func (c *Client[TTx]) PublishManyNow(ctx context.Context, evs []Event) ([]PublishResult, error) {
	return c.publishMany(ctx, evs, func(pubs []store.Publication) ([]store.PublicationResult, error) {
		return c.store.PublishMany(ctx, pubs)
	})
}

// publishMany checks and normalises evs (service.PrepareMany) and then
// publishes them all with write.
func (c *Client[TTx]) publishMany(ctx context.Context, evs []Event, write func([]store.Publication) ([]store.PublicationResult, error)) ([]PublishResult, error) {
	reqs := make([]service.PublishRequest, len(evs))
	for i, ev := range evs {
		reqs[i] = ev.request()
	}
	pubs, err := c.service.PrepareMany(ctx, reqs)
	if err != nil {
		return nil, fmt.Errorf("hookrelay: %w", err)
	}
	results, err := write(pubs)
	if err != nil {
		return nil, fmt.Errorf("hookrelay: %w", public(err))
	}
	out := make([]PublishResult, len(results))
	for i, r := range results {
		if r.Err != nil {
			return nil, fmt.Errorf("hookrelay: events[%d]: %w", i, public(r.Err))
		}
		out[i] = PublishResult{EventID: r.Event.ID, Created: r.Created, Deliveries: r.Deliveries}
	}
	return out, nil
}
