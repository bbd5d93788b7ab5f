package hookrelay

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Event is one occurrence to deliver to every endpoint that subscribes to its
// type.
type Event struct {
	// ID is a UUID that identifies the event; receivers de-duplicate by it.
	// Publishing an ID that exists writes nothing. Empty means a new
	// (time-ordered) one.
	ID string
	// Type is what happened, such as "document.created": printable ASCII,
	// without spaces or "*", at most 200 characters.
	Type string
	// Data is the JSON payload; empty means {}. Receivers get it byte for
	// byte as given (without the JSON whitespace around it). It must be valid
	// JSON in UTF-8 without a \u0000 escape, an unpaired surrogate escape
	// (\ud800) or a number outside PostgreSQL's numeric range.
	Data json.RawMessage
	// Priority orders due deliveries: higher first. It must fit in 32 bits.
	Priority int
	// OrderingKey, when not empty, orders the event after the events
	// published before it with the same key: each endpoint gets the events
	// of one key one at a time, in publish order (commit order), the next
	// only once the one before is delivered, failed for good or cancelled
	// (README "Ordering keys"). At most 255 bytes of UTF-8 text without NUL.
	// In the application's transaction (Publish), the key is locked on
	// PostgreSQL until the transaction ends: another transaction publishing
	// the same key waits for it.
	OrderingKey string
	// TenantID, when not empty, publishes the event in a tenant: only the
	// endpoints of that tenant get it, and an event without tenant only
	// endpoints without one (README "Tenants"). 1 to 64 bytes of ASCII
	// letters, digits and . _ : - (a UUID on Ackify CE's database).
	TenantID string
	// EndpointIDs, when not empty, names the endpoints that get the event
	// (the API's endpoint_ids): each of them that is active gets a
	// delivery, whatever its subscriptions, and no other endpoint does. At
	// most 100 IDs, each of an endpoint that exists (checked outside the
	// application's transaction: an endpoint created in it is not seen
	// yet); an ID of no endpoint, or of an endpoint of another tenant than
	// the event's (TenantID), is an error matching ErrInvalid that names
	// the entries ("endpoint_ids[0]: …"), and nothing is written (README
	// "Explicit targets").
	EndpointIDs []int64
}

// PublishResult is what Publish did.
type PublishResult struct {
	// EventID is the event's ID, generated when Event.ID was empty.
	EventID string
	// Created is false when an event with this ID existed: then nothing was
	// written.
	Created bool
	// Deliveries is the number of deliveries queued, one per active endpoint
	// that subscribes to the event's type.
	Deliveries int
}

// Publish records ev and its deliveries in tx, the application's own open
// transaction on the client's database (a pgx.Tx or a *sql.Tx: see Client),
// beside the application's writes (the outbox pattern): the event exists,
// and is delivered, if and only if tx commits. If tx rolls back, or the
// process dies before the commit, nothing was published. Workers see the
// event once tx commits (on PostgreSQL they are woken then; on SQLite, at
// their next poll).
//
// The trace context of ctx (its OpenTelemetry span, W3C traceparent and
// tracestate) is stored with the event: each attempt of its deliveries is a
// span of that trace, and the requests carry it on (Config.TraceHeader).
//
// An invalid event is an error matching ErrInvalid, returned before tx is
// used. The event is written in a savepoint of tx: when the database refuses
// a write, or ctx ends half-way, Publish returns its error and tx is still
// usable, without any part of the event. When that cannot be undone (the
// connection broke), or tx was aborted before (PostgreSQL), the error matches
// ErrTxAborted: roll tx back. A nil tx is an error.
//
// tx must not be used by another goroutine during the call (a transaction is
// one connection, not safe for concurrent use: database/sql drivers can
// panic or break the connection); publish concurrently in transactions of
// their own.
func (c *Client[TTx]) Publish(ctx context.Context, tx TTx, ev Event) (PublishResult, error) {
	ts, err := c.driver.inTx(tx)
	if err != nil {
		return PublishResult{}, fmt.Errorf("hookrelay: publish: %w", err)
	}
	pub, err := c.service.Prepare(ctx, ev.request())
	if err != nil {
		return publishResult(store.PublishResult{}, err)
	}
	var res store.PublishResult
	err = ts.Savepoint(ctx, func() error {
		var err error
		res, err = ts.Publish(ctx, pub.Event, pub.Options)
		return err
	})
	return publishResult(res, err)
}

// PublishNow publishes ev in a transaction of its own, for events that go
// with no write of the application's. It is a span (hookrelay.publish) of
// the trace of ctx, whose context the event stores (see Publish).
func (c *Client[TTx]) PublishNow(ctx context.Context, ev Event) (PublishResult, error) {
	res, err := c.service.Publish(ctx, ev.request())
	return publishResult(res, err)
}

// request is ev as the service takes it.
func (ev Event) request() service.PublishRequest {
	return service.PublishRequest{Event: store.Event{ID: ev.ID, Type: ev.Type, Data: ev.Data, Priority: ev.Priority, OrderingKey: ev.OrderingKey, TenantID: ev.TenantID}, EndpointIDs: ev.EndpointIDs}
}

func publishResult(res store.PublishResult, err error) (PublishResult, error) {
	if err != nil {
		return PublishResult{}, fmt.Errorf("hookrelay: %w", public(err))
	}
	return PublishResult{EventID: res.Event.ID, Created: res.Created, Deliveries: res.Deliveries}, nil
}
