package postgres

import (
	"context"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
)

// endpointValues are the parameters $1..$17 of insertEndpoint and
// updateEndpoint: every stored field of e but its ID and times, with the
// endpoint's effective signature profile.
func endpointValues(e store.Endpoint) []any {
	return []any{
		e.Title, e.URL, e.Secret, e.Active, nonNil(e.Events), jsonMap(e.Headers),
		e.Description, e.CreatedBy, e.MaxRetries, e.EffectiveProfile(),
		e.PreviousSecret, e.PreviousSecretExpiresAt, e.DisabledReason, e.DisabledAt,
		e.FailureCount, e.FailingSince, e.LastDeliveredAt,
	}
}

// sessionTenant is the tenant of the session: Ackify CE's app.tenant_id
// setting (which its row-level security policies compare tenant_id with), or
// NULL when the session sets none.
const sessionTenant = `nullif(current_setting('app.tenant_id', true), '')::uuid`

// CreateEndpoint inserts e (its ID, CreatedAt and UpdatedAt are ignored) and
// returns the stored row. The row's tenant_id is the session's app.tenant_id
// (see sessionTenant).
func (s *Store) CreateEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	const q = `
		INSERT INTO webhooks AS w (
			title, target_url, secret, active, events, headers,
			description, created_by, max_retries, signature_profile,
			previous_secret, previous_secret_expires_at, disabled_reason, disabled_at,
			failure_count, failing_since, last_delivered_at, tenant_id)
		VALUES ($1, $2, $3, $4, $5, $6,
			nullif($7, ''), nullif($8, ''), $9, $10,
			nullif($11, ''), $12, nullif($13, ''), $14,
			$15, $16, $17, ` + sessionTenant + `)
		RETURNING ` + endpointColumns
	created, err := queryOne(s.pool.QueryRow(ctx, q, endpointValues(e)...), endpointDest)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("create endpoint: %w", err)
	}
	return created, nil
}

// GetEndpoint returns one endpoint or store.ErrNotFound.
func (s *Store) GetEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	const q = `SELECT ` + endpointColumns + ` FROM webhooks w WHERE w.id = $1`
	e, err := queryOne(s.pool.QueryRow(ctx, q, id), endpointDest)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("get endpoint %d: %w", id, err)
	}
	return e, nil
}

// ListEndpoints returns endpoints by ascending ID: those with ID > f.AfterID,
// only active or only inactive ones when f.Active is set, at most f.Limit
// (0: all).
func (s *Store) ListEndpoints(ctx context.Context, f store.EndpointFilter) ([]store.Endpoint, error) {
	const q = `
		SELECT ` + endpointColumns + `
		FROM webhooks w
		WHERE w.id > $1
		  AND ($2::boolean IS NULL OR w.active = $2)
		ORDER BY w.id
		LIMIT nullif($3::int, 0)`
	rows, err := s.pool.Query(ctx, q, f.AfterID, f.Active, f.Limit)
	endpoints, err := queryAll(rows, err, endpointDest)
	if err != nil {
		return nil, fmt.Errorf("list endpoints: %w", err)
	}
	return endpoints, nil
}

// UpdateEndpoint stores every field of e but CreatedAt (counters and health
// included), sets UpdatedAt, and returns the stored row or store.ErrNotFound.
func (s *Store) UpdateEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	const q = `
		UPDATE webhooks w SET
			title = $1, target_url = $2, secret = $3, active = $4, events = $5, headers = $6,
			description = nullif($7, ''), created_by = nullif($8, ''),
			max_retries = $9, signature_profile = $10,
			previous_secret = nullif($11, ''), previous_secret_expires_at = $12,
			disabled_reason = nullif($13, ''), disabled_at = $14,
			failure_count = $15, failing_since = $16, last_delivered_at = $17,
			updated_at = now()
		WHERE w.id = $18
		RETURNING ` + endpointColumns
	updated, err := queryOne(s.pool.QueryRow(ctx, q, append(endpointValues(e), e.ID)...), endpointDest)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("update endpoint %d: %w", e.ID, err)
	}
	return updated, nil
}

// DeleteEndpoint removes an endpoint and, by cascade, its deliveries and
// their attempts; store.ErrNotFound when there is none.
func (s *Store) DeleteEndpoint(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete endpoint %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete endpoint %d: %w", id, store.ErrNotFound)
	}
	return nil
}
