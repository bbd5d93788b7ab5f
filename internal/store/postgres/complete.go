package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Complete records a batch of outcomes as store.Store.Complete says, in
// one transaction of four statements, whatever the batch size (five when an
// outcome asks to slow down).
func (s *Store) Complete(ctx context.Context, outcomes []store.Outcome, health store.HealthPolicy) (store.CompleteResult, error) {
	first, err := store.FirstOutcomes(outcomes)
	if err != nil {
		return store.CompleteResult{}, fmt.Errorf("complete deliveries: %w", err)
	}
	batch := newOutcomeBatch(first)
	var res store.CompleteResult
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		applied, err := batch.apply(ctx, tx)
		if err != nil {
			return err
		}
		res.Applied = len(applied)
		res.Disabled, err = updateEndpointHealth(ctx, tx, store.TallyEndpoints(applied), health)
		if err != nil {
			return err
		}
		if err := markVerified(ctx, tx, store.AnsweredChallenges(applied)); err != nil {
			return err
		}
		return slowDown(ctx, tx, store.SlowDownEndpoints(applied))
	})
	if err != nil {
		return store.CompleteResult{}, fmt.Errorf("complete deliveries: %w", err)
	}
	return res, nil
}

// outcomeBatch holds the outcomes of one Complete as the arrays that unnest
// reads, one element per outcome.
type outcomeBatch struct {
	outcomes        []store.Outcome
	index           []int // position in outcomes
	ids             []int64
	workers         []string
	retryCounts     []int
	results         []string
	retryAt         []*time.Time
	attempts        []int
	startedAt       []time.Time
	durationMS      []int64
	requestHeaders  []map[string]string
	responseStatus  []*int
	responseHeaders []map[string]string
	responseBody    []string
	errors          []string
}

// newOutcomeBatch lays out outcomes, at most one per delivery, as arrays.
func newOutcomeBatch(outcomes []store.Outcome) *outcomeBatch {
	b := &outcomeBatch{outcomes: outcomes}
	for i, o := range outcomes {
		var retryAt *time.Time
		if o.Result == store.ResultRetry && !o.RetryAt.IsZero() {
			retryAt = &o.RetryAt
		}
		a := o.Attempt
		b.index = append(b.index, i)
		b.ids = append(b.ids, o.Lease.DeliveryID)
		b.workers = append(b.workers, o.Lease.Worker)
		b.retryCounts = append(b.retryCounts, o.Lease.RetryCount)
		b.results = append(b.results, o.Result.String())
		b.retryAt = append(b.retryAt, retryAt)
		b.attempts = append(b.attempts, a.Attempt)
		b.startedAt = append(b.startedAt, a.StartedAt)
		b.durationMS = append(b.durationMS, a.DurationMS)
		b.requestHeaders = append(b.requestHeaders, jsonMap(a.RequestHeaders))
		b.responseStatus = append(b.responseStatus, a.ResponseStatus)
		b.responseHeaders = append(b.responseHeaders, jsonMap(a.ResponseHeaders))
		b.responseBody = append(b.responseBody, a.ResponseBody)
		b.errors = append(b.errors, a.Error)
	}
	return b
}

// apply writes the outcomes whose lease holds to their deliveries and attempt
// logs, in one statement, and returns them in batch order with their
// endpoints.
func (b *outcomeBatch) apply(ctx context.Context, tx pgx.Tx) ([]store.AppliedOutcome, error) {
	if len(b.ids) == 0 {
		return nil, nil
	}
	const q = `
		WITH o AS (
			SELECT *
			FROM unnest(
				$1::int[], $2::bigint[], $3::text[], $4::int[], $5::text[], $6::timestamptz[],
				$7::int[], $8::timestamptz[], $9::bigint[], $10::jsonb[], $11::int[],
				$12::jsonb[], $13::text[], $14::text[]
			) AS o (
				idx, id, worker, retry_count, result, retry_at,
				attempt, started_at, duration_ms, request_headers, response_status,
				response_headers, response_body, error)
		), applied AS (
			UPDATE webhook_deliveries d SET
				status = CASE o.result WHEN 'retry' THEN 'pending' ELSE o.result END,
				retry_count = d.retry_count + CASE o.result WHEN 'retry' THEN 1 ELSE 0 END,
				scheduled_for = CASE o.result WHEN 'retry' THEN coalesce(o.retry_at, now()) ELSE d.scheduled_for END,
				next_retry_at = CASE o.result WHEN 'retry' THEN coalesce(o.retry_at, now()) ELSE d.next_retry_at END,
				processed_at = CASE o.result WHEN 'retry' THEN NULL ELSE now() END,
				lease_expires_at = NULL,
				locked_by = NULL,
				request_headers = o.request_headers,
				response_status = o.response_status,
				response_headers = o.response_headers,
				response_body = nullif(o.response_body, ''),
				last_error = nullif(o.error, '')
			FROM o
			WHERE d.id = o.id
			  AND d.status = 'processing'
			  AND d.locked_by = o.worker
			  AND d.retry_count = o.retry_count
			RETURNING o.idx, d.webhook_id
		), logged AS (
			INSERT INTO webhook_delivery_attempts (
				delivery_id, attempt, started_at, duration_ms, request_headers,
				response_status, response_headers, response_body, error)
			SELECT o.id, o.attempt, o.started_at, o.duration_ms, o.request_headers,
				o.response_status, o.response_headers, nullif(o.response_body, ''), nullif(o.error, '')
			FROM applied JOIN o ON o.idx = applied.idx
		)
		SELECT idx, webhook_id FROM applied ORDER BY idx`
	rows, err := tx.Query(ctx, q,
		b.index, b.ids, b.workers, b.retryCounts, b.results, b.retryAt,
		b.attempts, b.startedAt, b.durationMS, b.requestHeaders, b.responseStatus,
		b.responseHeaders, b.responseBody, b.errors)
	type row struct {
		index      int
		endpointID int64
	}
	written, err := queryAll(rows, err, func(r *row) []any { return []any{&r.index, &r.endpointID} })
	if err != nil {
		return nil, fmt.Errorf("write outcomes: %w", err)
	}
	applied := make([]store.AppliedOutcome, len(written))
	for i, r := range written {
		applied[i] = store.AppliedOutcome{Outcome: b.outcomes[r.index], EndpointID: r.endpointID}
	}
	return applied, nil
}

// markVerified marks verified each endpoint whose current challenge one of
// answered is (see store.Outcome.Verifies); none in most batches.
func markVerified(ctx context.Context, tx pgx.Tx, answered []store.AnsweredChallenge) error {
	for _, a := range answered {
		const q = `
			UPDATE webhooks SET unverified = false, verified_at = now(), updated_at = now()
			WHERE id = $1 AND unverified AND verification_event_id = $2::uuid`
		if _, err := tx.Exec(ctx, q, a.EndpointID, a.EventID); err != nil {
			return fmt.Errorf("mark endpoint %d verified: %w", a.EndpointID, err)
		}
	}
	return nil
}

// slowDown lowers the rate of each endpoint of ids that has a rate limit, as
// store.RateState.SlowDown says, in one statement that takes their rate rows
// in ID order; an endpoint without a limit is left alone.
func slowDown(ctx context.Context, tx pgx.Tx, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	const q = `
		INSERT INTO hookrelay_endpoint_rates AS r (webhook_id, slow_level, slowed_at, slow_until)
		SELECT w.id, 1, now(), now() + $2::bigint * interval '1 microsecond'
		FROM webhooks w
		WHERE w.id = ANY ($1::bigint[]) AND w.rate_limit_per_second > 0
		ORDER BY w.id
		ON CONFLICT (webhook_id) DO UPDATE SET
			slow_level = CASE
				WHEN r.slow_until IS NULL OR r.slow_until <= now() THEN 1
				WHEN r.slowed_at <= now() - $3::bigint * interval '1 microsecond' THEN least(r.slow_level + 1, $4)
				ELSE r.slow_level END,
			slowed_at = CASE
				WHEN r.slow_until IS NULL OR r.slow_until <= now() THEN now()
				WHEN r.slowed_at <= now() - $3::bigint * interval '1 microsecond' AND r.slow_level < $4 THEN now()
				ELSE r.slowed_at END,
			slow_until = EXCLUDED.slow_until`
	_, err := tx.Exec(ctx, q, ids, store.SlowDownFor.Microseconds(), store.SlowDownEvery.Microseconds(),
		store.MaxSlowDownLevel)
	if err != nil {
		return fmt.Errorf("slow down endpoints: %w", err)
	}
	return nil
}
