package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Claim leases up to c.Limit due deliveries in one statement and returns them
// in priority DESC, scheduled_for ASC, id ASC order. They are chosen by
// priority DESC, scheduled_for ASC alone, the order of the seed's partial
// index, so that the choice is an index scan that stops at the limit however
// deep the queue (adding id would sort every pending row); ties go in index
// order. A
// delivery is due when it is pending, its scheduled_for has come, its
// endpoint is active and not in c.SkipWebhooks. Claimed rows become
// processing with lease_expires_at = now + c.Lease and locked_by = c.Worker;
// the trigger of the seed sets next_retry_at. Rows locked by a concurrent
// claim are skipped, so concurrent claims never return one row twice.
//
// The Event of a Claimed comes from webhook_events or, for a delivery that
// has no event record there (one Ackify CE inserted), from the delivery's own
// event_id, event_type, payload, priority and created_at; the Lease is (ID,
// Worker, RetryCount) as claimed.
func (s *Store) Claim(ctx context.Context, c store.ClaimRequest) ([]store.Claimed, error) {
	if c.Limit <= 0 {
		return []store.Claimed{}, nil
	}
	const q = `
		WITH due AS MATERIALIZED (
			SELECT d.id
			FROM webhook_deliveries d
			JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.status = 'pending'
			  AND d.scheduled_for <= now()
			  AND w.active
			  AND d.webhook_id <> ALL ($4::bigint[])
			ORDER BY d.priority DESC, d.scheduled_for ASC
			LIMIT $1
			FOR UPDATE OF d SKIP LOCKED
		), claimed AS (
			UPDATE webhook_deliveries d SET
				status = 'processing',
				lease_expires_at = now() + $2::bigint * interval '1 microsecond',
				locked_by = $3
			FROM due
			WHERE d.id = due.id
			RETURNING d.*
		)
		SELECT ` + deliveryColumns + `, ` + endpointColumns + `, ` + claimedEventColumns + `
		FROM claimed d
		JOIN webhooks w ON w.id = d.webhook_id
		LEFT JOIN webhook_events e ON e.id = d.event_id
		ORDER BY d.priority DESC, d.scheduled_for ASC, d.id ASC`
	rows, err := s.pool.Query(ctx, q, c.Limit, c.Lease.Microseconds(), c.Worker, nonNil(c.SkipEndpoints))
	claimed, err := queryAll(rows, err, func(cl *store.Claimed) []any {
		dest := append(deliveryDest(&cl.Delivery), endpointDest(&cl.Endpoint)...)
		return append(dest, eventDest(&cl.Event)...)
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	for i := range claimed {
		claimed[i].Lease = store.NewLease(claimed[i].Delivery, c.Worker)
	}
	return claimed, nil
}

// Release hands leased deliveries back: each one still held by its lease
// (processing, same worker, same retry_count) becomes pending with its lease
// cleared and its retry_count and scheduled_for unchanged, so it is due again
// at once. Leases that no longer hold are ignored.
func (s *Store) Release(ctx context.Context, leases []store.Lease) error {
	if len(leases) == 0 {
		return nil
	}
	const q = `
		UPDATE webhook_deliveries d SET
			status = 'pending', lease_expires_at = NULL, locked_by = NULL
		FROM unnest($1::bigint[], $2::text[], $3::int[]) AS l (id, worker, retry_count)
		WHERE d.id = l.id
		  AND d.status = 'processing'
		  AND d.locked_by = l.worker
		  AND d.retry_count = l.retry_count`
	ids, workers, retries := leaseColumns(leases)
	if _, err := s.pool.Exec(ctx, q, ids, workers, retries); err != nil {
		return fmt.Errorf("release deliveries: %w", err)
	}
	return nil
}

// RescueExpired takes back every processing delivery whose lease_expires_at
// has passed more than olderThan ago (by the database's clock; rows that a
// concurrent rescue holds are skipped), counting the lost attempt: when retry_count + 1 > max_retries
// the delivery becomes failed (retry_count unchanged, processed_at now);
// otherwise it becomes pending with retry_count + 1 and scheduled_for and
// next_retry_at now. Both clear the lease and set last_error to
// store.LeaseExpiredMessage. It returns how many deliveries it took back.
func (s *Store) RescueExpired(ctx context.Context, olderThan time.Duration) (int, error) {
	const q = `
		WITH expired AS MATERIALIZED (
			SELECT id, retry_count + 1 > max_retries AS exhausted
			FROM webhook_deliveries
			WHERE status = 'processing' AND lease_expires_at < now() - $2::bigint * interval '1 microsecond'
			ORDER BY id
			FOR UPDATE SKIP LOCKED
		)
		UPDATE webhook_deliveries d SET
			status = CASE WHEN x.exhausted THEN 'failed' ELSE 'pending' END,
			retry_count = CASE WHEN x.exhausted THEN d.retry_count ELSE d.retry_count + 1 END,
			processed_at = CASE WHEN x.exhausted THEN now() END,
			scheduled_for = CASE WHEN x.exhausted THEN d.scheduled_for ELSE now() END,
			next_retry_at = CASE WHEN x.exhausted THEN d.next_retry_at ELSE now() END,
			last_error = $1,
			lease_expires_at = NULL,
			locked_by = NULL
		FROM expired x
		WHERE d.id = x.id`
	tag, err := s.pool.Exec(ctx, q, store.LeaseExpiredMessage, olderThan.Microseconds())
	if err != nil {
		return 0, fmt.Errorf("rescue expired leases: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// leaseColumns splits leases into the arrays that unnest reads.
func leaseColumns(leases []store.Lease) (ids []int64, workers []string, retries []int) {
	for _, l := range leases {
		ids = append(ids, l.DeliveryID)
		workers = append(workers, l.Worker)
		retries = append(retries, l.RetryCount)
	}
	return ids, workers, retries
}
