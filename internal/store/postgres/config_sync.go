package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hookrelay/hookrelay/internal/store"
)

// SyncConfigEndpoints makes the endpoints with CreatedBy store.ConfigSource
// match urls, in one transaction:
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
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for _, u := range urls {
			if err := syncConfigURL(ctx, tx, u, secret); err != nil {
				return err
			}
		}
		const deactivate = `
			UPDATE webhooks SET
				active = false,
				disabled_reason = $3,
				disabled_at = CASE WHEN active THEN now() ELSE disabled_at END,
				probing_since = NULL, next_probe_at = NULL, probe_count = 0,
				updated_at = now()
			WHERE created_by = $1
			  AND target_url <> ALL ($2::text[])
			  AND (active OR disabled_reason IS DISTINCT FROM $3)`
		if _, err := tx.Exec(ctx, deactivate, store.ConfigSource, nonNil(urls), store.RemovedFromConfigReason); err != nil {
			return fmt.Errorf("deactivate removed: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sync config endpoints: %w", err)
	}
	return nil
}

// syncConfigURL updates the config endpoints of u, or inserts one.
func syncConfigURL(ctx context.Context, tx pgx.Tx, u, secret string) error {
	const update = `
		UPDATE webhooks SET
			secret = $3,
			failure_count = CASE WHEN active THEN failure_count ELSE 0 END,
			failing_since = CASE WHEN active THEN failing_since END,
			active = true, disabled_reason = NULL, disabled_at = NULL, updated_at = now(),
			probing_since = NULL, next_probe_at = NULL, probe_count = 0,
			signature_profile = NULL
		WHERE created_by = $1 AND target_url = $2`
	tag, err := tx.Exec(ctx, update, store.ConfigSource, u, secret)
	if err != nil {
		return fmt.Errorf("update %s: %w", store.URLHost(u), err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	const insert = `
		INSERT INTO webhooks (title, target_url, secret, active, created_by, signature_profile, tenant_id)
		VALUES ($1, $2, $3, true, $4, NULL, ` + sessionTenant + `)`
	if _, err := tx.Exec(ctx, insert, store.URLHost(u), u, secret, store.ConfigSource); err != nil {
		return fmt.Errorf("add %s: %w", store.URLHost(u), err)
	}
	return nil
}
