package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// recoverable is the condition on a delivery d of an endpoint w that makes it
// "failed for good during the outage" (see store.Recoverer), within :window microseconds of :now.
// A challenge (store.VerificationEventType) is never recovered.
const recoverable = `
	w.failing_since IS NOT NULL
	AND d.status = 'failed' AND d.recovered_at IS NULL
	AND d.retry_count >= d.max_retries
	AND d.processed_at >= w.failing_since
	AND d.processed_at >= :now - :window
	-- a challenge that failed is stale: only a new one (NewChallenge) counts
	AND d.event_type <> '` + store.VerificationEventType + `'`

// recoverDeliveries makes the deliveries of the endpoints ids that failed for
// good during their outage, within window, pending again, as store.Recoverer
// says; it must run before the endpoints' failing_since is cleared. It
// returns how many it recovered.
func recoverDeliveries(ctx context.Context, tx execer, ids []int64, window time.Duration, now int64) (int, error) {
	if len(ids) == 0 || window <= 0 {
		return 0, nil
	}
	const q = `
		WITH r AS (
			SELECT d.id AS rid, :now + (row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.id) - 1) * :spacing AS due
			FROM webhooks AS w
			JOIN webhook_deliveries AS d ON d.webhook_id = w.id
			WHERE w.id IN (SELECT value FROM json_each(:ids)) AND ` + recoverable + `
		)
		UPDATE webhook_deliveries SET ` + makePending + `,
			scheduled_for = r.due,
			next_retry_at = r.due,
			recovered_at = :now
		FROM r
		WHERE webhook_deliveries.id = r.rid`
	res, err := tx.ExecContext(ctx, q, sql.Named("ids", jsonText(ids)), sql.Named("now", now),
		sql.Named("window", window.Microseconds()), sql.Named("spacing", store.RecoverySpacing.Microseconds()))
	if err != nil {
		return 0, fmt.Errorf("recover deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("recover deliveries: %w", err)
	}
	return int(n), nil
}

// RecoveryOf returns the recovery state of endpoint id (see store.Recoverer).
func (s *Store) RecoveryOf(ctx context.Context, id int64, window time.Duration) (store.Recovery, error) {
	const q = `
		SELECT w.probing_since, w.next_probe_at, w.probe_count,
			CASE WHEN :window > 0 THEN (
				SELECT count(*) FROM webhook_deliveries AS d WHERE d.webhook_id = w.id AND ` + recoverable + `
			) ELSE 0 END,
			(SELECT count(*) FROM webhook_deliveries AS d
			 WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.recovered_at IS NOT NULL)
		FROM webhooks AS w
		WHERE w.id = :id`
	rows, err := s.reads.QueryContext(ctx, q, sql.Named("id", id), sql.Named("window", window.Microseconds()),
		sql.Named("now", micros(time.Now())))
	r, err := queryOne(rows, err, func(r *store.Recovery) []any {
		return []any{nullTimeCol{&r.Since}, nullTimeCol{&r.NextAt}, &r.Failures, &r.ToRecover, &r.Recovering}
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
		FROM webhooks
		WHERE NOT webhooks.active AND NOT webhooks.unverified AND webhooks.probing_since IS NOT NULL AND webhooks.next_probe_at <= :now
		ORDER BY webhooks.next_probe_at, webhooks.id
		LIMIT :limit`
	rows, err := s.reads.QueryContext(ctx, q, sql.Named("now", micros(time.Now())), sql.Named("limit", limit))
	endpoints, err := queryAll(rows, err, endpointDest)
	if err != nil {
		return nil, fmt.Errorf("due probes: %w", err)
	}
	return endpoints, nil
}

// ProbeFailed records a failed probe of endpoint id (see store.Recoverer).
func (s *Store) ProbeFailed(ctx context.Context, id int64, next time.Time) error {
	const q = `
		UPDATE webhooks SET probe_count = probe_count + 1, next_probe_at = :next
		WHERE id = :id AND probing_since IS NOT NULL AND NOT active`
	if _, err := s.exec(ctx, q, sql.Named("id", id), sql.Named("next", micros(next))); err != nil {
		return fmt.Errorf("record failed probe of endpoint %d: %w", id, err)
	}
	return nil
}

// ProbeSucceeded re-enables endpoint id and recovers its deliveries (see
// store.Recoverer).
func (s *Store) ProbeSucceeded(ctx context.Context, id int64, window time.Duration) (int, error) {
	var recovered int
	now := micros(time.Now())
	err := s.inTx(ctx, func(tx execer) error {
		rows, err := tx.QueryContext(ctx,
			`SELECT probing_since IS NOT NULL AND NOT active FROM webhooks WHERE id = :id`, sql.Named("id", id))
		probing, err := queryOne(rows, err, func(b *bool) []any { return []any{b} })
		if err != nil {
			return err
		}
		if !probing {
			return fmt.Errorf("%w: endpoint is not probed", store.ErrConflict)
		}
		if recovered, err = recoverDeliveries(ctx, tx, []int64{id}, window, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE webhooks SET
				active = 1, disabled_reason = NULL, disabled_at = NULL,
				probing_since = NULL, next_probe_at = NULL, probe_count = 0,
				failure_count = 0, failing_since = NULL, last_delivered_at = :now, updated_at = :now
			WHERE id = :id`, sql.Named("id", id), sql.Named("now", now))
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
	now := sql.Named("now", micros(time.Now()))
	err := s.inTx(ctx, func(tx execer) error {
		rows, err := tx.QueryContext(ctx, `
			UPDATE webhooks SET probing_since = NULL, next_probe_at = NULL, probe_count = 0, updated_at = :now
			WHERE id = :id
			RETURNING `+endpointColumns, sql.Named("id", id), now)
		if e, err = queryOne(rows, err, endpointDest); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE webhook_deliveries SET
				status = 'cancelled', processed_at = :now, lease_expires_at = NULL, locked_by = NULL
			WHERE webhook_id = :id AND status = 'pending' AND recovered_at IS NOT NULL`, sql.Named("id", id), now)
		return err
	})
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("stop recovery of endpoint %d: %w", id, err)
	}
	return e, nil
}
