package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// ListEvents returns the events that match f, newest first (created_at, then
// id, descending), after the cursor f.Before, only those of f.TenantID when
// set, at most f.Limit (0: all).
func (s *Store) ListEvents(ctx context.Context, f store.EventFilter) ([]store.Event, error) {
	var cursorAt *time.Time
	var cursorID *string
	if f.Before != nil {
		cursorAt, cursorID = &f.Before.CreatedAt, &f.Before.ID
	}
	q := `
		SELECT ` + eventColumns + `
		FROM webhook_events e
		WHERE ($1::text = '' OR e.type = $1)
		  AND ` + tenantMatches("e.tenant_id", "$7") + `
		  AND ($2::timestamptz IS NULL OR e.created_at >= $2)
		  AND ($3::timestamptz IS NULL OR e.created_at < $3)
		  AND ($4::timestamptz IS NULL OR (e.created_at, e.id) < ($4, $5::uuid))
		ORDER BY e.created_at DESC, e.id DESC
		LIMIT nullif($6::int, 0)`
	rows, err := s.pool.Query(ctx, q, f.Type, f.CreatedAfter, f.CreatedBefore, cursorAt, cursorID, f.Limit, f.TenantID)
	events, err := queryAll(rows, err, eventDest)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return events, nil
}
