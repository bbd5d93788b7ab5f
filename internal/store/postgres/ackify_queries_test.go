package postgres_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ackifyQueries runs, on a transaction of Ackify's, the statements of Ackify
// CE's webhook repositories (backend/internal/infrastructure/database:
// webhook_repository.go and webhook_delivery_repository.go), restated here
// with the same columns, filters, locking and order, so that a test proves
// they still run on a schema that hookrelay migrated. withTenant selects
// Ackify's statements since its tenant step (0015), which read and write
// tenant_id; before it they name no tenant.
type ackifyQueries struct {
	t          *testing.T
	tx         pgx.Tx
	withTenant bool
	tenant     string
}

// endpointColumns are the columns Ackify's webhook statements return.
func (q ackifyQueries) endpointColumns() string {
	cols := `id, title, target_url, secret, active, events, headers, description, created_by,
		created_at, updated_at, last_delivered_at, failure_count`
	if q.withTenant {
		cols = "tenant_id, " + cols
	}
	return cols
}

// scanWebhooks runs a statement returning endpointColumns and returns the IDs.
func (q ackifyQueries) endpointIDs(sql string, args ...any) []int64 {
	q.t.Helper()
	rows, err := q.tx.Query(q.t.Context(), sql, args...)
	if err != nil {
		q.t.Fatalf("Ackify webhook statement: %v\n%s", err, sql)
	}
	ids, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (int64, error) {
		vals, err := row.Values()
		if err != nil {
			return 0, err
		}
		if q.withTenant {
			return vals[1].(int64), nil
		}
		return vals[0].(int64), nil
	})
	if err != nil {
		q.t.Fatalf("Ackify webhook statement: %v\n%s", err, sql)
	}
	return ids
}

// CreateEndpoint is WebhookRepository.Create.
func (q ackifyQueries) CreateEndpoint(title, url, secret string, events []string) int64 {
	q.t.Helper()
	sql := `INSERT INTO webhooks (title, target_url, secret, active, events, headers, description, created_by)
		VALUES ($1, $2, $3, true, $4, $5, $6, $7) RETURNING ` + q.endpointColumns()
	args := []any{title, url, secret, events, []byte(`{"X-Source":"ackify"}`), "added by Ackify", "admin@example.com"}
	if q.withTenant {
		sql = `INSERT INTO webhooks (tenant_id, title, target_url, secret, active, events, headers, description, created_by)
			VALUES ($8, $1, $2, $3, true, $4, $5, $6, $7) RETURNING ` + q.endpointColumns()
		args = append(args, q.tenant)
	}
	return q.endpointIDs(sql, args...)[0]
}

// UpdateEndpoint is WebhookRepository.Update (an empty secret keeps the old one).
func (q ackifyQueries) UpdateEndpoint(id int64, title, url string, events []string) {
	q.t.Helper()
	ids := q.endpointIDs(`
		UPDATE webhooks
		SET title = $1, target_url = $2, secret = coalesce(nullif($3, ''), secret), active = $4,
		    events = $5, headers = $6, description = $7, updated_at = now()
		WHERE id = $8
		RETURNING `+q.endpointColumns(), title, url, "", true, events, []byte(`{}`), "edited in Ackify", id)
	if len(ids) != 1 {
		q.t.Fatalf("Ackify Update changed %d webhooks, want 1", len(ids))
	}
}

// ListActiveByEvent is WebhookRepository.ListActiveByEvent.
func (q ackifyQueries) ListActiveByEvent(event string) []int64 {
	q.t.Helper()
	return q.endpointIDs(`SELECT `+q.endpointColumns()+` FROM webhooks WHERE active = TRUE AND $1 = ANY(events)`, event)
}

// CountEndpoints is WebhookRepository's count of distinct active targets.
func (q ackifyQueries) CountEndpoints() int {
	q.t.Helper()
	var n int
	if err := q.tx.QueryRow(q.t.Context(), `SELECT count(DISTINCT target_url) FROM webhooks WHERE active = TRUE`).Scan(&n); err != nil {
		q.t.Fatalf("Ackify Count: %v", err)
	}
	return n
}

// Enqueue is WebhookDeliveryRepository.Enqueue; it returns the new row's ID
// and status.
func (q ackifyQueries) Enqueue(endpointID int64, eventType, eventID string, payload []byte) (int64, string) {
	q.t.Helper()
	var (
		id     int64
		status string
		tenant *string
		retry  int
		at     time.Time
		p, n   *time.Time
	)
	sql := `INSERT INTO webhook_deliveries (webhook_id, event_type, event_id, payload, priority, max_retries, scheduled_for)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id, status, retry_count, created_at, processed_at, next_retry_at`
	args := []any{endpointID, eventType, eventID, payload, 0, 6, time.Now()}
	dest := []any{&id, &status, &retry, &at, &p, &n}
	if q.withTenant {
		sql = `INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_type, event_id, payload, priority, max_retries, scheduled_for)
			VALUES ($8, $1, $2, $3, $4, $5, $6, $7)
			RETURNING id, tenant_id, status, retry_count, created_at, processed_at, next_retry_at`
		args = append(args, q.tenant)
		dest = []any{&id, &tenant, &status, &retry, &at, &p, &n}
	}
	if err := q.tx.QueryRow(q.t.Context(), sql, args...).Scan(dest...); err != nil {
		q.t.Fatalf("Ackify Enqueue: %v", err)
	}
	return id, status
}

// ackifyItem is what Ackify's worker reads for one delivery.
type ackifyItem struct {
	ID, EndpointID                     int64
	EventType, EventID, Status, Secret string
	Payload                            []byte
	RetryCount                         int
}

// claim is the statement of GetNextToProcess (retryOnly false) and
// GetRetryable (retryOnly true): lock due pending rows, mark them processing
// (the trigger sets next_retry_at) and read them with their webhook.
func (q ackifyQueries) claim(retryOnly bool, limit int) []ackifyItem {
	q.t.Helper()
	filter := ""
	if retryOnly {
		filter = "AND retry_count > 0 AND retry_count < max_retries"
	}
	rows, err := q.tx.Query(q.t.Context(), `
		WITH picked AS (
			SELECT id FROM webhook_deliveries
			WHERE status = 'pending' `+filter+` AND scheduled_for <= $1
			ORDER BY priority DESC, scheduled_for ASC
			LIMIT $2
			FOR UPDATE SKIP LOCKED
		), upd AS (
			UPDATE webhook_deliveries wd SET status = 'processing'
			WHERE wd.id IN (SELECT id FROM picked)
			RETURNING wd.*
		)
		SELECT u.id, u.webhook_id, u.event_type, u.event_id::text, u.payload, u.status, u.retry_count,
		       u.max_retries, u.priority, u.scheduled_for, w.target_url, w.secret, w.headers
		FROM upd u JOIN webhooks w ON w.id = u.webhook_id`, time.Now(), limit)
	if err != nil {
		q.t.Fatalf("Ackify claim: %v", err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ackifyItem, error) {
		var it ackifyItem
		var maxRetries, priority int
		var scheduled time.Time
		var target string
		var headers []byte
		err := row.Scan(&it.ID, &it.EndpointID, &it.EventType, &it.EventID, &it.Payload, &it.Status, &it.RetryCount,
			&maxRetries, &priority, &scheduled, &target, &it.Secret, &headers)
		return it, err
	})
	if err != nil {
		q.t.Fatalf("Ackify claim: %v", err)
	}
	return items
}

// GetNextToProcess is WebhookDeliveryRepository.GetNextToProcess.
func (q ackifyQueries) GetNextToProcess(limit int) []ackifyItem { return q.claim(false, limit) }

// GetRetryable is WebhookDeliveryRepository.GetRetryable.
func (q ackifyQueries) GetRetryable(limit int) []ackifyItem { return q.claim(true, limit) }

// exec runs one of Ackify's writes and returns the rows it changed.
func (q ackifyQueries) exec(what, sql string, args ...any) int64 {
	q.t.Helper()
	tag, err := q.tx.Exec(q.t.Context(), sql, args...)
	if err != nil {
		q.t.Fatalf("Ackify %s: %v", what, err)
	}
	return tag.RowsAffected()
}

// MarkDelivered is WebhookDeliveryRepository.MarkDelivered.
func (q ackifyQueries) MarkDelivered(id int64) {
	q.exec("MarkDelivered", `
		UPDATE webhook_deliveries
		SET status = 'delivered', processed_at = now(), response_status = $1, response_headers = $2, response_body = $3
		WHERE id = $4`, 200, []byte(`{"Content-Type":"text/plain"}`), "ok", id)
}

// MarkFailed is WebhookDeliveryRepository.MarkFailed: with shouldRetry, back
// to pending at Ackify's calculate_next_retry_time while retries remain;
// otherwise, or when none remain, failed.
func (q ackifyQueries) MarkFailed(id int64, shouldRetry bool) {
	const fail = `UPDATE webhook_deliveries SET status = 'failed', processed_at = now(), last_error = $1 WHERE id = $2`
	if shouldRetry {
		n := q.exec("MarkFailed", `
			UPDATE webhook_deliveries
			SET status = 'pending', retry_count = retry_count + 1, last_error = $1,
			    scheduled_for = calculate_next_retry_time(retry_count + 1)
			WHERE id = $2 AND retry_count < max_retries`, "HTTP 503", id)
		if n > 0 {
			return
		}
	}
	q.exec("MarkFailed", fail, "HTTP 400", id)
}

// ackifyDelivery is a row as ListByEndpoint reads it.
type ackifyDelivery struct {
	ID                int64
	Status, EventType string
	RetryCount        int
	ResponseStatus    *int
}

// ListByEndpoint is WebhookDeliveryRepository.ListByWebhook.
func (q ackifyQueries) ListByEndpoint(endpointID int64) []ackifyDelivery {
	q.t.Helper()
	cols := `id, webhook_id, event_type, event_id, payload, status, retry_count, max_retries, priority,
		created_at, scheduled_for, processed_at, next_retry_at, request_headers, response_status,
		response_headers, response_body, last_error`
	if q.withTenant {
		cols = "tenant_id, " + cols
	}
	rows, err := q.tx.Query(q.t.Context(), `SELECT `+cols+` FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`, endpointID, 50, 0)
	if err != nil {
		q.t.Fatalf("Ackify ListByWebhook: %v", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ackifyDelivery, error) {
		vals, err := row.Values()
		if err != nil {
			return ackifyDelivery{}, err
		}
		if q.withTenant {
			vals = vals[1:]
		}
		d := ackifyDelivery{ID: vals[0].(int64), EventType: vals[2].(string), Status: vals[5].(string), RetryCount: int(vals[6].(int32))}
		if s, ok := vals[14].(int32); ok {
			status := int(s)
			d.ResponseStatus = &status
		}
		return d, nil
	})
	if err != nil {
		q.t.Fatalf("Ackify ListByWebhook: %v", err)
	}
	return out
}

// CleanupOld is WebhookDeliveryRepository.CleanupOld.
func (q ackifyQueries) CleanupOld(olderThan time.Duration) int64 {
	return q.exec("CleanupOld", `DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed', 'cancelled') AND processed_at < $1`,
		time.Now().Add(-olderThan))
}
