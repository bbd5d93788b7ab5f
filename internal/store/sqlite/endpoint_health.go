package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// updateEndpointHealth writes the tallies of one Complete batch to their
// endpoints (see store.EndpointTally). Last, an active endpoint of the batch
// is disabled (active 0, disabled_at now) with the tally's DisableReason, or
// else health.FailuresReason when failure_count >=
// health.DisableAfterFailures > 0, or else health.FailingForReason when
// failing_since <= now - health.DisableAfterFailingFor > 0. It returns the
// endpoints it disabled, by ascending ID. The tallies travel as JSON objects
// keyed by the field names of store.EndpointTally.
func updateEndpointHealth(ctx context.Context, tx execer, tallies []store.EndpointTally, health store.HealthPolicy, now time.Time) ([]store.DisabledEndpoint, error) {
	if len(tallies) == 0 {
		return nil, nil
	}
	endpoints := sql.Named("endpoints", jsonText(tallies))
	at := sql.Named("now", micros(now))
	// The endpoints that answered 2xx are back: recover what failed during
	// their outage while their failing_since still says when it began.
	if _, err := recoverDeliveries(ctx, tx, store.DeliveredEndpoints(tallies), health.RecoverWithin, micros(now)); err != nil {
		return nil, err
	}
	const count = `
		WITH h AS (
			SELECT value ->> 'EndpointID' AS id, value ->> 'Delivered' AS delivered, value ->> 'Failures' AS failures
			FROM json_each(:endpoints)
		)
		UPDATE webhooks SET
			last_delivered_at = CASE WHEN h.delivered THEN :now ELSE last_delivered_at END,
			failure_count = CASE WHEN h.delivered THEN 0 ELSE failure_count END + h.failures,
			failing_since = CASE
				WHEN h.failures = 0 THEN NULL
				WHEN h.delivered THEN :now
				ELSE coalesce(failing_since, :now)
			END
		FROM h
		WHERE webhooks.id = h.id`
	if _, err := tx.ExecContext(ctx, count, endpoints, at); err != nil {
		return nil, fmt.Errorf("count endpoint failures: %w", err)
	}
	const disable = `
		WITH verdict AS (
			SELECT w.id, h.value ->> 'DisableReason' = '' AS by_rules, CASE
				WHEN h.value ->> 'DisableReason' <> '' THEN h.value ->> 'DisableReason'
				WHEN :after_failures > 0 AND w.failure_count >= :after_failures THEN :failures_reason
				WHEN :failing_for > 0 AND w.failing_since <= :now - :failing_for THEN :failing_for_reason
			END AS reason
			FROM json_each(:endpoints) AS h
			JOIN webhooks AS w ON w.id = h.value ->> 'EndpointID'
			WHERE w.active
		)
		UPDATE webhooks SET
			active = 0, disabled_reason = verdict.reason, disabled_at = :now, updated_at = :now,
			probing_since = CASE WHEN verdict.by_rules AND NOT webhooks.unverified AND :probe > 0 THEN :now END,
			next_probe_at = CASE WHEN verdict.by_rules AND NOT webhooks.unverified AND :probe > 0 THEN :now + :probe END,
			probe_count = 0
		FROM verdict
		WHERE webhooks.id = verdict.id AND verdict.reason IS NOT NULL
		RETURNING webhooks.id, webhooks.disabled_reason`
	rows, err := tx.QueryContext(ctx, disable, endpoints, at,
		sql.Named("after_failures", health.DisableAfterFailures),
		sql.Named("failures_reason", health.FailuresReason()),
		sql.Named("failing_for", health.DisableAfterFailingFor.Microseconds()),
		sql.Named("failing_for_reason", health.FailingForReason()),
		sql.Named("probe", health.ProbeInterval.Microseconds()))
	disabled, err := queryAll(rows, err, func(d *store.DisabledEndpoint) []any { return []any{&d.ID, &d.Reason} })
	if err != nil {
		return nil, fmt.Errorf("disable failing endpoints: %w", err)
	}
	slices.SortFunc(disabled, func(a, b store.DisabledEndpoint) int { return cmp.Compare(a.ID, b.ID) })
	return disabled, nil
}
