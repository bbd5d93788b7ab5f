package hookrelay

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// MaxPublishMany is the most events one PublishMany or PublishManyNow takes.
const MaxPublishMany = store.MaxPublishMany

// publishManyTxFunc publishes many events in the caller's transaction of one
// kind of store.
type publishManyTxFunc func(ctx context.Context, tx Tx, pubs []store.Publication) ([]store.PublicationResult, error)

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
// events, or more than MaxPublishMany, is also an ErrInvalid error.
func (c *Client) PublishMany(ctx context.Context, tx Tx, evs []Event) ([]PublishResult, error) {
	if tx == nil {
		return nil, errors.New("hookrelay: publish many: nil transaction; use PublishManyNow to publish on their own")
	}
	return c.publishMany(ctx, evs, func(pubs []store.Publication) ([]store.PublicationResult, error) {
		return c.publishManyTx(ctx, tx, pubs)
	})
}

// PublishManyNow publishes evs, as PublishMany does, in one transaction of
// their own, for events that go with no write of the application's.
func (c *Client) PublishManyNow(ctx context.Context, evs []Event) ([]PublishResult, error) {
	return c.publishMany(ctx, evs, func(pubs []store.Publication) ([]store.PublicationResult, error) {
		return c.store.PublishMany(ctx, pubs)
	})
}

// publishMany checks and normalises evs (service.PrepareMany) and then
// publishes them all with write.
func (c *Client) publishMany(ctx context.Context, evs []Event, write func([]store.Publication) ([]store.PublicationResult, error)) ([]PublishResult, error) {
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
