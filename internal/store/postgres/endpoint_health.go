package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
)

// updateEndpointHealth writes the tallies of one Complete batch (by
// ascending endpoint ID) to their endpoints and disables those that the batch
// or the health policy condemns; it returns the endpoints it disabled, by
// ascending ID. See store.Store.Complete for the rules.
func updateEndpointHealth(ctx context.Context, tx pgx.Tx, tallies []store.EndpointTally, health store.HealthPolicy) ([]store.DisabledEndpoint, error) {
	if len(tallies) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(tallies))
	delivered := make([]bool, len(tallies))
	failures := make([]int, len(tallies))
	reasons := make([]string, len(tallies))
	for i, t := range tallies {
		ids[i], delivered[i], failures[i], reasons[i] = t.EndpointID, t.Delivered, t.Failures, t.DisableReason
	}

	// Lock in ID order so that concurrent batches cannot deadlock.
	const lock = `SELECT id FROM webhooks WHERE id = ANY ($1) ORDER BY id FOR NO KEY UPDATE`
	if _, err := tx.Exec(ctx, lock, ids); err != nil {
		return nil, fmt.Errorf("lock endpoints: %w", err)
	}
	// The endpoints that answered 2xx are back: recover what failed during
	// their outage while their failing_since still says when it began.
	if _, err := recoverDeliveries(ctx, tx, store.DeliveredEndpoints(tallies), health.RecoverWithin); err != nil {
		return nil, err
	}
	const count = `
		UPDATE webhooks w SET
			last_delivered_at = CASE WHEN t.delivered THEN now() ELSE w.last_delivered_at END,
			failure_count = CASE WHEN t.delivered THEN 0 ELSE w.failure_count END + t.failures,
			failing_since = CASE
				WHEN t.failures = 0 THEN NULL
				WHEN t.delivered THEN now()
				ELSE coalesce(w.failing_since, now())
			END
		FROM unnest($1::bigint[], $2::boolean[], $3::int[]) AS t (id, delivered, failures)
		WHERE w.id = t.id`
	if _, err := tx.Exec(ctx, count, ids, delivered, failures); err != nil {
		return nil, fmt.Errorf("count endpoint failures: %w", err)
	}
	const disable = `
		UPDATE webhooks w SET
			active = false, disabled_reason = r.reason, disabled_at = now(), updated_at = now(),
			probing_since = CASE WHEN r.by_rules AND NOT w.unverified AND $7::bigint > 0 THEN now() END,
			next_probe_at = CASE WHEN r.by_rules AND NOT w.unverified AND $7::bigint > 0 THEN now() + $7 * interval '1 microsecond' END,
			probe_count = 0
		FROM (
			SELECT t.id, t.reason = '' AS by_rules, CASE
				WHEN t.reason <> '' THEN t.reason
				WHEN $3::int > 0 AND w.failure_count >= $3 THEN $4
				WHEN $5::bigint > 0 AND w.failing_since <= now() - $5 * interval '1 microsecond' THEN $6
			END AS reason
			FROM unnest($1::bigint[], $2::text[]) AS t (id, reason)
			JOIN webhooks w ON w.id = t.id
		) r
		WHERE w.id = r.id AND w.active AND r.reason IS NOT NULL
		RETURNING w.id, w.disabled_reason`
	rows, err := tx.Query(ctx, disable, ids, reasons,
		health.DisableAfterFailures, health.FailuresReason(),
		health.DisableAfterFailingFor.Microseconds(), health.FailingForReason(),
		health.ProbeInterval.Microseconds())
	disabled, err := queryAll(rows, err, func(d *store.DisabledEndpoint) []any { return []any{&d.ID, &d.Reason} })
	if err != nil {
		return nil, fmt.Errorf("disable failing endpoints: %w", err)
	}
	slices.SortFunc(disabled, func(a, b store.DisabledEndpoint) int { return cmp.Compare(a.ID, b.ID) })
	return disabled, nil
}
