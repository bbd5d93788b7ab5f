package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
)

// PublishMany publishes pubs in one transaction (see store.Store): a few
// statements whatever their number, and one NOTIFY when deliveries were
// created.
func (s *Store) PublishMany(ctx context.Context, pubs []store.Publication) ([]store.PublicationResult, error) {
	var results []store.PublicationResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		format, err := s.tenantFormatIn(ctx, tx)
		if err != nil {
			return err
		}
		results, err = publishMany(ctx, tx, pubs, format)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("publish events: %w", err)
	}
	return results, nil
}

// eventBatch is the events of a PublishMany that are to be inserted: the
// first publication of each valid event ID, as parallel arrays for unnest.
type eventBatch struct {
	index      []int // of the publication
	ids        []string
	types      []string
	data       []string
	priorities []int
	keys       []string // ordering keys, "" for none
	parents    []string // traceparents, "" for none
	states     []string // tracestates, "" for none
	tenants    []string // tenant IDs, "" for none
}

// publishMany writes pubs set-based, on a database whose tenant IDs follow
// format: one SELECT of the tenants of explicit targets (when there are
// any), one INSERT of the events, one SELECT of the events that existed, one
// of the active endpoints, one INSERT of the deliveries, and one NOTIFY. A
// publication naming endpoints of another tenant than its event's is
// refused (store.ForeignEndpointsError) and nothing is written for it.
func publishMany(ctx context.Context, q querier, pubs []store.Publication, format store.TenantFormat) ([]store.PublicationResult, error) {
	if err := store.CheckPublishMany(len(pubs)); err != nil {
		return nil, err
	}
	results := make([]store.PublicationResult, len(pubs))
	events := make([]store.Event, len(pubs))
	first := make(map[string]int, len(pubs)) // event ID → its first publication
	var batch eventBatch
	valid := make([]store.Publication, len(pubs)) // normalised; no targets for a refused one
	for i, p := range pubs {
		ev := p.Event
		if err := normalize(&ev, format); err != nil {
			results[i].Err = err
			continue
		}
		valid[i] = store.Publication{Event: ev, Options: p.Options}
	}
	refused, err := foreignTargets(ctx, q, valid)
	if err != nil {
		return nil, err
	}
	for i, p := range valid {
		if results[i].Err != nil {
			continue
		}
		if refused[i] != nil {
			results[i].Err = refused[i]
			continue
		}
		ev := p.Event
		events[i] = ev
		if _, seen := first[ev.ID]; seen {
			continue
		}
		first[ev.ID] = i
		batch.index = append(batch.index, i)
		batch.ids = append(batch.ids, ev.ID)
		batch.types = append(batch.types, ev.Type)
		batch.data = append(batch.data, string(ev.Data))
		batch.priorities = append(batch.priorities, ev.Priority)
		batch.keys = append(batch.keys, ev.OrderingKey)
		batch.parents = append(batch.parents, ev.TraceParent)
		batch.states = append(batch.states, ev.TraceState)
		batch.tenants = append(batch.tenants, ev.TenantID)
	}
	if len(batch.ids) == 0 {
		return results, nil
	}
	stored, createdIDs, err := insertEvents(ctx, q, batch)
	if err != nil {
		return nil, err
	}
	var created []int // publications whose event was inserted
	for _, i := range batch.index {
		if createdIDs[events[i].ID] {
			created = append(created, i)
			// the tenant stored: the session's for an event without one
			events[i].TenantID = stored[events[i].ID].TenantID
		}
	}
	deliveries, err := fanOutMany(ctx, q, pubs, events, created)
	if err != nil {
		return nil, err
	}
	for i := range pubs {
		if results[i].Err != nil {
			continue
		}
		ev, ok := stored[events[i].ID]
		if !ok {
			return nil, fmt.Errorf("event %s: %w", events[i].ID, store.ErrNotFound)
		}
		isFirst := first[ev.ID] == i
		// q may be a connection that scans times in local time.
		ev.CreatedAt = ev.CreatedAt.UTC()
		results[i].PublishResult = store.PublishResult{
			Event: ev, Created: isFirst && createdIDs[ev.ID], Deliveries: deliveries[i],
		}
	}
	return results, nil
}

// insertEvents inserts the events of batch whose ID does not exist yet, and
// returns every event of batch as stored, by ID, with the IDs it inserted.
func insertEvents(ctx context.Context, q querier, batch eventBatch) (map[string]store.Event, map[string]bool, error) {
	insert := `
		INSERT INTO webhook_events AS e (id, type, data, priority, ordering_key, traceparent, tracestate, tenant_id)
		SELECT t.id, t.type, t.data, t.priority, nullif(t.ordering_key, ''), nullif(t.traceparent, ''), nullif(t.tracestate, ''), ` + storedTenant("t.tenant_id") + `
		FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[])
			AS t (id, type, data, priority, ordering_key, traceparent, tracestate, tenant_id)
		ON CONFLICT (id) DO NOTHING
		RETURNING ` + eventColumns
	rows, err := q.Query(ctx, insert, batch.ids, batch.types, batch.data, batch.priorities, batch.keys,
		batch.parents, batch.states, batch.tenants)
	inserted, err := queryAll(rows, err, eventDest)
	if err != nil {
		return nil, nil, fmt.Errorf("insert events: %w", err)
	}
	stored := make(map[string]store.Event, len(batch.ids))
	createdIDs := make(map[string]bool, len(inserted))
	for _, ev := range inserted {
		stored[ev.ID] = ev
		createdIDs[ev.ID] = true
	}
	if len(inserted) == len(batch.ids) {
		return stored, createdIDs, nil
	}
	var existing []string
	for _, id := range batch.ids {
		if !createdIDs[id] {
			existing = append(existing, id)
		}
	}
	const get = `SELECT ` + eventColumns + ` FROM webhook_events e WHERE e.id = ANY ($1::uuid[])`
	rows, err = q.Query(ctx, get, planEachTime, existing)
	found, err := queryAll(rows, err, eventDest)
	if err != nil {
		return nil, nil, fmt.Errorf("select existing events: %w", err)
	}
	for _, ev := range found {
		stored[ev.ID] = ev
	}
	return stored, createdIDs, nil
}

// fanOutMany inserts the deliveries of the created publications (indexes of
// pubs, whose normalised events are in events) in publication order, notifies
// workers once when there are any, and returns how many each publication got.
func fanOutMany(ctx context.Context, q querier, pubs []store.Publication, events []store.Event, created []int) ([]int, error) {
	counts := make([]int, len(pubs))
	if len(created) == 0 {
		return counts, nil
	}
	// One SELECT serves every publication: all active endpoints of their
	// tenants when one of them follows subscriptions, else the union of
	// their targets.
	tenants := make([]string, 0, len(created))
	for _, i := range created {
		tenants = append(tenants, events[i].TenantID)
	}
	var only []int64
	for _, i := range created {
		ids := pubs[i].Options.EndpointIDs
		if len(ids) == 0 {
			only = nil
			break
		}
		only = append(only, ids...)
	}
	active, err := activeEndpoints(ctx, q, only, tenants)
	if err != nil {
		return nil, err
	}
	var eventIDs []string
	var endpointIDs []int64
	var maxRetries []int
	var keys []string
	for _, i := range created {
		targets := store.FanOut(active, events[i].Type, events[i].TenantID, pubs[i].Options)
		counts[i] = len(targets)
		if len(targets) > 0 {
			keys = append(keys, events[i].OrderingKey)
		}
		for _, t := range targets {
			eventIDs = append(eventIDs, events[i].ID)
			endpointIDs = append(endpointIDs, t.EndpointID)
			maxRetries = append(maxRetries, t.MaxRetries)
		}
	}
	if len(eventIDs) == 0 {
		return counts, nil
	}
	if err := lockOrderingKeys(ctx, q, keys); err != nil {
		return nil, err
	}
	// Delivery IDs follow the order of the publications, which is the order
	// in which claims take deliveries of equal priority and due time. Each
	// event's data is parsed into the JSONB payload once, not once per
	// delivery.
	const insert = `
		WITH e AS MATERIALIZED (
			SELECT e.id, e.type, e.data::jsonb AS payload, e.priority, e.ordering_key
			FROM webhook_events e
			WHERE e.id = ANY ($1::uuid[])
		)
		INSERT INTO webhook_deliveries (webhook_id, max_retries, event_id, event_type, payload, priority, tenant_id, ordering_key)
		SELECT t.webhook_id, t.max_retries, e.id, e.type, e.payload, e.priority, w.tenant_id, e.ordering_key
		FROM unnest($1::uuid[], $2::bigint[], $3::int[]) WITH ORDINALITY AS t (event_id, webhook_id, max_retries, n)
		JOIN e ON e.id = t.event_id
		JOIN webhooks w ON w.id = t.webhook_id
		ORDER BY t.n`
	if _, err := q.Exec(ctx, insert, planEachTime, eventIDs, endpointIDs, maxRetries); err != nil {
		return nil, fmt.Errorf("insert deliveries: %w", err)
	}
	if _, err := q.Exec(ctx, `SELECT pg_notify($1, '')`, wakeupChannel); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	return counts, nil
}

// planEachTime, given as the first argument of a pgx query, plans the
// statement for its parameters each time (the unnamed prepared statement,
// its description cached: still one round trip) instead of keeping the
// generic plan PostgreSQL settles on after five runs on a connection. The
// lookups of events by an array of IDs need it: a generic plan made while
// webhook_events was nearly empty scans the whole table, and kept for the
// connection's life it read every event again at each publish as the table
// grew (the benchmark's publishes fell by 10-20 %, each reading thousands
// of rows).
const planEachTime = pgx.QueryExecModeCacheDescribe
