package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// GetDelivery returns one delivery or store.ErrNotFound.
func (s *Store) GetDelivery(ctx context.Context, id int64) (store.Delivery, error) {
	d, err := getDelivery(ctx, s.reads, id)
	if err != nil {
		return store.Delivery{}, fmt.Errorf("get delivery %d: %w", id, err)
	}
	return d, nil
}

func getDelivery(ctx context.Context, q execer, id int64) (store.Delivery, error) {
	const get = `SELECT ` + deliveryColumns + ` FROM webhook_deliveries WHERE webhook_deliveries.id = ?`
	rows, err := q.QueryContext(ctx, get, id)
	return queryOne(rows, err, deliveryDest)
}

// deliveryFilter is the WHERE clause of the set fields of f (EndpointID,
// TenantID, EventType, EventID, CreatedAfter inclusive, CreatedBefore exclusive) on
// webhook_deliveries, with its named parameters; "true" when none is set. It
// is false when f can match nothing because its EventID is not a UUID. Only
// the set fields make the clause, so that SQLite plans each query with the
// index of what it filters on.
func deliveryFilter(f store.DeliveryFilter) (where string, args []any, ok bool) {
	var conds []string
	add := func(cond, name string, value any) {
		conds = append(conds, cond)
		args = append(args, sql.Named(name, value))
	}
	if f.EndpointID != 0 {
		add("webhook_deliveries.webhook_id = :webhook_id", "webhook_id", f.EndpointID)
	}
	if f.EventType != "" {
		add("webhook_deliveries.event_type = :event_type", "event_type", f.EventType)
	}
	if f.TenantID != "" {
		add("webhook_deliveries.tenant_id = :tenant_id", "tenant_id", f.TenantID)
	}
	if f.EventID != "" {
		id, ok := store.CanonicalEventID(f.EventID)
		if !ok {
			return "", nil, false
		}
		add("webhook_deliveries.event_id = :event_id", "event_id", id)
	}
	if f.CreatedAfter != nil {
		add("webhook_deliveries.created_at >= :created_after", "created_after", micros(*f.CreatedAfter))
	}
	if f.CreatedBefore != nil {
		add("webhook_deliveries.created_at < :created_before", "created_before", micros(*f.CreatedBefore))
	}
	if len(conds) == 0 {
		return "true", nil, true
	}
	return strings.Join(conds, " AND "), args, true
}

// ListDeliveries returns the deliveries that match f, newest (highest ID)
// first: f.Status when set, IDs below f.BeforeID when set, at most f.Limit
// (0: all). An EventID that is not a UUID matches nothing.
func (s *Store) ListDeliveries(ctx context.Context, f store.DeliveryFilter) ([]store.Delivery, error) {
	where, args, ok := deliveryFilter(f)
	if !ok {
		return []store.Delivery{}, nil
	}
	if f.Status != "" {
		where += " AND webhook_deliveries.status = :status"
		args = append(args, sql.Named("status", string(f.Status)))
	}
	if f.BeforeID != 0 {
		where += " AND webhook_deliveries.id < :before_id"
		args = append(args, sql.Named("before_id", f.BeforeID))
	}
	q := `
		SELECT ` + deliveryColumns + `
		FROM webhook_deliveries
		WHERE ` + where + `
		ORDER BY webhook_deliveries.id DESC
		LIMIT :limit`
	rows, err := s.reads.QueryContext(ctx, q, append(args, sql.Named("limit", noLimit(f.Limit)))...)
	deliveries, err := queryAll(rows, err, deliveryDest)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return deliveries, nil
}

// noLimit is limit for a LIMIT clause, where 0 means all rows (SQLite's -1).
func noLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// ListAttempts returns the attempts of one delivery in the order they were
// recorded; none (not an error) for an unknown delivery.
func (s *Store) ListAttempts(ctx context.Context, deliveryID int64) ([]store.Attempt, error) {
	const q = `
		SELECT ` + attemptColumns + `
		FROM webhook_delivery_attempts
		WHERE webhook_delivery_attempts.delivery_id = ?
		ORDER BY webhook_delivery_attempts.id`
	rows, err := s.reads.QueryContext(ctx, q, deliveryID)
	attempts, err := queryAll(rows, err, attemptDest)
	if err != nil {
		return nil, fmt.Errorf("list attempts of delivery %d: %w", deliveryID, err)
	}
	return attempts, nil
}

// makeDue is the SET clause that RetryDelivery and ReplayDeliveries apply to
// a delivery: pending and due at :now (scheduled_for and next_retry_at),
// processed_at and the lease cleared. A failed delivery had an attempt at its
// retry_count, so its retry_count goes up by one; a pending or cancelled one
// keeps its retry_count. max_retries rises to the new retry_count when it is
// below, so that at least one more attempt is made; an exhausted failed
// delivery thus gets exactly one more attempt.
const makeDue = makePending + `,
	scheduled_for = :now,
	next_retry_at = :now`

// makePending is makeDue but for the time the delivery is due at, which the
// recovery (recoverDeliveries) spreads out.
const makePending = `
	status = 'pending',
	retry_count = retry_count + (status = 'failed'),
	max_retries = max(max_retries, retry_count + (status = 'failed')),
	processed_at = NULL,
	lease_expires_at = NULL,
	locked_by = NULL`

// RetryDelivery makes a failed, cancelled or pending delivery due now (see
// makeDue for its counters) and returns it. A processing or delivered one is
// store.ErrConflict, a missing one store.ErrNotFound.
func (s *Store) RetryDelivery(ctx context.Context, id int64) (store.Delivery, error) {
	const q = `
		UPDATE webhook_deliveries SET ` + makeDue + `
		WHERE id = :id AND status IN ('failed', 'cancelled', 'pending')
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
		UPDATE webhook_deliveries SET
			status = 'cancelled', processed_at = :now, lease_expires_at = NULL, locked_by = NULL
		WHERE id = :id AND status IN ('pending', 'processing')
		RETURNING ` + deliveryColumns
	d, err := s.transition(ctx, q, id)
	if err != nil {
		return store.Delivery{}, fmt.Errorf("cancel delivery %d: %w", id, err)
	}
	return d, nil
}

// transition runs update, a statement on delivery :id at :now that changes
// it when its status allows and returns it. When it changes nothing, the error
// is store.ErrNotFound or store.ErrConflict naming the current status.
func (s *Store) transition(ctx context.Context, update string, id int64) (store.Delivery, error) {
	var d store.Delivery
	err := s.inTx(ctx, func(tx execer) error {
		rows, err := tx.QueryContext(ctx, update, sql.Named("id", id), sql.Named("now", micros(time.Now())))
		d, err = queryOne(rows, err, deliveryDest)
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
	where, args, ok := deliveryFilter(f)
	if !ok {
		return 0, nil
	}
	q := `
		UPDATE webhook_deliveries SET ` + makeDue + `
		WHERE status IN ('failed', 'cancelled')
		  AND ` + where
	n, err := s.exec(ctx, q, append(args, sql.Named("now", micros(time.Now())))...)
	if err != nil {
		return 0, fmt.Errorf("replay deliveries: %w", err)
	}
	return int(n), nil
}

// CountByStatus returns the number of deliveries in each of the five
// statuses; every status is a key, with 0 when it has no delivery.
func (s *Store) CountByStatus(ctx context.Context) (map[store.Status]int64, error) {
	type count struct {
		status store.Status
		n      int64
	}
	rows, err := s.reads.QueryContext(ctx, `SELECT status, count(*) FROM webhook_deliveries GROUP BY status`)
	counted, err := queryAll(rows, err, func(c *count) []any { return []any{&c.status, &c.n} })
	if err != nil {
		return nil, fmt.Errorf("count deliveries: %w", err)
	}
	counts := map[store.Status]int64{
		store.StatusPending: 0, store.StatusProcessing: 0, store.StatusDelivered: 0,
		store.StatusFailed: 0, store.StatusCancelled: 0,
	}
	for _, c := range counted {
		counts[c.status] = c.n
	}
	return counts, nil
}

// DeleteFinishedBefore removes the delivered, failed and cancelled deliveries
// whose processed_at is before t (with their attempts), then the events
// created before t that no delivery refers to, oldest first, in batches of
// store.RetentionBatch, each in a write transaction of its own so that the
// one writer is never held for long. It returns how many deliveries it
// removed.
func (s *Store) DeleteFinishedBefore(ctx context.Context, t time.Time) (int64, error) {
	before := micros(t)
	removed, err := store.DeleteInBatches(ctx, func(ctx context.Context) (deliveries, events int64, err error) {
		err = s.inTx(ctx, func(tx execer) error {
			const finished = `
				DELETE FROM webhook_deliveries
				WHERE id IN (
					SELECT id FROM webhook_deliveries INDEXED BY idx_webhook_deliveries_finished
					WHERE status IN ('delivered', 'failed', 'cancelled') AND processed_at < ?
					ORDER BY processed_at
					LIMIT ?)`
			res, err := tx.ExecContext(ctx, finished, before, store.RetentionBatch)
			if err == nil {
				deliveries, err = res.RowsAffected()
			}
			if err != nil {
				return fmt.Errorf("deliveries: %w", err)
			}
			const orphans = `
				DELETE FROM webhook_events
				WHERE id IN (
					SELECT id FROM webhook_events
					WHERE created_at < ?
					  AND NOT EXISTS (
						SELECT 1 FROM webhook_deliveries WHERE webhook_deliveries.event_id = webhook_events.id)
					LIMIT ?)`
			if res, err = tx.ExecContext(ctx, orphans, before, store.RetentionBatch); err == nil {
				events, err = res.RowsAffected()
			}
			if err != nil {
				return fmt.Errorf("events: %w", err)
			}
			return nil
		})
		return deliveries, events, err
	})
	if err != nil {
		return removed, fmt.Errorf("delete finished deliveries: %w", err)
	}
	return removed, nil
}
