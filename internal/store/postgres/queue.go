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
// endpoint is active and not in c.SkipEndpoints, and, when it has an ordering
// key, it is at the head of its key's line (headOfLine). Claimed rows become
// processing with lease_expires_at = now + c.Lease and locked_by = c.Worker;
// the trigger of the seed sets next_retry_at. Rows locked by a concurrent
// claim are skipped, so concurrent claims never return one row twice.
//
// The due deliveries of endpoints with a rate limit then take their tokens
// (rateLimitedClaim); those over the limit stay pending, their scheduled_for
// and next_retry_at moved to their token time or store.RateHorizon ahead,
// whichever is sooner, and are not returned; while
// some are, Claim claims the room left again (store.ClaimInRounds).
//
// The Event of a Claimed comes from webhook_events or, for a delivery that
// has no event record there (one Ackify CE inserted), from the delivery's own
// event_id, event_type, payload, priority and created_at; the Lease is (ID,
// Worker, RetryCount) as claimed.
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

// claimOnce is one round of Claim, one statement: it claims up to n due
// deliveries and returns those to send and those it deferred (with their
// token time as ScheduledFor).
func (s *Store) claimOnce(ctx context.Context, c store.ClaimRequest, n int) ([]store.Claimed, []store.Claimed, error) {
	const q = `
		WITH due AS MATERIALIZED (
			SELECT d.id, d.webhook_id, d.priority, d.scheduled_for, w.rate_limit_per_second AS rate_limit
			FROM webhook_deliveries d
			JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.status = 'pending'
			  AND d.scheduled_for <= now()
			  AND w.active
			  AND d.webhook_id <> ALL ($4::bigint[])
			  AND (d.ordering_key IS NULL OR (` + headOfLine + `))
			  AND ` + onlyChallengeIfUnverified + `
			ORDER BY d.priority DESC, d.scheduled_for ASC
			LIMIT $1
			FOR UPDATE OF d SKIP LOCKED
		), ` + rateLimitedClaim + `, claimed AS (
			UPDATE webhook_deliveries d SET
				status = CASE WHEN x.deferred_to IS NULL THEN 'processing' ELSE 'pending' END,
				lease_expires_at = CASE WHEN x.deferred_to IS NULL
					THEN now() + $2::bigint * interval '1 microsecond' END,
				locked_by = CASE WHEN x.deferred_to IS NULL THEN $3 END,
				scheduled_for = coalesce(x.deferred_to, d.scheduled_for),
				next_retry_at = coalesce(x.deferred_to, d.next_retry_at)
			FROM paced x
			WHERE d.id = x.id
			RETURNING d.*
		)
		SELECT ` + deliveryColumns + `, ` + endpointColumns + `, ` + claimedEventColumns + `
		FROM claimed d
		JOIN webhooks w ON w.id = d.webhook_id
		LEFT JOIN webhook_events e ON e.id = d.event_id
		ORDER BY d.priority DESC, d.scheduled_for ASC, d.id ASC`
	rows, err := s.pool.Query(ctx, q, n, c.Lease.Microseconds(), c.Worker, nonNil(c.SkipEndpoints), store.RateHorizon.Microseconds())
	all, err := queryAll(rows, err, func(cl *store.Claimed) []any {
		dest := append(deliveryDest(&cl.Delivery), endpointDest(&cl.Endpoint)...)
		return append(dest, eventDest(&cl.Event)...)
	})
	if err != nil {
		return nil, nil, err
	}
	claimed := all[:0]
	var deferred []store.Claimed
	for _, cl := range all {
		if cl.Delivery.Status != store.StatusProcessing { // waits for its token
			deferred = append(deferred, cl)
			continue
		}
		cl.Lease = store.NewLease(cl.Delivery, c.Worker)
		claimed = append(claimed, cl)
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
// its retry holds back those behind it). The second NOT EXISTS is one probe
// of idx_webhook_deliveries_ordering, whose predicate the repeated status
// list matches; the planner may read the first once per claim, as a hash of
// the few lines in flight. A delivery without a key skips both (see Claim).
//
// Evaluated on the claim's snapshot, it also keeps one statement from
// claiming two deliveries of a key: the second still sees the first pending.
// A concurrent claim sees the first pending (not yet committed as
// processing), so it holds back the second as well.
const headOfLine = `
	NOT EXISTS (
		SELECT 1 FROM webhook_deliveries o
		WHERE o.webhook_id = d.webhook_id AND o.ordering_key = d.ordering_key
		  AND o.status IN ('pending', 'processing')
		  AND o.status = 'processing')
	AND NOT EXISTS (
		SELECT 1 FROM webhook_deliveries o
		WHERE o.webhook_id = d.webhook_id AND o.ordering_key = d.ordering_key
		  AND o.status IN ('pending', 'processing')
		  AND o.status = 'pending' AND o.id < d.id)`

// rateLimitedClaim is the rate-limit step of Claim, CTEs that read due (the
// chosen deliveries with their endpoint's rate_limit) and give paced: every
// due delivery with deferred_to, NULL for one to send now, or the token time
// it waits for. Only the deliveries of endpoints with a limit are ranked and
// take tokens, one hookrelay_rate_take call per such endpoint, in endpoint
// order (so concurrent claims lock rate rows in one order); a claim without
// them calls nothing and locks nothing more. No delivery is deferred beyond
// the claim's time plus store.RateHorizon ($5, in microseconds).
const rateLimitedClaim = `
		limited AS MATERIALIZED (
			SELECT id, webhook_id, rate_limit, row_number() OVER (
				PARTITION BY webhook_id ORDER BY priority DESC, scheduled_for ASC, id ASC) AS rank
			FROM due
			WHERE rate_limit > 0
		), taken AS MATERIALIZED (
			SELECT l.webhook_id, t.admitted, t.first_deferred, t.step_us, t.horizon
			FROM (SELECT webhook_id, max(rate_limit) AS rate_limit, count(*)::int AS wanted
			      FROM limited GROUP BY webhook_id ORDER BY webhook_id) l,
			     LATERAL hookrelay_rate_take(l.webhook_id, l.rate_limit, l.wanted, now(), $5) t
		), paced AS (
			SELECT due.id, CASE WHEN l.rank > t.admitted
				THEN least(t.horizon,
					t.first_deferred + (l.rank - t.admitted - 1) * t.step_us * interval '1 microsecond')
				END AS deferred_to
			FROM due
			LEFT JOIN limited l ON l.id = due.id
			LEFT JOIN taken t ON t.webhook_id = l.webhook_id
		)`

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
