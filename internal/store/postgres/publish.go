package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
)

// wakeupChannel is the NOTIFY channel that tells workers deliveries are due.
const wakeupChannel = "hookrelay_deliveries"

// PublishTx publishes ev inside the caller's transaction tx, so that an
// application can publish atomically with its own writes (the outbox
// pattern). Nothing is visible to workers before tx commits.
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
// else opts.MaxRetries. When deliveries were created,
// workers are notified on commit.
//
// An event with an OrderingKey that creates deliveries locks its key until
// tx ends (lockOrderingKeys): a publish of the same key in another
// transaction waits for tx, so that delivery IDs follow commit order. Here
// the lock is a blocking one (tx is the caller's own transaction and waits
// for the key); Store.Publish of the same key waits for tx without holding a
// connection or delaying publishes of other keys, so keep tx short. A
// transaction that publishes several keys should take them in sorted order,
// or it may deadlock with one that takes them in another order.
//
// An invalid event is refused before tx is used. The writes run in a
// savepoint: when one fails, tx is rolled back to it and stays usable.
func PublishTx(ctx context.Context, tx pgx.Tx, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	return publishTx(ctx, tx, ev, opts)
}

// publishTx is PublishTx on q, a transaction of pgx or of database/sql.
func publishTx(ctx context.Context, q querier, ev store.Event, opts store.PublishOptions) (store.PublishResult, error) {
	if err := ev.Normalize(); err != nil {
		return store.PublishResult{}, fmt.Errorf("publish event: %w", err)
	}
	var res store.PublishResult
	err := inSavepoint(ctx, q, func() error {
		format, err := readTenantFormat(ctx, q)
		if err != nil {
			return err
		}
		res, err = publishEvent(ctx, q, ev, opts, format)
		return err
	})
	return res, err
}

// publishEvent publishes ev in tx (see PublishTx), without a savepoint, on
// a database whose tenant IDs follow format.
func publishEvent(ctx context.Context, tx querier, ev store.Event, opts store.PublishOptions, format store.TenantFormat) (store.PublishResult, error) {
	res, err := publish(ctx, tx, ev, opts, format)
	if err != nil {
		return store.PublishResult{}, fmt.Errorf("publish event: %w", err)
	}
	// tx may come from a connection that scans times in local time.
	res.Event.CreatedAt = res.Event.CreatedAt.UTC()
	return res, nil
}

func publish(ctx context.Context, q querier, ev store.Event, opts store.PublishOptions, format store.TenantFormat) (store.PublishResult, error) {
	if err := normalize(&ev, format); err != nil {
		return store.PublishResult{}, err
	}
	refused, err := foreignTargets(ctx, q, []store.Publication{{Event: ev, Options: opts}})
	if err != nil {
		return store.PublishResult{}, err
	}
	if refused[0] != nil {
		return store.PublishResult{}, refused[0]
	}
	insertEvent := `
		INSERT INTO webhook_events AS e (id, type, data, priority, ordering_key, traceparent, tracestate, tenant_id)
		VALUES ($1, $2, $3, $4, nullif($5, ''), nullif($6, ''), nullif($7, ''), ` + storedTenant("$8") + `)
		ON CONFLICT (id) DO NOTHING
		RETURNING ` + eventColumns
	created, err := queryOne(q.QueryRow(ctx, insertEvent, ev.ID, ev.Type, string(ev.Data), ev.Priority, ev.OrderingKey,
		ev.TraceParent, ev.TraceState, ev.TenantID), eventDest)
	if errors.Is(err, store.ErrNotFound) {
		stored, err := getEvent(ctx, q, ev.ID)
		return store.PublishResult{Event: stored}, err
	}
	if err != nil {
		return store.PublishResult{}, fmt.Errorf("insert event: %w", err)
	}
	targets, err := fanOut(ctx, q, created, opts)
	if err != nil {
		return store.PublishResult{}, err
	}
	res := store.PublishResult{Event: created, Created: true, Deliveries: len(targets)}
	if len(targets) == 0 {
		return res, nil
	}
	ids := make([]int64, len(targets))
	maxRetries := make([]int, len(targets))
	for i, t := range targets {
		ids[i], maxRetries[i] = t.EndpointID, t.MaxRetries
	}
	if err := lockOrderingKeys(ctx, q, []string{created.OrderingKey}); err != nil {
		return store.PublishResult{}, err
	}
	const insertDeliveries = `
		INSERT INTO webhook_deliveries (webhook_id, max_retries, event_id, event_type, payload, priority, tenant_id, ordering_key)
		SELECT t.webhook_id, t.max_retries, $3, $4, $5, $6,
			(SELECT w.tenant_id FROM webhooks w WHERE w.id = t.webhook_id), nullif($7, '')
		FROM unnest($1::bigint[], $2::int[]) AS t (webhook_id, max_retries)`
	if _, err := q.Exec(ctx, insertDeliveries, ids, maxRetries,
		created.ID, created.Type, created.Data, created.Priority, created.OrderingKey); err != nil {
		return store.PublishResult{}, fmt.Errorf("insert deliveries: %w", err)
	}
	if _, err := q.Exec(ctx, `SELECT pg_notify($1, '')`, wakeupChannel); err != nil {
		return store.PublishResult{}, fmt.Errorf("notify: %w", err)
	}
	return res, nil
}

// orderingKeyLock is the SQL expression of the advisory lock ID of the
// ordering key t.key: a 64-bit hash of the schema and the key.
const orderingKeyLock = `hashtextextended(current_schema() || '/' || t.key, 1751872108)`

// lockOrderingKeys takes, for the rest of the transaction, a lock on each
// non-empty key of keys, in sorted order (so that two transactions that lock
// the same keys never deadlock), and waits for transactions that hold one.
//
// It is taken before a transaction inserts deliveries with a key, so that
// the delivery IDs of one key are allocated in commit order: IDs come from a
// sequence before commit, and without the lock a transaction could take ID
// 10, another ID 11 and commit first, and a claim between the two commits
// would see 11 as the head of the key's line. The lock is an advisory lock
// on a 64-bit hash of the schema and the key, so each schema has its own; two
// keys that share a hash only wait for each other.
func lockOrderingKeys(ctx context.Context, q querier, keys []string) error {
	sorted := make([]string, 0, len(keys))
	for _, k := range keys {
		if k != "" {
			sorted = append(sorted, k)
		}
	}
	if len(sorted) == 0 {
		return nil
	}
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	const lock = `
		SELECT count(pg_advisory_xact_lock(` + orderingKeyLock + `))
		FROM (SELECT t.key FROM unnest($1::text[]) WITH ORDINALITY AS t (key, n) ORDER BY t.n) t`
	if _, err := q.Exec(ctx, lock, sorted); err != nil {
		return fmt.Errorf("lock ordering keys: %w", err)
	}
	return nil
}

// fanOut selects the active endpoints of the stored event ev's tenant (those
// of opts.EndpointIDs when it is not empty) by ascending ID, and returns the
// targets among them (store.FanOut).
func fanOut(ctx context.Context, q querier, ev store.Event, opts store.PublishOptions) ([]store.PublishTarget, error) {
	endpoints, err := activeEndpoints(ctx, q, opts.EndpointIDs, []string{ev.TenantID})
	if err != nil {
		return nil, err
	}
	return store.FanOut(endpoints, ev.Type, ev.TenantID, opts), nil
}

// activeEndpoints selects the active endpoints of the tenants ("" for
// endpoints without tenant; the stored tenants of the events published),
// only those of only when it is not empty, by ascending ID. The tenant
// filter runs in SQL, on the tenant_id index where the column is TEXT.
func activeEndpoints(ctx context.Context, q querier, only []int64, tenants []string) ([]store.Endpoint, error) {
	const active = `
		SELECT w.id, w.events, w.max_retries, coalesce(w.tenant_id::text, '')
		FROM webhooks w
		WHERE w.active
		  AND ($1::bigint[] IS NULL OR w.id = ANY ($1))
		  AND (w.tenant_id::text = ANY ($2::text[]) OR w.tenant_id IS NULL AND '' = ANY ($2::text[]))
		ORDER BY w.id`
	if len(only) == 0 {
		only = nil
	}
	rows, err := q.Query(ctx, active, only, tenants)
	endpoints, err := queryAll(rows, err, func(e *store.Endpoint) []any { return []any{&e.ID, &e.Events, &e.MaxRetries, &e.TenantID} })
	if err != nil {
		return nil, fmt.Errorf("select endpoints: %w", err)
	}
	return endpoints, nil
}

// GetEvent returns one event or store.ErrNotFound (also for an ID that is not
// a UUID).
func (s *Store) GetEvent(ctx context.Context, id string) (store.Event, error) {
	ev, err := getEvent(ctx, s.pool, id)
	if err != nil {
		return store.Event{}, fmt.Errorf("get event %s: %w", id, err)
	}
	return ev, nil
}

func getEvent(ctx context.Context, q querier, id string) (store.Event, error) {
	uid, ok := store.CanonicalEventID(id)
	if !ok {
		return store.Event{}, store.ErrNotFound
	}
	const get = `SELECT ` + eventColumns + ` FROM webhook_events e WHERE e.id = $1`
	return queryOne(q.QueryRow(ctx, get, uid), eventDest)
}
