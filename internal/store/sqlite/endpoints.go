package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// endpointArgs are the named parameters of every stored field of e but its ID
// and times, with the endpoint's effective signature profile and empty
// optional text stored as NULL.
func endpointArgs(e store.Endpoint) []any {
	return []any{
		sql.Named("title", e.Title),
		sql.Named("url", e.URL),
		sql.Named("secret", e.Secret),
		sql.Named("active", e.Active),
		sql.Named("events", jsonText(nonNil(e.Events))),
		sql.Named("headers", jsonText(nonNilMap(e.Headers))),
		sql.Named("description", e.Description),
		sql.Named("created_by", e.CreatedBy),
		sql.Named("max_retries", e.MaxRetries),
		sql.Named("profile", e.EffectiveProfile()),
		sql.Named("previous_secret", e.PreviousSecret),
		sql.Named("previous_expires", microsOrNull(e.PreviousSecretExpiresAt)),
		sql.Named("disabled_reason", e.DisabledReason),
		sql.Named("disabled_at", microsOrNull(e.DisabledAt)),
		sql.Named("failure_count", e.FailureCount),
		sql.Named("failing_since", microsOrNull(e.FailingSince)),
		sql.Named("last_delivered", microsOrNull(e.LastDeliveredAt)),
		sql.Named("rate_limit", e.RateLimitPerSecond),
		sql.Named("unverified", e.Verification.Unverified),
		sql.Named("verified_at", microsOrNull(e.Verification.VerifiedAt)),
		sql.Named("challenge_event", e.Verification.ChallengeEventID),
		sql.Named("challenge_sent", microsOrNull(e.Verification.ChallengeSentAt)),
	}
}

// CreateEndpoint inserts e (its ID, CreatedAt and UpdatedAt are ignored) and
// returns the stored row. e.TenantID must pass store.ValidateTenantID
// (store.TenantText; a *store.FieldError otherwise).
func (s *Store) CreateEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	created, err := inTxValue(ctx, s, func(tx execer) (store.Endpoint, error) { return createEndpoint(ctx, tx, e) })
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("create endpoint: %w", err)
	}
	return created, nil
}

// createEndpoint is CreateEndpoint in tx, its error unwrapped.
func createEndpoint(ctx context.Context, tx execer, e store.Endpoint) (store.Endpoint, error) {
	if _, err := store.TenantFieldError(e.TenantID, store.TenantText); err != nil {
		return store.Endpoint{}, err
	}
	const q = `
		INSERT INTO webhooks (
			title, target_url, secret, active, events, headers,
			description, created_by, max_retries, signature_profile,
			previous_secret, previous_secret_expires_at, disabled_reason, disabled_at,
			failure_count, failing_since, last_delivered_at, rate_limit_per_second,
			unverified, verified_at, verification_event_id, verification_sent_at, created_at, updated_at, tenant_id)
		VALUES (
			:title, :url, :secret, :active, :events, :headers,
			nullif(:description, ''), nullif(:created_by, ''), :max_retries, :profile,
			nullif(:previous_secret, ''), :previous_expires, nullif(:disabled_reason, ''), :disabled_at,
			:failure_count, :failing_since, :last_delivered, :rate_limit,
			:unverified, :verified_at, nullif(:challenge_event, ''), :challenge_sent, :now, :now, nullif(:tenant, ''))
		RETURNING ` + endpointColumns
	args := append(endpointArgs(e), sql.Named("now", micros(time.Now())), sql.Named("tenant", e.TenantID))
	rows, err := tx.QueryContext(ctx, q, args...)
	return queryOne(rows, err, endpointDest)
}

// GetEndpoint returns one endpoint or store.ErrNotFound.
func (s *Store) GetEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	return getEndpoint(ctx, s.reads, id)
}

// getEndpoint is GetEndpoint on q.
func getEndpoint(ctx context.Context, q execer, id int64) (store.Endpoint, error) {
	const sel = `SELECT ` + endpointColumns + ` FROM webhooks WHERE webhooks.id = ?`
	rows, err := q.QueryContext(ctx, sel, id)
	e, err := queryOne(rows, err, endpointDest)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("get endpoint %d: %w", id, err)
	}
	return e, nil
}

// ListEndpoints returns endpoints by ascending ID: those with ID > f.AfterID,
// only active or only inactive ones when f.Active is set, only those of
// f.TenantID when set, at most f.Limit (0: all).
func (s *Store) ListEndpoints(ctx context.Context, f store.EndpointFilter) ([]store.Endpoint, error) {
	const q = `
		SELECT ` + endpointColumns + `
		FROM webhooks
		WHERE webhooks.id > :after
		  AND (:active IS NULL OR webhooks.active = :active)
		  AND (:tenant = '' OR webhooks.tenant_id = :tenant)
		ORDER BY webhooks.id
		LIMIT :limit`
	rows, err := s.reads.QueryContext(ctx, q,
		sql.Named("after", f.AfterID), sql.Named("active", f.Active), sql.Named("limit", noLimit(f.Limit)),
		sql.Named("tenant", f.TenantID))
	endpoints, err := queryAll(rows, err, endpointDest)
	if err != nil {
		return nil, fmt.Errorf("list endpoints: %w", err)
	}
	return endpoints, nil
}

// UpdateEndpoint writes the fields that p sets, and only those (see
// store.EndpointPatch), sets UpdatedAt, and returns the stored row or
// store.ErrNotFound. A patch that disables the endpoint is announced on
// Deactivations once written. Every right-hand side reads the row as it was before the
// update, so a rotation moves the old secret to previous_secret atomically.
func (s *Store) UpdateEndpoint(ctx context.Context, id int64, p store.EndpointPatch) (store.Endpoint, error) {
	updated, err := inTxValue(ctx, s, func(tx execer) (store.Endpoint, error) { return updateEndpoint(ctx, tx, id, p) })
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("update endpoint %d: %w", id, err)
	}
	if p.Activation != nil && !p.Activation.Active {
		s.deactivations.send(id)
	}
	return updated, nil
}

// updateEndpoint is UpdateEndpoint in tx, without the announcement, its
// error unwrapped.
func updateEndpoint(ctx context.Context, tx execer, id int64, p store.EndpointPatch) (store.Endpoint, error) {
	const q = `
		UPDATE webhooks SET
			title = coalesce(:title, title),
			target_url = coalesce(:url, target_url),
			events = coalesce(:events, events),
			headers = coalesce(:headers, headers),
			description = CASE WHEN :description IS NULL THEN description ELSE nullif(:description, '') END,
			max_retries = coalesce(:max_retries, max_retries),
			signature_profile = coalesce(:profile, signature_profile),
			secret = coalesce(:secret, secret),
			previous_secret = CASE WHEN :secret IS NULL THEN previous_secret ELSE secret END,
			previous_secret_expires_at = CASE WHEN :secret IS NULL THEN previous_secret_expires_at
				ELSE :previous_expires END,
			active = coalesce(:active, active),
			disabled_reason = CASE WHEN :active IS NULL THEN disabled_reason
				WHEN :active THEN NULL ELSE nullif(:disabled_reason, '') END,
			disabled_at = CASE WHEN :active IS NULL THEN disabled_at WHEN :active THEN NULL ELSE :disabled_at END,
			failure_count = CASE WHEN :active THEN 0 ELSE failure_count END,
			failing_since = CASE WHEN :active THEN NULL ELSE failing_since END,
			-- an activation is a person's: it ends probing (store.ProbeState)
			probing_since = CASE WHEN :active IS NULL THEN probing_since END,
			next_probe_at = CASE WHEN :active IS NULL THEN next_probe_at END,
			probe_count = CASE WHEN :active IS NULL THEN probe_count ELSE 0 END,
			rate_limit_per_second = coalesce(:rate_limit, rate_limit_per_second),
			updated_at = :now
		WHERE id = :id
		RETURNING ` + endpointColumns
	var events, headers, profile, secret, expires, active, reason, disabledAt any
	if p.Events != nil {
		events = jsonText(nonNil(*p.Events))
	}
	if p.Headers != nil {
		headers = jsonText(nonNilMap(*p.Headers))
	}
	if p.SignatureProfile != nil {
		profile = store.Endpoint{SignatureProfile: *p.SignatureProfile}.EffectiveProfile()
	}
	if r := p.Rotation; r != nil {
		secret, expires = r.Secret, micros(r.PreviousExpiresAt)
	}
	if a := p.Activation; a != nil {
		active, reason, disabledAt = a.Active, a.Reason, micros(a.At)
	}
	args := []any{
		sql.Named("title", p.Title), sql.Named("url", p.URL), sql.Named("events", events),
		sql.Named("headers", headers), sql.Named("description", p.Description),
		sql.Named("max_retries", p.MaxRetries), sql.Named("profile", profile),
		sql.Named("secret", secret), sql.Named("previous_expires", expires),
		sql.Named("active", active), sql.Named("disabled_reason", reason), sql.Named("disabled_at", disabledAt),
		sql.Named("rate_limit", p.RateLimitPerSecond),
		sql.Named("now", micros(time.Now())), sql.Named("id", id),
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	updated, err := queryOne(rows, err, endpointDest)
	if err == nil && p.RateLimitPerSecond != nil {
		err = requeueForRate(ctx, tx, id)
	}
	return updated, err
}

// NewChallenge makes endpoint id wait for the challenge of event eventID, as
// store.Store.NewChallenge says, in one write transaction.
func (s *Store) NewChallenge(ctx context.Context, id int64, eventID string) (store.Endpoint, error) {
	e, err := inTxValue(ctx, s, func(tx execer) (store.Endpoint, error) { return newChallenge(ctx, tx, id, eventID) })
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("new challenge for endpoint %d: %w", id, err)
	}
	return e, nil
}

// newChallenge is NewChallenge in tx, its error unwrapped.
func newChallenge(ctx context.Context, tx execer, id int64, eventID string) (store.Endpoint, error) {
	now := sql.Named("now", micros(time.Now()))
	const cancel = `
		UPDATE webhook_deliveries SET status = 'cancelled', processed_at = :now
		WHERE webhook_id = :id AND status = 'pending'
		  AND event_id = (SELECT verification_event_id FROM webhooks WHERE id = :id)`
	if _, err := tx.ExecContext(ctx, cancel, sql.Named("id", id), now); err != nil {
		return store.Endpoint{}, fmt.Errorf("cancel the previous challenge: %w", err)
	}
	const q = `
		UPDATE webhooks SET
			unverified = 1, verified_at = NULL,
			verification_event_id = :event, verification_sent_at = :now, updated_at = :now,
			probing_since = NULL, next_probe_at = NULL, probe_count = 0
		WHERE webhooks.id = :id
		RETURNING ` + endpointColumns
	rows, err := tx.QueryContext(ctx, q, sql.Named("id", id), sql.Named("event", eventID), now)
	return queryOne(rows, err, endpointDest)
}

// DeleteEndpoint removes an endpoint and, by cascade, its deliveries and
// their attempts; store.ErrNotFound when there is none.
func (s *Store) DeleteEndpoint(ctx context.Context, id int64) error {
	if err := s.inTx(ctx, func(tx execer) error { return deleteEndpoint(ctx, tx, id) }); err != nil {
		return fmt.Errorf("delete endpoint %d: %w", id, err)
	}
	s.deactivations.send(id)
	return nil
}

// deleteEndpoint is DeleteEndpoint in tx, without the announcement, its
// error unwrapped.
func deleteEndpoint(ctx context.Context, tx execer, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return err
}

// requeueForRate is what a patch of endpoint id's rate limit does besides
// the column (see store.EndpointPatch): its pending deliveries due within
// store.RateHorizon (those a claim deferred for a token, retried or not, and
// no row scheduled further ahead on purpose) are due now, and the next ones
// wait after no one, so that all are paced at the new limit at once.
func requeueForRate(ctx context.Context, tx execer, id int64) error {
	now := micros(time.Now())
	if _, err := tx.ExecContext(ctx,
		`UPDATE hookrelay_endpoint_rates SET deferred_until = NULL WHERE webhook_id = ?`, id); err != nil {
		return fmt.Errorf("forget the deliveries waiting for a token: %w", err)
	}
	const q = `
		UPDATE webhook_deliveries SET scheduled_for = :now, next_retry_at = :now
		WHERE webhook_id = :id AND status = 'pending' AND scheduled_for > :now AND scheduled_for <= :horizon`
	if _, err := tx.ExecContext(ctx, q, sql.Named("now", now), sql.Named("id", id),
		sql.Named("horizon", now+store.RateHorizon.Microseconds())); err != nil {
		return fmt.Errorf("requeue the deliveries waiting for a token: %w", err)
	}
	return nil
}
