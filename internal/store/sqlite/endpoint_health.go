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

// endpointHealth is what the applied outcomes of one Complete do to one
// endpoint, taken in batch order.
type endpointHealth struct {
	ID        int64 `json:"id"`
	Delivered bool  `json:"delivered"` // some outcome delivered
	Failures  int   `json:"failures"`  // failed attempts after the last delivered one
	// Reason is the first DisableEndpoint of its outcomes, "" when none.
	Reason string `json:"reason"`
}

// healthOf sums up applied outcomes per endpoint, by ascending endpoint ID.
func healthOf(applied []outcomeRow) []endpointHealth {
	byID := make(map[int64]*endpointHealth)
	for _, o := range applied {
		h := byID[o.webhookID]
		if h == nil {
			h = &endpointHealth{ID: o.webhookID}
			byID[o.webhookID] = h
		}
		if o.Result == resultNames[store.ResultDelivered] {
			h.Delivered, h.Failures = true, 0
		} else {
			h.Failures++
		}
		h.Reason = cmp.Or(h.Reason, o.disableEndpoint)
	}
	out := make([]endpointHealth, 0, len(byID))
	for _, h := range byID {
		out = append(out, *h)
	}
	slices.SortFunc(out, func(a, b endpointHealth) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// updateEndpointHealth updates the endpoints of applied outcomes as if the
// outcomes came one by one in batch order: a delivered outcome sets
// last_delivered_at now, failure_count 0 and failing_since NULL; a retry or
// failed outcome adds one to failure_count and sets failing_since to now when
// it is NULL. Last, an active endpoint of the batch is disabled (active 0,
// disabled_at now) with the reason of the first applied outcome that has
// DisableEndpoint, or else "N consecutive failed attempts" when failure_count
// >= health.DisableAfterFailures = N > 0, or else "failing for D without a
// success" when failing_since <= now - health.DisableAfterFailingFor = D > 0
// (D formatted by time.Duration.String). It returns the endpoints it
// disabled, by ascending ID.
func updateEndpointHealth(ctx context.Context, tx execer, applied []outcomeRow, health store.HealthPolicy, now time.Time) ([]store.DisabledEndpoint, error) {
	if len(applied) == 0 {
		return nil, nil
	}
	endpoints := sql.Named("endpoints", jsonText(healthOf(applied)))
	at := sql.Named("now", micros(now))
	const count = `
		WITH h AS (
			SELECT value ->> 'id' AS id, value ->> 'delivered' AS delivered, value ->> 'failures' AS failures
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
			SELECT w.id, CASE
				WHEN h.value ->> 'reason' <> '' THEN h.value ->> 'reason'
				WHEN :after_failures > 0 AND w.failure_count >= :after_failures THEN :failures_reason
				WHEN :failing_for > 0 AND w.failing_since <= :now - :failing_for THEN :failing_for_reason
			END AS reason
			FROM json_each(:endpoints) AS h
			JOIN webhooks AS w ON w.id = h.value ->> 'id'
			WHERE w.active
		)
		UPDATE webhooks SET
			active = 0, disabled_reason = verdict.reason, disabled_at = :now, updated_at = :now
		FROM verdict
		WHERE webhooks.id = verdict.id AND verdict.reason IS NOT NULL
		RETURNING webhooks.id, webhooks.disabled_reason`
	rows, err := tx.QueryContext(ctx, disable, endpoints, at,
		sql.Named("after_failures", health.DisableAfterFailures),
		sql.Named("failures_reason", fmt.Sprintf("%d consecutive failed attempts", health.DisableAfterFailures)),
		sql.Named("failing_for", health.DisableAfterFailingFor.Microseconds()),
		sql.Named("failing_for_reason", fmt.Sprintf("failing for %s without a success", health.DisableAfterFailingFor)))
	disabled, err := queryAll(rows, err, func(d *store.DisabledEndpoint) []any { return []any{&d.ID, &d.Reason} })
	if err != nil {
		return nil, fmt.Errorf("disable failing endpoints: %w", err)
	}
	slices.SortFunc(disabled, func(a, b store.DisabledEndpoint) int { return cmp.Compare(a.ID, b.ID) })
	return disabled, nil
}
