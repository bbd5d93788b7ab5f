package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// PublishTx publishes ev inside the caller's transaction tx on the store's
// database file, so that an application can publish atomically with its own
// writes (the outbox pattern). Nothing is visible to workers before tx
// commits, and workers learn of it at their next poll (only Publish wakes
// them). tx should hold the write lock from its start, as the transactions of
// a database opened with DSN do, or a concurrent writer may make it fail with
// SQLITE_BUSY.
//
// ev is first normalised by store.Event.Normalize: an empty ID gets a new
// UUID, a non-UUID ID or an invalid type or data is an error wrapping a
// *store.FieldError, and empty Data becomes {}. The event row is inserted
// unless its ID exists; then the stored event is returned with Created false
// and nothing else is written. Otherwise one pending delivery is inserted for
// each target (store.FanOut): each active endpoint of opts.EndpointIDs,
// whatever it subscribes to, or without EndpointIDs each active endpoint that
// subscribes to ev.Type. A delivery carries the event's type, data (as
// payload) and priority, is due now, and has the endpoint's MaxRetries or
// else opts.MaxRetries.
//
// An invalid event is refused before tx is used. The writes run in a
// savepoint: when one fails, tx is rolled back to it, so that no part of the
// event stays in tx.
func PublishTx(ctx context.Context, tx *sql.Tx, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	if err := ev.Normalize(); err != nil {
		return store.PublishResult{}, fmt.Errorf("publish event: %w", err)
	}
	var res store.PublishResult
	err := inSavepoint(ctx, tx, func() error {
		var err error
		res, err = publish(ctx, tx, ev, opts)
		return err
	})
	return res, err
}

// publish is PublishTx on tx, an execer in a write transaction.
func publish(ctx context.Context, tx execer, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	res, err := record(ctx, tx, ev, opts, time.Now())
	if err != nil {
		return store.PublishResult{}, fmt.Errorf("publish event: %w", err)
	}
	return res, nil
}

// record normalises ev and writes it and its deliveries at now.
func record(ctx context.Context, tx execer, ev store.Event, opts store.PublishOptions, now time.Time) (store.PublishResult, error) {
	if err := ev.Normalize(); err != nil {
		return store.PublishResult{}, err
	}
	if err := refuseForeign(ctx, tx, ev, opts); err != nil {
		return store.PublishResult{}, err
	}
	const insertEvent = `
		INSERT INTO webhook_events (id, type, data, priority, created_at, ordering_key, traceparent, tracestate, tenant_id)
		VALUES (?, ?, ?, ?, ?, nullif(?, ''), nullif(?, ''), nullif(?, ''), nullif(?, ''))
		ON CONFLICT (id) DO NOTHING
		RETURNING ` + eventColumns
	rows, err := tx.QueryContext(ctx, insertEvent, ev.ID, ev.Type, string(ev.Data), ev.Priority, micros(now), ev.OrderingKey,
		ev.TraceParent, ev.TraceState, ev.TenantID)
	created, err := queryOne(rows, err, eventDest)
	if errors.Is(err, store.ErrNotFound) {
		stored, err := getEvent(ctx, tx, ev.ID)
		return store.PublishResult{Event: stored}, err
	}
	if err != nil {
		return store.PublishResult{}, fmt.Errorf("insert event: %w", err)
	}
	targets, err := fanOut(ctx, tx, created, opts)
	if err != nil {
		return store.PublishResult{}, err
	}
	res := store.PublishResult{Event: created, Created: true, Deliveries: len(targets)}
	if len(targets) == 0 {
		return res, nil
	}
	// The targets travel as JSON objects keyed by the field names of
	// store.PublishTarget. Writers take turns, so the IDs of the deliveries
	// of one ordering key follow commit order.
	const insertDeliveries = `
		INSERT INTO webhook_deliveries (
			webhook_id, max_retries, event_id, event_type, payload, priority, created_at, scheduled_for, ordering_key,
			tenant_id)
		SELECT t.value ->> 'EndpointID', t.value ->> 'MaxRetries', :event_id, :type, :payload, :priority, :now, :now,
			nullif(:ordering_key, ''), nullif(:tenant, '')
		FROM json_each(:targets) AS t`
	if _, err := tx.ExecContext(ctx, insertDeliveries,
		sql.Named("event_id", created.ID), sql.Named("type", created.Type),
		sql.Named("payload", string(created.Data)), sql.Named("priority", created.Priority),
		sql.Named("now", micros(now)), sql.Named("targets", jsonText(targets)),
		sql.Named("ordering_key", created.OrderingKey), sql.Named("tenant", created.TenantID)); err != nil {
		return store.PublishResult{}, fmt.Errorf("insert deliveries: %w", err)
	}
	return res, nil
}

// fanOut selects the active endpoints of the stored event ev's tenant (those
// of opts.EndpointIDs when it is not empty) by ascending ID, and returns the
// targets among them (store.FanOut). The tenant filter runs in SQL, on the
// tenant_id index.
func fanOut(ctx context.Context, tx execer, ev store.Event, opts store.PublishOptions) ([]store.PublishTarget, error) {
	const active = `
		SELECT webhooks.id, webhooks.events, webhooks.max_retries, coalesce(webhooks.tenant_id, '')
		FROM webhooks
		WHERE webhooks.active
		  AND (:only IS NULL OR webhooks.id IN (SELECT value FROM json_each(:only)))
		  AND webhooks.tenant_id IS nullif(:tenant, '')
		ORDER BY webhooks.id`
	var only any
	if len(opts.EndpointIDs) > 0 {
		only = jsonText(opts.EndpointIDs)
	}
	rows, err := tx.QueryContext(ctx, active, sql.Named("only", only), sql.Named("tenant", ev.TenantID))
	endpoints, err := queryAll(rows, err, func(e *store.Endpoint) []any {
		return []any{&e.ID, jsonCol{&e.Events}, &e.MaxRetries, &e.TenantID}
	})
	if err != nil {
		return nil, fmt.Errorf("select endpoints: %w", err)
	}
	return store.FanOut(endpoints, ev.Type, ev.TenantID, opts), nil
}

// refuseForeign returns the store.ForeignEndpointsError that refuses ev
// when opts.EndpointIDs names endpoints of another tenant than ev's, or nil.
func refuseForeign(ctx context.Context, tx execer, ev store.Event, opts store.PublishOptions) error {
	if len(opts.EndpointIDs) == 0 {
		return nil
	}
	const look = `
		SELECT webhooks.id, coalesce(webhooks.tenant_id, '')
		FROM webhooks
		WHERE webhooks.id IN (SELECT value FROM json_each(?))`
	rows, err := tx.QueryContext(ctx, look, jsonText(opts.EndpointIDs))
	found, err := queryAll(rows, err, func(e *store.Endpoint) []any { return []any{&e.ID, &e.TenantID} })
	if err != nil {
		return fmt.Errorf("select the tenants of endpoints: %w", err)
	}
	tenants := make(map[int64]string, len(found))
	for _, e := range found {
		tenants[e.ID] = e.TenantID
	}
	if foreign := store.ForeignEndpoints(opts.EndpointIDs, tenants, ev.TenantID); len(foreign) > 0 {
		return store.ForeignEndpointsError(foreign, ev.TenantID)
	}
	return nil
}

// GetEvent returns one event or store.ErrNotFound (also for an ID that is not
// a UUID).
func (s *Store) GetEvent(ctx context.Context, id string) (store.Event, error) {
	ev, err := getEvent(ctx, s.reads, id)
	if err != nil {
		return store.Event{}, fmt.Errorf("get event %s: %w", id, err)
	}
	return ev, nil
}

func getEvent(ctx context.Context, q execer, id string) (store.Event, error) {
	uid, ok := store.CanonicalEventID(id)
	if !ok {
		return store.Event{}, store.ErrNotFound
	}
	const get = `SELECT ` + eventColumns + ` FROM webhook_events WHERE webhook_events.id = ?`
	rows, err := q.QueryContext(ctx, get, uid)
	return queryOne(rows, err, eventDest)
}
