package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// portalColumns selects a hookrelay_portal_sessions row in portalDest order.
const portalColumns = `id, tenant_id, branding, expires_at, created_at, used_at`

func portalDest(p *store.PortalSession) []any {
	return []any{&p.ID, &p.TenantID, &p.Branding, timeCol{&p.ExpiresAt}, timeCol{&p.CreatedAt}, nullTimeCol{&p.UsedAt}}
}

// CreatePortalSession stores a portal link under tokenHash.
func (s *Store) CreatePortalSession(ctx context.Context, p store.PortalSession, tokenHash []byte) (store.PortalSession, error) {
	const q = `
		INSERT INTO hookrelay_portal_sessions (token_hash, tenant_id, branding, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?)
		RETURNING ` + portalColumns
	branding, err := p.Branding.Value()
	if err != nil {
		return store.PortalSession{}, fmt.Errorf("create portal session: %w", err)
	}
	args := []any{tokenHash, p.TenantID, branding, micros(p.ExpiresAt), micros(time.Now())}
	created, err := writeOne(ctx, s, q, args, portalDest)
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
		UPDATE hookrelay_portal_sessions SET used_at = :now, session_hash = :session
		WHERE token_hash = :token AND used_at IS NULL AND expires_at > :now
		RETURNING ` + portalColumns
	now := micros(time.Now())
	args := []any{sql.Named("now", now), sql.Named("session", sessionHash), sql.Named("token", tokenHash)}
	p, err := writeOne(ctx, s, q, args, portalDest)
	if errors.Is(err, store.ErrNotFound) {
		const exists = `SELECT count(*) FROM hookrelay_portal_sessions WHERE token_hash = ?`
		var found int
		if err := s.reads.db.QueryRowContext(ctx, exists, tokenHash).Scan(&found); err != nil {
			return store.PortalSession{}, fmt.Errorf("enter portal session: %w", err)
		}
		if found > 0 {
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
	const q = `SELECT ` + portalColumns + ` FROM hookrelay_portal_sessions WHERE session_hash = ? AND expires_at > ?`
	rows, err := s.reads.QueryContext(ctx, q, sessionHash, micros(time.Now()))
	p, err := queryOne(rows, err, portalDest)
	if err != nil {
		return store.PortalSession{}, fmt.Errorf("get portal session: %w", err)
	}
	return p, nil
}

// EndPortalSession expires the session of sessionHash now.
func (s *Store) EndPortalSession(ctx context.Context, sessionHash []byte) error {
	const q = `UPDATE hookrelay_portal_sessions SET expires_at = :now WHERE session_hash = :session AND expires_at > :now`
	err := s.inTx(ctx, func(tx execer) error {
		_, err := tx.ExecContext(ctx, q, sql.Named("now", micros(time.Now())), sql.Named("session", sessionHash))
		return err
	})
	if err != nil {
		return fmt.Errorf("end portal session: %w", err)
	}
	return nil
}

// DeleteExpiredPortalSessions removes the rows that expired before t.
func (s *Store) DeleteExpiredPortalSessions(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx execer) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM hookrelay_portal_sessions WHERE expires_at < ?`, micros(t))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired portal sessions: %w", err)
	}
	return n, nil
}
