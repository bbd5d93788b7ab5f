package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
)

// ListEvents returns the events that match f, newest first (created_at, then
// id, descending), after the cursor f.Before, at most f.Limit (0: all).
func (s *Store) ListEvents(ctx context.Context, f store.EventFilter) ([]store.Event, error) {
	var beforeAt, beforeID any
	if f.Before != nil {
		beforeAt, beforeID = micros(f.Before.CreatedAt), f.Before.ID
	}
	const q = `
		SELECT ` + eventColumns + `
		FROM webhook_events
		WHERE (:type = '' OR webhook_events.type = :type)
		  AND (:tenant = '' OR webhook_events.tenant_id = :tenant)
		  AND (:after IS NULL OR webhook_events.created_at >= :after)
		  AND (:before IS NULL OR webhook_events.created_at < :before)
		  AND (:cursor_at IS NULL OR (webhook_events.created_at, webhook_events.id) < (:cursor_at, :cursor_id))
		ORDER BY webhook_events.created_at DESC, webhook_events.id DESC
		LIMIT :limit`
	rows, err := s.reads.QueryContext(ctx, q,
		sql.Named("type", f.Type), sql.Named("after", microsOrNull(f.CreatedAfter)),
		sql.Named("before", microsOrNull(f.CreatedBefore)),
		sql.Named("cursor_at", beforeAt), sql.Named("cursor_id", beforeID),
		sql.Named("limit", noLimit(f.Limit)), sql.Named("tenant", f.TenantID))
	events, err := queryAll(rows, err, eventDest)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return events, nil
}
