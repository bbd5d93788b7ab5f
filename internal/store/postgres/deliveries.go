package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
)

// GetDelivery returns one delivery or store.ErrNotFound.
func (s *Store) GetDelivery(ctx context.Context, id int64) (store.Delivery, error) {
	d, err := getDelivery(ctx, s.pool, id)
	if err != nil {
		return store.Delivery{}, fmt.Errorf("get delivery %d: %w", id, err)
	}
	return d, nil
}

func getDelivery(ctx context.Context, q querier, id int64) (store.Delivery, error) {
	const get = `SELECT ` + deliveryColumns + ` FROM webhook_deliveries d WHERE d.id = $1`
	return queryOne(q.QueryRow(ctx, get, id), deliveryDest)
}

// deliveryFilter is the WHERE clause of a store.DeliveryFilter, on
// webhook_deliveries d, with the parameters $1..$6 of filterArgs. Zero
// fields match everything. CreatedAfter is inclusive (created_at >= it),
// CreatedBefore exclusive (created_at < it); EventID matches as a UUID.
var deliveryFilter = `
	($1::bigint = 0 OR d.webhook_id = $1)
	AND ` + tenantMatches("d.tenant_id", "$6") + `
	AND ($2::text = '' OR d.event_type = $2)
	AND ($3::uuid IS NULL OR d.event_id = $3)
	AND ($4::timestamptz IS NULL OR d.created_at >= $4)
	AND ($5::timestamptz IS NULL OR d.created_at < $5)`

// filterArgs returns the parameters of deliveryFilter for f, and false when f
// can match nothing because its EventID is not a UUID.
func filterArgs(f store.DeliveryFilter) ([]any, bool) {
	var eventID *string
	if f.EventID != "" {
		id, ok := store.CanonicalEventID(f.EventID)
		if !ok {
			return nil, false
		}
		eventID = &id
	}
	return []any{f.EndpointID, f.EventType, eventID, f.CreatedAfter, f.CreatedBefore, f.TenantID}, true
}

// ListDeliveries returns the deliveries that match f, newest (highest ID)
// first: f.Status when set, IDs below f.BeforeID when set, at most f.Limit
// (0: all). An EventID that is not a UUID matches nothing.
func (s *Store) ListDeliveries(ctx context.Context, f store.DeliveryFilter) ([]store.Delivery, error) {
	args, ok := filterArgs(f)
	if !ok {
		return []store.Delivery{}, nil
	}
	q := `
		SELECT ` + deliveryColumns + `
		FROM webhook_deliveries d
		WHERE ` + deliveryFilter + `
		  AND ($7::text = '' OR d.status = $7)
		  AND ($8::bigint = 0 OR d.id < $8)
		ORDER BY d.id DESC
		LIMIT nullif($9::int, 0)`
	rows, err := s.pool.Query(ctx, q, append(args, string(f.Status), f.BeforeID, f.Limit)...)
	deliveries, err := queryAll(rows, err, deliveryDest)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return deliveries, nil
}

// ListAttempts returns the attempts of one delivery in the order they were
// recorded; none (not an error) for an unknown delivery.
func (s *Store) ListAttempts(ctx context.Context, deliveryID int64) ([]store.Attempt, error) {
	const q = `
		SELECT ` + attemptColumns + `
		FROM webhook_delivery_attempts a
		WHERE a.delivery_id = $1
		ORDER BY a.id`
	rows, err := s.pool.Query(ctx, q, deliveryID)
	attempts, err := queryAll(rows, err, attemptDest)
	if err != nil {
		return nil, fmt.Errorf("list attempts of delivery %d: %w", deliveryID, err)
	}
	return attempts, nil
}

// makeDue is the SET clause that RetryDelivery and ReplayDeliveries apply to
// a delivery d: pending and due now (scheduled_for and next_retry_at now,
// processed_at and the lease cleared). A failed delivery had an attempt at
// its retry_count, so its retry_count goes up by one; a pending or cancelled
// one keeps its retry_count. max_retries rises to the new retry_count when it
// is below, so that at least one more attempt is made; an exhausted failed
// delivery thus gets exactly one more attempt.
const makeDue = makePending + `,
	scheduled_for = now(),
	next_retry_at = now()`

// makePending is makeDue but for the time the delivery is due at, which the
// recovery (recoverDeliveries) spreads out.
const makePending = `
	status = 'pending',
	retry_count = d.retry_count + CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END,
	max_retries = greatest(d.max_retries, d.retry_count + CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END),
	processed_at = NULL,
	lease_expires_at = NULL,
	locked_by = NULL`

// RetryDelivery makes a failed, cancelled or pending delivery due now (see
// makeDue for its counters) and returns it. A processing or delivered one is
// store.ErrConflict, a missing one store.ErrNotFound.
func (s *Store) RetryDelivery(ctx context.Context, id int64) (store.Delivery, error) {
	const q = `
		UPDATE webhook_deliveries d SET ` + makeDue + `
		WHERE d.id = $1 AND d.status IN ('failed', 'cancelled', 'pending')
		RETURNING ` + deliveryColumns
	d, err := s.transition(ctx, q, id)
	if err != nil {
		return store.Delivery{}, fmt.Errorf("retry delivery %d: %w", id, err)
	}
	return d, nil
}

// CancelDelivery makes a pending or processing delivery cancelled
// (processed_at now, lease cleared; a worker's later outcome for it is
// skipped) and returns it. Another status is store.ErrConflict, a missing
// delivery store.ErrNotFound.
func (s *Store) CancelDelivery(ctx context.Context, id int64) (store.Delivery, error) {
	const q = `
		UPDATE webhook_deliveries d SET
			status = 'cancelled', processed_at = now(), lease_expires_at = NULL, locked_by = NULL
		WHERE d.id = $1 AND d.status IN ('pending', 'processing')
		RETURNING ` + deliveryColumns
	d, err := s.transition(ctx, q, id)
	if err != nil {
		return store.Delivery{}, fmt.Errorf("cancel delivery %d: %w", id, err)
	}
	return d, nil
}

// transition runs update, a statement that changes delivery id when its
// status allows and returns it. When it changes nothing, the error is
// store.ErrNotFound or store.ErrConflict naming the current status.
func (s *Store) transition(ctx context.Context, update string, id int64) (store.Delivery, error) {
	var d store.Delivery
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		d, err = queryOne(tx.QueryRow(ctx, update, id), deliveryDest)
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		current, err := getDelivery(ctx, tx, id)
		if err != nil {
			return err
		}
		return fmt.Errorf("%w: delivery is %s", store.ErrConflict, current.Status)
	})
	return d, err
}

// ReplayDeliveries makes every failed or cancelled delivery that matches f
// (its Status, BeforeID and Limit ignored) due now, as RetryDelivery does, and
// returns how many.
func (s *Store) ReplayDeliveries(ctx context.Context, f store.DeliveryFilter) (int, error) {
	args, ok := filterArgs(f)
	if !ok {
		return 0, nil
	}
	q := `
		UPDATE webhook_deliveries d SET ` + makeDue + `
		WHERE d.status IN ('failed', 'cancelled')
		  AND ` + deliveryFilter
	tag, err := s.pool.Exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("replay deliveries: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// CountByStatus returns the number of deliveries in each of the five
// statuses; every status is a key, with 0 when it has no delivery.
func (s *Store) CountByStatus(ctx context.Context) (map[store.Status]int64, error) {
	counts := map[store.Status]int64{
		store.StatusPending: 0, store.StatusProcessing: 0, store.StatusDelivered: 0,
		store.StatusFailed: 0, store.StatusCancelled: 0,
	}
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM webhook_deliveries GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count deliveries: %w", err)
	}
	var status store.Status
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&status, &n}, func() error {
		counts[status] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count deliveries: %w", err)
	}
	return counts, nil
}

// DeleteFinishedBefore removes the delivered, failed and cancelled deliveries
// whose processed_at is before t (with their attempts), then the events
// created before t that no delivery refers to, oldest first, in batches of
// store.RetentionBatch (one transaction each; rows that a concurrent process
// is deleting are skipped). It returns how many deliveries it removed.
func (s *Store) DeleteFinishedBefore(ctx context.Context, t time.Time) (int64, error) {
	removed, err := store.DeleteInBatches(ctx, func(ctx context.Context) (deliveries, events int64, err error) {
		err = s.inTx(ctx, func(tx pgx.Tx) error {
			// Oldest first; rows another process is deleting are skipped.
			const finished = `
				DELETE FROM webhook_deliveries
				WHERE id IN (
					SELECT id FROM webhook_deliveries
					WHERE status IN ('delivered', 'failed', 'cancelled') AND processed_at < $1
					ORDER BY processed_at
					LIMIT $2
					FOR UPDATE SKIP LOCKED)`
			tag, err := tx.Exec(ctx, finished, t, store.RetentionBatch)
			if err != nil {
				return fmt.Errorf("deliveries: %w", err)
			}
			deliveries = tag.RowsAffected()
			const orphans = `
				DELETE FROM webhook_events
				WHERE id IN (
					SELECT e.id FROM webhook_events e
					WHERE e.created_at < $1
					  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
					LIMIT $2
					FOR UPDATE SKIP LOCKED)`
			if tag, err = tx.Exec(ctx, orphans, t, store.RetentionBatch); err != nil {
				return fmt.Errorf("events: %w", err)
			}
			events = tag.RowsAffected()
			return nil
		})
		return deliveries, events, err
	})
	if err != nil {
		return removed, fmt.Errorf("delete finished deliveries: %w", err)
	}
	return removed, nil
}
