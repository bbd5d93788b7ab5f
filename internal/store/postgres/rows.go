package postgres

import (
	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
)

// endpointColumns selects a webhooks row (alias w) in endpointDest order.
// Optional text reads as "", headers as an empty map, events as an empty slice;
// a row that names no signature profile (one another program inserted) reads
// as "".
const endpointColumns = `
	w.id, w.title, w.target_url, w.secret, w.active, w.events,
	coalesce(w.headers, '{}'), coalesce(w.description, ''), coalesce(w.created_by, ''),
	w.max_retries, coalesce(w.signature_profile, ''), coalesce(w.previous_secret, ''),
	w.previous_secret_expires_at, coalesce(w.disabled_reason, ''), w.disabled_at,
	w.failure_count, w.failing_since, w.last_delivered_at, w.created_at, w.updated_at,
	w.rate_limit_per_second,
	w.unverified, w.verified_at, coalesce(w.verification_event_id::text, ''), w.verification_sent_at,
	w.probing_since, w.next_probe_at, w.probe_count, coalesce(w.tenant_id::text, '')`

func endpointDest(e *store.Endpoint) []any {
	return []any{
		&e.ID, &e.Title, &e.URL, &e.Secret, &e.Active, &e.Events,
		&e.Headers, &e.Description, &e.CreatedBy,
		&e.MaxRetries, &e.SignatureProfile, &e.PreviousSecret,
		&e.PreviousSecretExpiresAt, &e.DisabledReason, &e.DisabledAt,
		&e.FailureCount, &e.FailingSince, &e.LastDeliveredAt, &e.CreatedAt, &e.UpdatedAt,
		&e.RateLimitPerSecond,
		&e.Verification.Unverified, &e.Verification.VerifiedAt,
		&e.Verification.ChallengeEventID, &e.Verification.ChallengeSentAt,
		&e.Probe.Since, &e.Probe.NextAt, &e.Probe.Failures, &e.TenantID,
	}
}

// deliveryColumns selects a webhook_deliveries row (alias d) in deliveryDest
// order, with the same reading of NULLs as endpointColumns.
const deliveryColumns = `
	d.id, d.webhook_id, d.event_id::text, d.event_type, d.payload, d.status,
	d.retry_count, d.max_retries, d.priority, d.created_at, d.scheduled_for,
	d.processed_at, d.next_retry_at, d.lease_expires_at,
	coalesce(d.request_headers, '{}'), d.response_status, coalesce(d.response_headers, '{}'),
	coalesce(d.response_body, ''), coalesce(d.last_error, ''), coalesce(d.ordering_key, ''),
	d.recovered_at, coalesce(d.tenant_id::text, '')`

func deliveryDest(d *store.Delivery) []any {
	return []any{
		&d.ID, &d.EndpointID, &d.EventID, &d.EventType, &d.Payload, &d.Status,
		&d.RetryCount, &d.MaxRetries, &d.Priority, &d.CreatedAt, &d.ScheduledFor,
		&d.ProcessedAt, &d.NextRetryAt, &d.LeaseExpiresAt,
		&d.RequestHeaders, &d.ResponseStatus, &d.ResponseHeaders,
		&d.ResponseBody, &d.LastError, &d.OrderingKey,
		&d.RecoveredAt, &d.TenantID,
	}
}

// eventColumns selects a webhook_events row (alias e) in eventDest order.
const eventColumns = `e.id::text, e.type, e.data, e.priority, e.created_at, coalesce(e.ordering_key, ''),
	coalesce(e.traceparent, ''), coalesce(e.tracestate, ''),
	coalesce(e.tenant_id::text, '')`

// claimedEventColumns selects the event of a claimed delivery (alias d) in
// eventDest order: its webhook_events row (alias e, LEFT JOINed) or, for a
// row that another program inserted without one (Ackify CE's Enqueue), the
// delivery's own columns. The data is read as text, whatever the column's
// type.
const claimedEventColumns = `
	coalesce(e.id, d.event_id)::text, coalesce(e.type, d.event_type),
	coalesce(e.data::text, d.payload::text), coalesce(e.priority, d.priority),
	coalesce(e.created_at, d.created_at), coalesce(e.ordering_key, d.ordering_key, ''),
	coalesce(e.traceparent, ''), coalesce(e.tracestate, ''),
	coalesce(e.tenant_id::text, d.tenant_id::text, '')`

func eventDest(e *store.Event) []any {
	return []any{&e.ID, &e.Type, &e.Data, &e.Priority, &e.CreatedAt, &e.OrderingKey, &e.TraceParent, &e.TraceState, &e.TenantID}
}

// attemptColumns selects a webhook_delivery_attempts row (alias a) in
// attemptDest order.
const attemptColumns = `
	a.delivery_id, a.attempt, a.started_at, a.duration_ms,
	coalesce(a.request_headers, '{}'), a.response_status, coalesce(a.response_headers, '{}'),
	coalesce(a.response_body, ''), coalesce(a.error, '')`

func attemptDest(a *store.Attempt) []any {
	return []any{
		&a.DeliveryID, &a.Attempt, &a.StartedAt, &a.DurationMS,
		&a.RequestHeaders, &a.ResponseStatus, &a.ResponseHeaders,
		&a.ResponseBody, &a.Error,
	}
}

// queryOne runs a query that returns one row scanned by dest; no row is
// store.ErrNotFound.
func queryOne[T any](row pgx.Row, dest func(*T) []any) (T, error) {
	var v T
	if err := row.Scan(dest(&v)...); err != nil {
		return v, notFound(err)
	}
	return v, nil
}

// queryAll scans every row of a query with dest. It never returns a nil
// slice without an error.
func queryAll[T any](rows pgx.Rows, err error, dest func(*T) []any) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) {
		var v T
		err := row.Scan(dest(&v)...)
		return v, err
	})
}

// jsonMap is m for a JSONB parameter: nil becomes {} rather than null.
func jsonMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// nonNil is s for an array parameter: nil becomes an empty array rather than
// NULL.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
