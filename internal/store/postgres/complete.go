package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Complete records a batch of outcomes in one transaction of four statements,
// whatever the batch size.
//
// An outcome applies only while its lease holds: the delivery is processing,
// locked_by = Lease.Worker and retry_count = Lease.RetryCount; otherwise it is
// skipped (not counted in Applied, its attempt not recorded, its
// DisableEndpoint ignored). When a batch holds several outcomes for one
// delivery, the first one applies and the others are skipped. An applied
// outcome
//   - ResultDelivered: makes the delivery delivered with processed_at now;
//   - ResultRetry: makes it pending with retry_count + 1 and scheduled_for and
//     next_retry_at = RetryAt (now when RetryAt is zero), processed_at NULL;
//   - ResultFailed: makes it failed with processed_at now;
//
// clears the lease, copies the attempt's request headers, response status,
// headers and body, and error (last_error; NULL when empty) into the
// delivery, and appends the attempt to its attempt log.
//
// The endpoints of applied outcomes are then updated as if the outcomes came
// one by one in batch order: a delivered outcome sets last_delivered_at now,
// failure_count 0 and failing_since NULL; a retry or failed outcome adds one
// to failure_count and sets failing_since to now when it is NULL. Last, an
// active endpoint of the batch is disabled (active false, disabled_at now)
// with the reason of the first applied outcome that has DisableEndpoint, or
// else "N consecutive failed attempts" when failure_count >=
// health.DisableAfterFailures = N > 0, or else "failing for D without a
// success" when failing_since <= now - health.DisableAfterFailingFor = D > 0
// (D formatted by time.Duration.String). Result.Disabled lists the endpoints
// this call disabled, by ascending ID.
func (s *Store) Complete(ctx context.Context, outcomes []store.Outcome, health store.HealthPolicy) (store.CompleteResult, error) {
	batch, err := newOutcomeBatch(outcomes)
	if err != nil {
		return store.CompleteResult{}, fmt.Errorf("complete deliveries: %w", err)
	}
	var res store.CompleteResult
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		applied, err := batch.apply(ctx, tx)
		if err != nil {
			return err
		}
		res.Applied = len(applied)
		res.Disabled, err = updateEndpointHealth(ctx, tx, endpointTallies(applied, outcomes), health)
		return err
	})
	if err != nil {
		return store.CompleteResult{}, fmt.Errorf("complete deliveries: %w", err)
	}
	return res, nil
}

// resultNames are the Result values as the SQL of Complete spells them.
var resultNames = map[store.Result]string{
	store.ResultDelivered: "delivered",
	store.ResultRetry:     "retry",
	store.ResultFailed:    "failed",
}

// outcomeBatch holds the outcomes of one Complete as the arrays that unnest
// reads, one element per outcome, the first outcome of each delivery only.
type outcomeBatch struct {
	index           []int // position in the caller's slice
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

func newOutcomeBatch(outcomes []store.Outcome) (*outcomeBatch, error) {
	b := &outcomeBatch{}
	seen := make(map[int64]bool, len(outcomes))
	for i, o := range outcomes {
		name, ok := resultNames[o.Result]
		if !ok {
			return nil, fmt.Errorf("delivery %d: unknown result %d", o.Lease.DeliveryID, o.Result)
		}
		if seen[o.Lease.DeliveryID] {
			continue
		}
		seen[o.Lease.DeliveryID] = true
		var retryAt *time.Time
		if o.Result == store.ResultRetry && !o.RetryAt.IsZero() {
			retryAt = &o.RetryAt
		}
		a := o.Attempt
		b.index = append(b.index, i)
		b.ids = append(b.ids, o.Lease.DeliveryID)
		b.workers = append(b.workers, o.Lease.Worker)
		b.retryCounts = append(b.retryCounts, o.Lease.RetryCount)
		b.results = append(b.results, name)
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
	return b, nil
}

// appliedOutcome is an outcome whose lease held.
type appliedOutcome struct {
	index     int // position in the caller's slice
	webhookID int64
}

// apply writes the outcomes whose lease holds to their deliveries and attempt
// logs, in one statement, and returns them in batch order.
func (b *outcomeBatch) apply(ctx context.Context, tx pgx.Tx) ([]appliedOutcome, error) {
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
	applied, err := queryAll(rows, err, func(a *appliedOutcome) []any { return []any{&a.index, &a.webhookID} })
	if err != nil {
		return nil, fmt.Errorf("write outcomes: %w", err)
	}
	return applied, nil
}

// endpointTally is what a batch's applied outcomes do to one endpoint.
type endpointTally struct {
	delivered bool // some outcome delivered
	failures  int  // failed attempts after the last delivered one
	disable   string
}

// endpointTallies sums up applied outcomes per endpoint, in batch order.
func endpointTallies(applied []appliedOutcome, outcomes []store.Outcome) map[int64]*endpointTally {
	tallies := make(map[int64]*endpointTally)
	for _, a := range applied {
		t := tallies[a.webhookID]
		if t == nil {
			t = &endpointTally{}
			tallies[a.webhookID] = t
		}
		o := outcomes[a.index]
		if o.Result == store.ResultDelivered {
			t.delivered, t.failures = true, 0
		} else {
			t.failures++
		}
		if t.disable == "" {
			t.disable = o.DisableEndpoint
		}
	}
	return tallies
}
