package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
)

// recoverable is the condition on a delivery d of an endpoint w that makes it
// "failed for good during the outage" (see store.Recoverer), within $2 microseconds of now.
// A challenge (store.VerificationEventType) is never recovered.
const recoverable = `
	w.failing_since IS NOT NULL
	AND d.status = 'failed' AND d.recovered_at IS NULL
	AND d.retry_count >= d.max_retries
	AND d.processed_at >= w.failing_since
	AND d.processed_at >= now() - $2::bigint * interval '1 microsecond'
	-- a challenge that failed is stale: only a new one (NewChallenge) counts
	AND d.event_type <> '` + store.VerificationEventType + `'`

// recoverDeliveries makes the deliveries of the endpoints ids that failed for
// good during their outage, within window, pending again, as store.Recoverer
// says; it must run before the endpoints' failing_since is cleared. It
// returns how many it recovered.
func recoverDeliveries(ctx context.Context, tx pgx.Tx, ids []int64, window time.Duration) (int, error) {
	if len(ids) == 0 || window <= 0 {
		return 0, nil
	}
	const q = `
		WITH r AS (
			SELECT d.id, now() + (row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.id) - 1)
				* $3::bigint * interval '1 microsecond' AS due
			FROM webhooks w
			JOIN webhook_deliveries d ON d.webhook_id = w.id
			WHERE w.id = ANY ($1::bigint[]) AND ` + recoverable + `
		)
		UPDATE webhook_deliveries d SET ` + makePending + `,
			scheduled_for = r.due,
			next_retry_at = r.due,
			recovered_at = now()
		FROM r
		WHERE d.id = r.id
		  -- checked again on the row it updates: a person's retry may have
		  -- changed it since the CTE read it
		  AND d.status = 'failed' AND d.recovered_at IS NULL`
	tag, err := tx.Exec(ctx, q, ids, window.Microseconds(), store.RecoverySpacing.Microseconds())
	if err != nil {
		return 0, fmt.Errorf("recover deliveries: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// RecoveryOf returns the recovery state of endpoint id (see store.Recoverer).
func (s *Store) RecoveryOf(ctx context.Context, id int64, window time.Duration) (store.Recovery, error) {
	const q = `
		SELECT w.probing_since, w.next_probe_at, w.probe_count,
			CASE WHEN $2::bigint > 0 THEN (
				SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND ` + recoverable + `
			) ELSE 0 END,
			(SELECT count(*) FROM webhook_deliveries d
			 WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.recovered_at IS NOT NULL)
		FROM webhooks w
		WHERE w.id = $1`
	r, err := queryOne(s.pool.QueryRow(ctx, q, id, window.Microseconds()), func(r *store.Recovery) []any {
		return []any{&r.Since, &r.NextAt, &r.Failures, &r.ToRecover, &r.Recovering}
	})
	if err != nil {
		return store.Recovery{}, fmt.Errorf("recovery of endpoint %d: %w", id, err)
	}
	return r, nil
}

// DueProbes returns up to limit probed endpoints whose next probe is due.
func (s *Store) DueProbes(ctx context.Context, limit int) ([]store.Endpoint, error) {
	const q = `
		SELECT ` + endpointColumns + `
		FROM webhooks w
		WHERE NOT w.active AND NOT w.unverified AND w.probing_since IS NOT NULL AND w.next_probe_at <= now()
		ORDER BY w.next_probe_at, w.id
		LIMIT $1`
	rows, err := s.pool.Query(ctx, q, limit)
	endpoints, err := queryAll(rows, err, endpointDest)
	if err != nil {
		return nil, fmt.Errorf("due probes: %w", err)
	}
	return endpoints, nil
}

// ProbeFailed records a failed probe of endpoint id (see store.Recoverer).
func (s *Store) ProbeFailed(ctx context.Context, id int64, next time.Time) error {
	const q = `
		UPDATE webhooks SET probe_count = probe_count + 1, next_probe_at = $2
		WHERE id = $1 AND probing_since IS NOT NULL AND NOT active`
	if _, err := s.pool.Exec(ctx, q, id, next); err != nil {
		return fmt.Errorf("record failed probe of endpoint %d: %w", id, err)
	}
	return nil
}

// ProbeSucceeded re-enables endpoint id and recovers its deliveries (see
// store.Recoverer).
func (s *Store) ProbeSucceeded(ctx context.Context, id int64, window time.Duration) (int, error) {
	var recovered int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var probing bool
		err := tx.QueryRow(ctx, `
			SELECT probing_since IS NOT NULL AND NOT active FROM webhooks WHERE id = $1 FOR NO KEY UPDATE`,
			id).Scan(&probing)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return store.ErrNotFound
		case err != nil:
			return err
		case !probing:
			return fmt.Errorf("%w: endpoint is not probed", store.ErrConflict)
		}
		if recovered, err = recoverDeliveries(ctx, tx, []int64{id}, window); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE webhooks SET
				active = true, disabled_reason = NULL, disabled_at = NULL,
				probing_since = NULL, next_probe_at = NULL, probe_count = 0,
				failure_count = 0, failing_since = NULL, last_delivered_at = now(), updated_at = now()
			WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("re-enable probed endpoint %d: %w", id, err)
	}
	return recovered, nil
}

// StopRecovery clears the probing of endpoint id and cancels its recovered
// deliveries that are still pending (see store.Recoverer).
func (s *Store) StopRecovery(ctx context.Context, id int64) (store.Endpoint, error) {
	var e store.Endpoint
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		e, err = queryOne(tx.QueryRow(ctx, `
			UPDATE webhooks w SET probing_since = NULL, next_probe_at = NULL, probe_count = 0, updated_at = now()
			WHERE w.id = $1
			RETURNING `+endpointColumns, id), endpointDest)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE webhook_deliveries SET
				status = 'cancelled', processed_at = now(), lease_expires_at = NULL, locked_by = NULL
			WHERE webhook_id = $1 AND status = 'pending' AND recovered_at IS NOT NULL`, id)
		return err
	})
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("stop recovery of endpoint %d: %w", id, err)
	}
	return e, nil
}
