package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// Complete records a batch of outcomes as store.Store.Complete says, in
// one write transaction of four statements, whatever the batch size.
func (s *Store) Complete(ctx context.Context, outcomes []store.Outcome, health store.HealthPolicy) (store.CompleteResult, error) {
	first, err := store.FirstOutcomes(outcomes)
	if err != nil {
		return store.CompleteResult{}, fmt.Errorf("complete deliveries: %w", err)
	}
	var res store.CompleteResult
	if len(first) == 0 {
		return res, nil
	}
	now := time.Now()
	err = s.inTx(ctx, func(tx execer) error {
		applied, err := writeOutcomes(ctx, tx, first, now)
		if err != nil {
			return err
		}
		res.Applied = len(applied)
		res.Disabled, err = updateEndpointHealth(ctx, tx, store.TallyEndpoints(applied), health, now)
		if err != nil {
			return err
		}
		if err := markVerified(ctx, tx, store.AnsweredChallenges(applied), now); err != nil {
			return err
		}
		return slowDown(ctx, tx, store.SlowDownEndpoints(applied), now)
	})
	if err != nil {
		return store.CompleteResult{}, fmt.Errorf("complete deliveries: %w", err)
	}
	for _, d := range res.Disabled {
		s.deactivations.send(d.ID)
	}
	return res, nil
}

// markVerified marks verified each endpoint whose current challenge one of
// answered is (see store.Outcome.Verifies); none in most batches.
func markVerified(ctx context.Context, tx execer, answered []store.AnsweredChallenge, now time.Time) error {
	for _, a := range answered {
		const q = `
			UPDATE webhooks SET unverified = 0, verified_at = :now, updated_at = :now
			WHERE id = :id AND unverified AND verification_event_id = :event`
		if _, err := tx.ExecContext(ctx, q, sql.Named("id", a.EndpointID), sql.Named("event", a.EventID),
			sql.Named("now", micros(now))); err != nil {
			return fmt.Errorf("mark endpoint %d verified: %w", a.EndpointID, err)
		}
	}
	return nil
}

// outcomeRow is one outcome as the SQL of Complete reads it from JSON.
type outcomeRow struct {
	ID              int64             `json:"id"`
	Worker          string            `json:"worker"`
	RetryCount      int               `json:"retry_count"`
	Result          string            `json:"result"`
	RetryAt         int64             `json:"retry_at"`
	Attempt         int               `json:"attempt"`
	StartedAt       int64             `json:"started_at"`
	DurationMS      int64             `json:"duration_ms"`
	RequestHeaders  map[string]string `json:"request_headers"`
	ResponseStatus  *int              `json:"response_status"`
	ResponseHeaders map[string]string `json:"response_headers"`
	ResponseBody    string            `json:"response_body"`
	Error           string            `json:"error"`
}

// newOutcomeRow is o as a row, with a zero RetryAt meaning now.
func newOutcomeRow(o store.Outcome, now time.Time) outcomeRow {
	retryAt := o.RetryAt
	if retryAt.IsZero() {
		retryAt = now
	}
	a := o.Attempt
	return outcomeRow{
		ID:              o.Lease.DeliveryID,
		Worker:          o.Lease.Worker,
		RetryCount:      o.Lease.RetryCount,
		Result:          o.Result.String(),
		RetryAt:         micros(retryAt),
		Attempt:         a.Attempt,
		StartedAt:       micros(a.StartedAt),
		DurationMS:      a.DurationMS,
		RequestHeaders:  nonNilMap(a.RequestHeaders),
		ResponseStatus:  a.ResponseStatus,
		ResponseHeaders: nonNilMap(a.ResponseHeaders),
		ResponseBody:    a.ResponseBody,
		Error:           a.Error,
	}
}

// writeOutcomes writes the outcomes, at most one per delivery, whose lease
// holds to their deliveries and attempt logs, and returns them in batch order
// with their endpoints.
func writeOutcomes(ctx context.Context, tx execer, outcomes []store.Outcome, now time.Time) ([]store.AppliedOutcome, error) {
	batch := make([]outcomeRow, len(outcomes))
	for i, o := range outcomes {
		batch[i] = newOutcomeRow(o, now)
	}
	const update = `
		WITH o AS (
			SELECT
				value ->> 'id' AS id,
				value ->> 'worker' AS worker,
				value ->> 'retry_count' AS retry_count,
				value ->> 'result' AS result,
				value ->> 'retry_at' AS retry_at,
				value -> 'request_headers' AS request_headers,
				value ->> 'response_status' AS response_status,
				value -> 'response_headers' AS response_headers,
				value ->> 'response_body' AS response_body,
				value ->> 'error' AS error
			FROM json_each(:outcomes)
		)
		UPDATE webhook_deliveries SET
			status = CASE o.result WHEN 'retry' THEN 'pending' ELSE o.result END,
			retry_count = webhook_deliveries.retry_count + (o.result = 'retry'),
			scheduled_for = CASE o.result WHEN 'retry' THEN o.retry_at ELSE scheduled_for END,
			next_retry_at = CASE o.result WHEN 'retry' THEN o.retry_at ELSE next_retry_at END,
			processed_at = CASE o.result WHEN 'retry' THEN NULL ELSE :now END,
			lease_expires_at = NULL,
			locked_by = NULL,
			request_headers = o.request_headers,
			response_status = o.response_status,
			response_headers = o.response_headers,
			response_body = nullif(o.response_body, ''),
			last_error = nullif(o.error, '')
		FROM o
		WHERE webhook_deliveries.id = o.id
		  AND +webhook_deliveries.status = 'processing'
		  AND webhook_deliveries.locked_by = o.worker
		  AND webhook_deliveries.retry_count = o.retry_count
		RETURNING webhook_deliveries.id, webhook_deliveries.webhook_id`
	rows, err := tx.QueryContext(ctx, update, sql.Named("outcomes", jsonText(batch)), sql.Named("now", micros(now)))
	written, err := queryAll(rows, err, func(r *[2]int64) []any { return []any{&r[0], &r[1]} })
	if err != nil {
		return nil, fmt.Errorf("write outcomes: %w", err)
	}
	endpointOf := make(map[int64]int64, len(written))
	for _, r := range written {
		endpointOf[r[0]] = r[1]
	}
	var applied []store.AppliedOutcome
	var logged []outcomeRow
	for i, o := range outcomes {
		if id, ok := endpointOf[o.Lease.DeliveryID]; ok {
			applied = append(applied, store.AppliedOutcome{Outcome: o, EndpointID: id})
			logged = append(logged, batch[i])
		}
	}
	if len(applied) == 0 {
		return nil, nil
	}
	const log = `
		INSERT INTO webhook_delivery_attempts (
			delivery_id, attempt, started_at, duration_ms, request_headers,
			response_status, response_headers, response_body, error)
		SELECT
			value ->> 'id', value ->> 'attempt', value ->> 'started_at', value ->> 'duration_ms',
			value -> 'request_headers', value ->> 'response_status', value -> 'response_headers',
			nullif(value ->> 'response_body', ''), nullif(value ->> 'error', '')
		FROM json_each(?)`
	if _, err := tx.ExecContext(ctx, log, jsonText(logged)); err != nil {
		return nil, fmt.Errorf("log attempts: %w", err)
	}
	return applied, nil
}
