package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// SyncConfigEndpoints makes the endpoints with CreatedBy store.ConfigSource
// match urls, in one write transaction:
//   - the config endpoints with a URL of urls get secret and are active, with
//     DisabledReason and DisabledAt cleared; one that was inactive also gets
//     FailureCount 0 and FailingSince nil, as enabling through the API does;
//   - a URL of urls without a config endpoint gets a new active one, subscribed
//     to every event (Events empty), titled with the URL's host;
//   - config endpoints name no signature profile (SignatureProfile ""), so
//     that they get HOOKRELAY_SIGNATURE_PROFILE, as their secret comes from
//     WEBHOOK_SECRET;
//   - config endpoints whose URL is not in urls become inactive with
//     DisabledReason store.RemovedFromConfigReason (DisabledAt is set when they
//     were active, and kept when they were already inactive).
//
// Endpoints created otherwise are never touched.
func (s *Store) SyncConfigEndpoints(ctx context.Context, urls []string, secret string) error {
	now := micros(time.Now())
	err := s.inTx(ctx, func(tx execer) error {
		for _, u := range urls {
			if err := syncConfigURL(ctx, tx, u, secret, now); err != nil {
				return err
			}
		}
		const deactivate = `
			UPDATE webhooks SET
				active = 0,
				disabled_reason = :reason,
				disabled_at = CASE WHEN active THEN :now ELSE disabled_at END,
				probing_since = NULL, next_probe_at = NULL, probe_count = 0,
				updated_at = :now
			WHERE created_by = :source
			  AND target_url NOT IN (SELECT value FROM json_each(:urls))
			  AND (active OR disabled_reason IS NOT :reason)`
		if _, err := tx.ExecContext(ctx, deactivate,
			sql.Named("reason", store.RemovedFromConfigReason), sql.Named("now", now),
			sql.Named("source", store.ConfigSource), sql.Named("urls", jsonText(nonNil(urls)))); err != nil {
			return fmt.Errorf("deactivate removed: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sync config endpoints: %w", err)
	}
	return nil
}

// syncConfigURL updates the config endpoints of u, or inserts one. Errors name
// the URL's host only: a URL may carry credentials.
func syncConfigURL(ctx context.Context, tx execer, u, secret string, now int64) error {
	args := []any{
		sql.Named("source", store.ConfigSource), sql.Named("url", u),
		sql.Named("secret", secret), sql.Named("now", now), sql.Named("title", store.URLHost(u)),
	}
	const update = `
		UPDATE webhooks SET
			secret = :secret,
			failure_count = CASE WHEN active THEN failure_count ELSE 0 END,
			failing_since = CASE WHEN active THEN failing_since END,
			active = 1, disabled_reason = NULL, disabled_at = NULL, updated_at = :now,
			probing_since = NULL, next_probe_at = NULL, probe_count = 0,
			signature_profile = ''
		WHERE created_by = :source AND target_url = :url`
	res, err := tx.ExecContext(ctx, update, args...)
	if err != nil {
		return fmt.Errorf("update %s: %w", store.URLHost(u), err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	const insert = `
		INSERT INTO webhooks (title, target_url, secret, active, created_by, created_at, updated_at, signature_profile)
		VALUES (:title, :url, :secret, 1, :source, :now, :now, '')`
	if _, err := tx.ExecContext(ctx, insert, args...); err != nil {
		return fmt.Errorf("add %s: %w", store.URLHost(u), err)
	}
	return nil
}
