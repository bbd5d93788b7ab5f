package sqlite

import (
	"database/sql"

	"github.com/hookrelay/hookrelay/internal/store"
)

// The column lists below are qualified with table names rather than aliases,
// because SQLite's RETURNING clause knows no alias. Optional text reads as "",
// headers as an empty map, events as an empty slice, as on PostgreSQL.

// endpointColumns selects a webhooks row in endpointDest order.
const endpointColumns = `
	webhooks.id, webhooks.title, webhooks.target_url, webhooks.secret, webhooks.active,
	webhooks.events, coalesce(webhooks.headers, '{}'), coalesce(webhooks.description, ''),
	coalesce(webhooks.created_by, ''), webhooks.max_retries, webhooks.signature_profile,
	coalesce(webhooks.previous_secret, ''), webhooks.previous_secret_expires_at,
	coalesce(webhooks.disabled_reason, ''), webhooks.disabled_at, webhooks.failure_count,
	webhooks.failing_since, webhooks.last_delivered_at, webhooks.created_at, webhooks.updated_at,
	webhooks.rate_limit_per_second,
	webhooks.unverified, webhooks.verified_at, coalesce(webhooks.verification_event_id, ''),
	webhooks.verification_sent_at,
	webhooks.probing_since, webhooks.next_probe_at, webhooks.probe_count, coalesce(webhooks.tenant_id, '')`

func endpointDest(e *store.Endpoint) []any {
	return []any{
		&e.ID, &e.Title, &e.URL, &e.Secret, &e.Active,
		jsonCol{&e.Events}, jsonCol{&e.Headers}, &e.Description,
		&e.CreatedBy, &e.MaxRetries, &e.SignatureProfile,
		&e.PreviousSecret, nullTimeCol{&e.PreviousSecretExpiresAt},
		&e.DisabledReason, nullTimeCol{&e.DisabledAt}, &e.FailureCount,
		nullTimeCol{&e.FailingSince}, nullTimeCol{&e.LastDeliveredAt}, timeCol{&e.CreatedAt}, timeCol{&e.UpdatedAt},
		&e.RateLimitPerSecond,
		&e.Verification.Unverified, nullTimeCol{&e.Verification.VerifiedAt},
		&e.Verification.ChallengeEventID, nullTimeCol{&e.Verification.ChallengeSentAt},
		nullTimeCol{&e.Probe.Since}, nullTimeCol{&e.Probe.NextAt}, &e.Probe.Failures, &e.TenantID,
	}
}

// deliveryColumns selects a webhook_deliveries row in deliveryDest order.
const deliveryColumns = `
	webhook_deliveries.id, webhook_deliveries.webhook_id, webhook_deliveries.event_id,
	webhook_deliveries.event_type, webhook_deliveries.payload, webhook_deliveries.status,
	webhook_deliveries.retry_count, webhook_deliveries.max_retries, webhook_deliveries.priority,
	webhook_deliveries.created_at, webhook_deliveries.scheduled_for, webhook_deliveries.processed_at,
	webhook_deliveries.next_retry_at, webhook_deliveries.lease_expires_at,
	coalesce(webhook_deliveries.request_headers, '{}'), webhook_deliveries.response_status,
	coalesce(webhook_deliveries.response_headers, '{}'), coalesce(webhook_deliveries.response_body, ''),
	coalesce(webhook_deliveries.last_error, ''), coalesce(webhook_deliveries.ordering_key, ''),
	webhook_deliveries.recovered_at, coalesce(webhook_deliveries.tenant_id, '')`

func deliveryDest(d *store.Delivery) []any {
	return []any{
		&d.ID, &d.EndpointID, &d.EventID,
		&d.EventType, rawJSONCol{&d.Payload}, &d.Status,
		&d.RetryCount, &d.MaxRetries, &d.Priority,
		timeCol{&d.CreatedAt}, timeCol{&d.ScheduledFor}, nullTimeCol{&d.ProcessedAt},
		nullTimeCol{&d.NextRetryAt}, nullTimeCol{&d.LeaseExpiresAt},
		jsonCol{&d.RequestHeaders}, &d.ResponseStatus,
		jsonCol{&d.ResponseHeaders}, &d.ResponseBody,
		&d.LastError, &d.OrderingKey,
		nullTimeCol{&d.RecoveredAt}, &d.TenantID,
	}
}

// eventColumns selects a webhook_events row in eventDest order.
const eventColumns = `
	webhook_events.id, webhook_events.type, webhook_events.data,
	webhook_events.priority, webhook_events.created_at, coalesce(webhook_events.ordering_key, ''),
	coalesce(webhook_events.traceparent, ''), coalesce(webhook_events.tracestate, ''),
	coalesce(webhook_events.tenant_id, '')`

// claimedEventColumns selects the event of a claimed delivery in eventDest
// order: its webhook_events row (LEFT JOINed) or, for a row that another
// program inserted without one, the delivery's own columns.
const claimedEventColumns = `
	coalesce(webhook_events.id, webhook_deliveries.event_id),
	coalesce(webhook_events.type, webhook_deliveries.event_type),
	coalesce(webhook_events.data, webhook_deliveries.payload),
	coalesce(webhook_events.priority, webhook_deliveries.priority),
	coalesce(webhook_events.created_at, webhook_deliveries.created_at),
	coalesce(webhook_events.ordering_key, webhook_deliveries.ordering_key, ''),
	coalesce(webhook_events.traceparent, ''), coalesce(webhook_events.tracestate, ''),
	coalesce(webhook_events.tenant_id, webhook_deliveries.tenant_id, '')`

func eventDest(e *store.Event) []any {
	return []any{&e.ID, &e.Type, rawJSONCol{&e.Data}, &e.Priority, timeCol{&e.CreatedAt}, &e.OrderingKey, &e.TraceParent, &e.TraceState, &e.TenantID}
}

// attemptColumns selects a webhook_delivery_attempts row in attemptDest order.
const attemptColumns = `
	webhook_delivery_attempts.delivery_id, webhook_delivery_attempts.attempt,
	webhook_delivery_attempts.started_at, webhook_delivery_attempts.duration_ms,
	coalesce(webhook_delivery_attempts.request_headers, '{}'), webhook_delivery_attempts.response_status,
	coalesce(webhook_delivery_attempts.response_headers, '{}'),
	coalesce(webhook_delivery_attempts.response_body, ''), coalesce(webhook_delivery_attempts.error, '')`

func attemptDest(a *store.Attempt) []any {
	return []any{
		&a.DeliveryID, &a.Attempt,
		timeCol{&a.StartedAt}, &a.DurationMS,
		jsonCol{&a.RequestHeaders}, &a.ResponseStatus,
		jsonCol{&a.ResponseHeaders},
		&a.ResponseBody, &a.Error,
	}
}

// queryOne scans the first row of a query with dest; no row is
// store.ErrNotFound.
func queryOne[T any](rows *sql.Rows, err error, dest func(*T) []any) (T, error) {
	var v T
	if err != nil {
		return v, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return v, err
		}
		return v, store.ErrNotFound
	}
	if err := rows.Scan(dest(&v)...); err != nil {
		return v, err
	}
	return v, rows.Close()
}

// queryAll scans every row of a query with dest. It never returns a nil
// slice without an error.
func queryAll[T any](rows *sql.Rows, err error, dest func(*T) []any) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := rows.Scan(dest(&v)...); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
