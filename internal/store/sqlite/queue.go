package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// nextRetryAt is the seed's calculate_next_retry_time(retry_count) in time
// column units: :now plus one minute times 2^retry_count (the exponent stops at
// 20), plus up to 30% jitter. Claim sets it, as the seed's trigger does on
// PostgreSQL when a delivery enters processing.
const nextRetryAt = `
	:now + CAST(
		60000000 * (1 << min(max(retry_count, 0), 20))
		* (1 + 0.3 * abs(random() % 1000001) / 1000000.0)
	AS INTEGER)`

// Claim leases up to c.Limit due deliveries in one write transaction and
// returns them in the order they were chosen: priority DESC, scheduled_for
// ASC, id ASC. A delivery is due when it is pending, its scheduled_for has
// come, its endpoint is active and not in c.SkipEndpoints, and, when it has an
// ordering key, it is at the head of its key's line (headOfLine). Claimed rows become
// processing with lease_expires_at = now + c.Lease, locked_by = c.Worker and
// next_retry_at as the seed computes it. Writers take turns, so concurrent
// claims never return one row twice. The claimed deliveries of endpoints
// with a rate limit then take their tokens (paceLimited); those over the
// limit go back to pending until their token time and are not returned;
// while some do, Claim claims the room left again (store.ClaimInRounds).
//
// The Event of a Claimed comes from webhook_events or, for a delivery that
// has no event record there (inserted by another program), from the
// delivery's own event_id, event_type, payload, priority and created_at; the
// Lease is (ID, Worker, RetryCount) as claimed.
func (s *Store) Claim(ctx context.Context, c store.ClaimRequest) ([]store.Claimed, error) {
	if c.Limit <= 0 {
		return []store.Claimed{}, nil
	}
	claimed, next, err := store.ClaimInRounds(c.Limit, c.SkipEndpoints, func(n int, skip []int64) ([]store.Claimed, []store.Claimed, error) {
		c.SkipEndpoints = skip
		return s.claimOnce(ctx, c, n)
	})
	if c.TokenTimes != nil {
		*c.TokenTimes = next
	}
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return claimed, nil
}

// claimOnce is one round of Claim, one write transaction: it claims up to n
// due deliveries and returns those to send and those it deferred (with
// their token time as ScheduledFor).
func (s *Store) claimOnce(ctx context.Context, c store.ClaimRequest, n int) (claimed, deferred []store.Claimed, err error) {
	now := time.Now()
	err = s.inTx(ctx, func(tx execer) error {
		const lease = `
			UPDATE webhook_deliveries SET
				status = 'processing',
				lease_expires_at = :lease_end,
				locked_by = :worker,
				next_retry_at = ` + nextRetryAt + `
			WHERE id IN (
				SELECT d.id
				FROM webhook_deliveries AS d INDEXED BY idx_webhook_deliveries_priority_scheduled
				JOIN webhooks AS w ON w.id = d.webhook_id
				WHERE d.status = 'pending'
				  AND d.scheduled_for <= :now
				  AND w.active
				  AND d.webhook_id NOT IN (SELECT value FROM json_each(:skip))
				  AND (d.ordering_key IS NULL OR (` + headOfLine + `))
				  AND ` + onlyChallengeIfUnverified + `
				ORDER BY d.priority DESC, d.scheduled_for ASC, d.id ASC
				LIMIT :limit)
			RETURNING id`
		rows, err := tx.QueryContext(ctx, lease,
			sql.Named("now", micros(now)), sql.Named("lease_end", micros(now.Add(c.Lease))),
			sql.Named("worker", c.Worker), sql.Named("skip", jsonText(nonNil(c.SkipEndpoints))),
			sql.Named("limit", n))
		ids, err := queryAll(rows, err, func(id *int64) []any { return []any{id} })
		if err != nil {
			return fmt.Errorf("lease: %w", err)
		}
		all, err := loadClaimed(ctx, tx, ids)
		if err != nil {
			return err
		}
		claimed, err = paceLimited(ctx, tx, all, now)
		sent := make(map[int64]bool, len(claimed))
		for _, cl := range claimed {
			sent[cl.Delivery.ID] = true
		}
		for _, cl := range all {
			if !sent[cl.Delivery.ID] {
				deferred = append(deferred, cl)
			}
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	for i := range claimed {
		claimed[i].Lease = store.NewLease(claimed[i].Delivery, c.Worker)
	}
	return claimed, deferred, nil
}

// onlyChallengeIfUnverified is the claim's condition for endpoint ownership
// (store.EndpointVerification): an unverified endpoint w is sent only the
// delivery d of its current challenge; its other deliveries wait, pending,
// no attempt counted, until an answer verifies it.
const onlyChallengeIfUnverified = `(NOT w.unverified OR d.event_id = w.verification_event_id)`

// headOfLine is the claim's condition for a delivery d with an ordering
// key: no delivery of its endpoint and key is processing, and none with a
// lower id is pending (whatever its scheduled_for, so that one waiting for
// its retry holds back those behind it). Each NOT EXISTS is one probe of
// idx_webhook_deliveries_ordering (INDEXED BY fails the statement if the
// index could not serve it; the repeated status list is its predicate); a
// delivery without a key skips the check. The statement reads the rows as
// they were before it, so it never claims two deliveries of a key at once.
const headOfLine = `
	NOT EXISTS (
		SELECT 1 FROM webhook_deliveries AS o INDEXED BY idx_webhook_deliveries_ordering
		WHERE o.webhook_id = d.webhook_id AND o.ordering_key = d.ordering_key
		  AND o.status IN ('pending', 'processing')
		  AND o.status = 'processing')
	AND NOT EXISTS (
		SELECT 1 FROM webhook_deliveries AS o INDEXED BY idx_webhook_deliveries_ordering
		WHERE o.webhook_id = d.webhook_id AND o.ordering_key = d.ordering_key
		  AND o.status IN ('pending', 'processing')
		  AND o.status = 'pending' AND o.id < d.id)`

// loadClaimed reads the deliveries ids with their endpoints and events, in
// claim order.
func loadClaimed(ctx context.Context, tx execer, ids []int64) ([]store.Claimed, error) {
	if len(ids) == 0 {
		return []store.Claimed{}, nil
	}
	const q = `
		SELECT ` + deliveryColumns + `, ` + endpointColumns + `, ` + claimedEventColumns + `
		FROM webhook_deliveries
		JOIN webhooks ON webhooks.id = webhook_deliveries.webhook_id
		LEFT JOIN webhook_events ON webhook_events.id = webhook_deliveries.event_id
		WHERE webhook_deliveries.id IN (SELECT value FROM json_each(?))
		ORDER BY webhook_deliveries.priority DESC, webhook_deliveries.scheduled_for ASC, webhook_deliveries.id ASC`
	rows, err := tx.QueryContext(ctx, q, jsonText(ids))
	claimed, err := queryAll(rows, err, func(c *store.Claimed) []any {
		dest := append(deliveryDest(&c.Delivery), endpointDest(&c.Endpoint)...)
		return append(dest, eventDest(&c.Event)...)
	})
	if err != nil {
		return nil, fmt.Errorf("load claimed: %w", err)
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
	// The leases travel as JSON objects keyed by the field names of
	// store.Lease.
	const q = `
		UPDATE webhook_deliveries SET
			status = 'pending', lease_expires_at = NULL, locked_by = NULL
		FROM json_each(?) AS l
		WHERE webhook_deliveries.id = l.value ->> 'DeliveryID'
		  AND +webhook_deliveries.status = 'processing'
		  AND webhook_deliveries.locked_by = l.value ->> 'Worker'
		  AND webhook_deliveries.retry_count = l.value ->> 'RetryCount'`
	if _, err := s.exec(ctx, q, jsonText(leases)); err != nil {
		return fmt.Errorf("release deliveries: %w", err)
	}
	return nil
}

// RescueExpired takes back every processing delivery whose lease_expires_at
// has passed more than olderThan ago (one writer at a time: never twice),
// counting the lost attempt: when retry_count + 1 > max_retries
// the delivery becomes failed (retry_count unchanged, processed_at now);
// otherwise it becomes pending with retry_count + 1 and scheduled_for and
// next_retry_at now. Both clear the lease and set last_error to
// store.LeaseExpiredMessage. It returns how many deliveries it took back.
func (s *Store) RescueExpired(ctx context.Context, olderThan time.Duration) (int, error) {
	const q = `
		WITH expired AS (
			SELECT id, retry_count + 1 > max_retries AS exhausted
			FROM webhook_deliveries INDEXED BY idx_webhook_deliveries_lease
			WHERE status = 'processing' AND lease_expires_at < :expired_before
		)
		UPDATE webhook_deliveries SET
			status = CASE WHEN x.exhausted THEN 'failed' ELSE 'pending' END,
			retry_count = retry_count + NOT x.exhausted,
			processed_at = CASE WHEN x.exhausted THEN :now END,
			scheduled_for = CASE WHEN x.exhausted THEN scheduled_for ELSE :now END,
			next_retry_at = CASE WHEN x.exhausted THEN next_retry_at ELSE :now END,
			last_error = :error,
			lease_expires_at = NULL,
			locked_by = NULL
		FROM expired AS x
		WHERE webhook_deliveries.id = x.id`
	now := time.Now()
	n, err := s.exec(ctx, q, sql.Named("now", micros(now)), sql.Named("expired_before", micros(now.Add(-olderThan))),
		sql.Named("error", store.LeaseExpiredMessage))
	if err != nil {
		return 0, fmt.Errorf("rescue expired leases: %w", err)
	}
	return int(n), nil
}
