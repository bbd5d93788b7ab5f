package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hookrelay/hookrelay/internal/store"
)

// endpointValues are the parameters $1..$22 of CreateEndpoint: every stored
// field of e but its ID and times, with the endpoint's effective signature
// profile.
func endpointValues(e store.Endpoint) []any {
	return []any{
		e.Title, e.URL, e.Secret, e.Active, nonNil(e.Events), jsonMap(e.Headers),
		e.Description, e.CreatedBy, e.MaxRetries, e.EffectiveProfile(),
		e.PreviousSecret, e.PreviousSecretExpiresAt, e.DisabledReason, e.DisabledAt,
		e.FailureCount, e.FailingSince, e.LastDeliveredAt, e.RateLimitPerSecond,
		e.Verification.Unverified, e.Verification.VerifiedAt, e.Verification.ChallengeEventID,
		e.Verification.ChallengeSentAt,
	}
}

// sessionTenant is the tenant of the session: Ackify CE's app.tenant_id
// setting (which its row-level security policies compare tenant_id with), or
// NULL when the session sets none (see storedTenant).
const sessionTenant = `hookrelay_tenant(NULL)`

// CreateEndpoint inserts e (its ID, CreatedAt and UpdatedAt are ignored) and
// returns the stored row. The row's tenant_id is e.TenantID, which must pass
// store.ValidateTenantID under the database's TenantFormat (a
// *store.FieldError otherwise), or without one the session's app.tenant_id
// (see storedTenant).
func (s *Store) CreateEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	format, err := s.TenantFormat(ctx)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("create endpoint: %w", err)
	}
	return createEndpoint(ctx, s.pool, e, format)
}

// createEndpoint is CreateEndpoint on db, a connection or transaction of a
// database whose tenant IDs follow format.
func createEndpoint(ctx context.Context, db querier, e store.Endpoint, format store.TenantFormat) (store.Endpoint, error) {
	var err error
	if e.TenantID, err = store.TenantFieldError(e.TenantID, format); err != nil {
		return store.Endpoint{}, fmt.Errorf("create endpoint: %w", err)
	}
	q := `
		INSERT INTO webhooks AS w (
			title, target_url, secret, active, events, headers,
			description, created_by, max_retries, signature_profile,
			previous_secret, previous_secret_expires_at, disabled_reason, disabled_at,
			failure_count, failing_since, last_delivered_at, rate_limit_per_second,
			unverified, verified_at, verification_event_id, verification_sent_at, tenant_id)
		VALUES ($1, $2, $3, $4, $5, $6,
			nullif($7, ''), nullif($8, ''), $9, $10,
			nullif($11, ''), $12, nullif($13, ''), $14,
			$15, $16, $17, $18,
			$19, $20, nullif($21, '')::uuid, $22, ` + storedTenant("$23") + `)
		RETURNING ` + endpointColumns
	created, err := queryOne(db.QueryRow(ctx, q, append(endpointValues(e), e.TenantID)...), endpointDest)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("create endpoint: %w", err)
	}
	return created, nil
}

// GetEndpoint returns one endpoint or store.ErrNotFound.
func (s *Store) GetEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	return getEndpoint(ctx, s.pool, id)
}

func getEndpoint(ctx context.Context, db querier, id int64) (store.Endpoint, error) {
	const q = `SELECT ` + endpointColumns + ` FROM webhooks w WHERE w.id = $1`
	e, err := queryOne(db.QueryRow(ctx, q, id), endpointDest)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("get endpoint %d: %w", id, err)
	}
	return e, nil
}

// ListEndpoints returns endpoints by ascending ID: those with ID > f.AfterID,
// only active or only inactive ones when f.Active is set, only those of
// f.TenantID when set, at most f.Limit (0: all).
func (s *Store) ListEndpoints(ctx context.Context, f store.EndpointFilter) ([]store.Endpoint, error) {
	q := `
		SELECT ` + endpointColumns + `
		FROM webhooks w
		WHERE w.id > $1
		  AND ($2::boolean IS NULL OR w.active = $2)
		  AND ` + tenantMatches("w.tenant_id", "$4") + `
		ORDER BY w.id
		LIMIT nullif($3::int, 0)`
	rows, err := s.pool.Query(ctx, q, f.AfterID, f.Active, f.Limit, f.TenantID)
	endpoints, err := queryAll(rows, err, endpointDest)
	if err != nil {
		return nil, fmt.Errorf("list endpoints: %w", err)
	}
	return endpoints, nil
}

// UpdateEndpoint writes the fields that p sets, and only those (see
// store.EndpointPatch), sets UpdatedAt, and returns the stored row or
// store.ErrNotFound. Every right-hand side reads the row as it was before the
// update, so a rotation moves the old secret to previous_secret atomically.
func (s *Store) UpdateEndpoint(ctx context.Context, id int64, p store.EndpointPatch) (store.Endpoint, error) {
	var updated store.Endpoint
	write := func(db querier) error {
		var err error
		updated, err = updateEndpoint(ctx, db, id, p)
		return err
	}
	var err error
	if p.RateLimitPerSecond == nil {
		err = write(s.pool)
	} else {
		err = s.inTx(ctx, func(tx pgx.Tx) error { return write(tx) })
	}
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("update endpoint %d: %w", id, err)
	}
	return updated, nil
}

// updateEndpoint is UpdateEndpoint on db, which is a transaction when p sets
// the rate limit (two statements).
func updateEndpoint(ctx context.Context, db querier, id int64, p store.EndpointPatch) (store.Endpoint, error) {
	const q = `
		UPDATE webhooks w SET
			title = coalesce($2, w.title),
			target_url = coalesce($3, w.target_url),
			events = coalesce($4::text[], w.events),
			headers = coalesce($5::jsonb, w.headers),
			description = CASE WHEN $6::text IS NULL THEN w.description ELSE nullif($6, '') END,
			max_retries = coalesce($7, w.max_retries),
			signature_profile = coalesce($8, w.signature_profile),
			secret = coalesce($9, w.secret),
			previous_secret = CASE WHEN $9::text IS NULL THEN w.previous_secret ELSE w.secret END,
			previous_secret_expires_at = CASE WHEN $9::text IS NULL THEN w.previous_secret_expires_at ELSE $10 END,
			active = coalesce($11, w.active),
			disabled_reason = CASE WHEN $11::boolean IS NULL THEN w.disabled_reason
				WHEN $11 THEN NULL ELSE nullif($12, '') END,
			disabled_at = CASE WHEN $11::boolean IS NULL THEN w.disabled_at WHEN $11 THEN NULL ELSE $13 END,
			failure_count = CASE WHEN $11::boolean THEN 0 ELSE w.failure_count END,
			failing_since = CASE WHEN $11::boolean THEN NULL ELSE w.failing_since END,
			-- an activation is a person's: it ends probing (store.ProbeState)
			probing_since = CASE WHEN $11::boolean IS NULL THEN w.probing_since END,
			next_probe_at = CASE WHEN $11::boolean IS NULL THEN w.next_probe_at END,
			probe_count = CASE WHEN $11::boolean IS NULL THEN w.probe_count ELSE 0 END,
			rate_limit_per_second = coalesce($14, w.rate_limit_per_second),
			updated_at = now()
		WHERE w.id = $1
		RETURNING ` + endpointColumns
	args := []any{id, p.Title, p.URL, nil, nil, p.Description, p.MaxRetries, p.SignatureProfile,
		nil, nil, nil, nil, nil, p.RateLimitPerSecond}
	if p.Events != nil {
		args[3] = nonNil(*p.Events)
	}
	if p.Headers != nil {
		args[4] = jsonMap(*p.Headers)
	}
	if p.SignatureProfile != nil {
		args[7] = store.Endpoint{SignatureProfile: *p.SignatureProfile}.EffectiveProfile()
	}
	if r := p.Rotation; r != nil {
		args[8], args[9] = r.Secret, r.PreviousExpiresAt
	}
	if a := p.Activation; a != nil {
		args[10], args[11], args[12] = a.Active, a.Reason, a.At
	}
	updated, err := queryOne(db.QueryRow(ctx, q, args...), endpointDest)
	if err != nil || p.RateLimitPerSecond == nil {
		return updated, err
	}
	return updated, requeueForRate(ctx, db, id)
}

// requeueForRate is what a patch of endpoint id's rate limit does besides
// the column (see store.EndpointPatch): its pending deliveries due within
// store.RateHorizon (those a claim deferred for a token, retried or not, and
// no row scheduled further ahead on purpose) are due now, and the next ones
// wait after no one, so that all are paced at the new limit at once.
func requeueForRate(ctx context.Context, db querier, id int64) error {
	const q = `
		WITH forget AS (
			UPDATE hookrelay_endpoint_rates SET deferred_until = NULL WHERE webhook_id = $1
		)
		UPDATE webhook_deliveries SET scheduled_for = now(), next_retry_at = now()
		WHERE webhook_id = $1 AND status = 'pending' AND scheduled_for > now()
		  AND scheduled_for <= now() + $2::bigint * interval '1 microsecond'`
	if _, err := db.Exec(ctx, q, id, store.RateHorizon.Microseconds()); err != nil {
		return fmt.Errorf("requeue the deliveries waiting for a token: %w", err)
	}
	return nil
}

// NewChallenge makes endpoint id wait for the challenge of event eventID, as
// store.Store.NewChallenge says, in one statement.
func (s *Store) NewChallenge(ctx context.Context, id int64, eventID string) (store.Endpoint, error) {
	return newChallenge(ctx, s.pool, id, eventID)
}

func newChallenge(ctx context.Context, db querier, id int64, eventID string) (store.Endpoint, error) {
	const q = `
		WITH old AS (
			SELECT w.id, w.verification_event_id FROM webhooks w WHERE w.id = $1 FOR UPDATE
		), cancelled AS (
			UPDATE webhook_deliveries d SET status = 'cancelled', processed_at = now()
			FROM old
			WHERE d.webhook_id = old.id AND d.event_id = old.verification_event_id
			  AND d.status = 'pending'
		)
		UPDATE webhooks w SET
			unverified = true, verified_at = NULL,
			verification_event_id = $2::uuid, verification_sent_at = now(), updated_at = now(),
			probing_since = NULL, next_probe_at = NULL, probe_count = 0
		FROM old
		WHERE w.id = old.id
		RETURNING ` + endpointColumns
	e, err := queryOne(db.QueryRow(ctx, q, id, eventID), endpointDest)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("new challenge for endpoint %d: %w", id, err)
	}
	return e, nil
}

// DeleteEndpoint removes an endpoint and, by cascade, its deliveries and
// their attempts; store.ErrNotFound when there is none.
//
// The delete cascades to the endpoint's deliveries after locking its row,
// while a worker writing outcomes locks deliveries and then their endpoint's
// row: when the two meet, PostgreSQL breaks the deadlock by failing one of
// them (SQLSTATE 40P01). A delete that PostgreSQL chose is tried again, up to
// deleteAttempts times in all, so that deleting an endpoint that is being
// delivered to does not fail.
func (s *Store) DeleteEndpoint(ctx context.Context, id int64) error {
	var err error
	for range deleteAttempts {
		if err = deleteEndpoint(ctx, s.pool, id); !isDeadlock(err) {
			return err
		}
	}
	return err
}

// deleteAttempts bounds the tries of a DeleteEndpoint that deadlocks.
const deleteAttempts = 5

// isDeadlock reports whether err is PostgreSQL's deadlock_detected.
func isDeadlock(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "40P01"
}

func deleteEndpoint(ctx context.Context, db querier, id int64) error {
	tag, err := db.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete endpoint %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete endpoint %d: %w", id, store.ErrNotFound)
	}
	return nil
}
