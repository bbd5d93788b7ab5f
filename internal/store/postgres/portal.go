package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// portalColumns selects a hookrelay_portal_sessions row in portalDest order.
const portalColumns = `id, tenant_id, branding, expires_at, created_at, used_at`

func portalDest(p *store.PortalSession) []any {
	return []any{&p.ID, &p.TenantID, &p.Branding, &p.ExpiresAt, &p.CreatedAt, &p.UsedAt}
}

// CreatePortalSession stores a portal link under tokenHash.
func (s *Store) CreatePortalSession(ctx context.Context, p store.PortalSession, tokenHash []byte) (store.PortalSession, error) {
	const q = `
		INSERT INTO hookrelay_portal_sessions (token_hash, tenant_id, branding, expires_at)
		VALUES ($1, $2, $3, $4)
		RETURNING ` + portalColumns
	created, err := queryOne(s.pool.QueryRow(ctx, q, tokenHash, p.TenantID, p.Branding, p.ExpiresAt), portalDest)
	if err != nil {
		return store.PortalSession{}, fmt.Errorf("create portal session: %w", err)
	}
	return created, nil
}

// EnterPortalSession marks the unused, unexpired link of tokenHash used and
// gives it sessionHash, in one UPDATE; store.ErrPortalLinkUsed or
// store.ErrNotFound otherwise.
func (s *Store) EnterPortalSession(ctx context.Context, tokenHash, sessionHash []byte) (store.PortalSession, error) {
	const q = `
		UPDATE hookrelay_portal_sessions SET used_at = now(), session_hash = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
		RETURNING ` + portalColumns
	p, err := queryOne(s.pool.QueryRow(ctx, q, tokenHash, sessionHash), portalDest)
	if errors.Is(err, store.ErrNotFound) {
		const exists = `SELECT EXISTS (SELECT 1 FROM hookrelay_portal_sessions WHERE token_hash = $1)`
		var found bool
		if err := s.pool.QueryRow(ctx, exists, tokenHash).Scan(&found); err != nil {
			return store.PortalSession{}, fmt.Errorf("enter portal session: %w", err)
		}
		if found {
			return store.PortalSession{}, store.ErrPortalLinkUsed
		}
	}
	if err != nil {
		return store.PortalSession{}, fmt.Errorf("enter portal session: %w", err)
	}
	return p, nil
}

// GetPortalSession returns the live session of sessionHash or
// store.ErrNotFound.
func (s *Store) GetPortalSession(ctx context.Context, sessionHash []byte) (store.PortalSession, error) {
	const q = `SELECT ` + portalColumns + ` FROM hookrelay_portal_sessions WHERE session_hash = $1 AND expires_at > now()`
	p, err := queryOne(s.pool.QueryRow(ctx, q, sessionHash), portalDest)
	if err != nil {
		return store.PortalSession{}, fmt.Errorf("get portal session: %w", err)
	}
	return p, nil
}

// EndPortalSession expires the session of sessionHash now.
func (s *Store) EndPortalSession(ctx context.Context, sessionHash []byte) error {
	const q = `UPDATE hookrelay_portal_sessions SET expires_at = now() WHERE session_hash = $1 AND expires_at > now()`
	if _, err := s.pool.Exec(ctx, q, sessionHash); err != nil {
		return fmt.Errorf("end portal session: %w", err)
	}
	return nil
}

// DeleteExpiredPortalSessions removes the rows that expired before t.
func (s *Store) DeleteExpiredPortalSessions(ctx context.Context, t time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM hookrelay_portal_sessions WHERE expires_at < $1`, t)
	if err != nil {
		return 0, fmt.Errorf("delete expired portal sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}
