package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
)

// eventTypeColumns selects a hookrelay_event_types row in eventTypeDest
// order.
const eventTypeColumns = `name, description, schema, example, deprecated, created_at, updated_at`

func eventTypeDest(t *store.EventType) []any {
	return []any{&t.Name, &t.Description, (*[]byte)(&t.Schema), (*[]byte)(&t.Example), &t.Deprecated, &t.CreatedAt, &t.UpdatedAt}
}

// CreateEventType inserts t; store.ErrConflict when its name is catalogued.
func (s *Store) CreateEventType(ctx context.Context, t store.EventType) (store.EventType, error) {
	const q = `
		INSERT INTO hookrelay_event_types (name, description, schema, example, deprecated)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (name) DO NOTHING
		RETURNING ` + eventTypeColumns
	created, err := queryOne(s.pool.QueryRow(ctx, q, t.Name, t.Description,
		store.NullJSON(t.Schema), store.NullJSON(t.Example), t.Deprecated), eventTypeDest)
	if err != nil {
		return store.EventType{}, fmt.Errorf("create event type %q: %w", t.Name, store.ConflictIfMissing(err))
	}
	return created, nil
}

// GetEventType returns one catalogued type or store.ErrNotFound.
func (s *Store) GetEventType(ctx context.Context, name string) (store.EventType, error) {
	const q = `SELECT ` + eventTypeColumns + ` FROM hookrelay_event_types WHERE name = $1`
	t, err := queryOne(s.pool.QueryRow(ctx, q, name), eventTypeDest)
	if err != nil {
		return store.EventType{}, fmt.Errorf("get event type %q: %w", name, err)
	}
	return t, nil
}

// ListEventTypes returns the catalogued types after f.AfterName by
// ascending name, only deprecated or current ones when f.Deprecated is set,
// at most f.Limit (0: all).
func (s *Store) ListEventTypes(ctx context.Context, f store.EventTypeFilter) ([]store.EventType, error) {
	const q = `
		SELECT ` + eventTypeColumns + `
		FROM hookrelay_event_types
		WHERE name > $1 AND ($2::boolean IS NULL OR deprecated = $2)
		ORDER BY name
		LIMIT nullif($3::int, 0)`
	rows, err := s.pool.Query(ctx, q, f.AfterName, f.Deprecated, f.Limit)
	types, err := queryAll(rows, err, eventTypeDest)
	if err != nil {
		return nil, fmt.Errorf("list event types: %w", err)
	}
	return types, nil
}

// UpdateEventType writes the fields that p sets and returns the stored row
// or store.ErrNotFound.
func (s *Store) UpdateEventType(ctx context.Context, name string, p store.EventTypePatch) (store.EventType, error) {
	const q = `
		UPDATE hookrelay_event_types SET
			description = coalesce($2, description),
			schema = CASE WHEN $3 THEN $4 ELSE schema END,
			example = CASE WHEN $5 THEN $6 ELSE example END,
			deprecated = coalesce($7, deprecated),
			updated_at = greatest(now(), updated_at + interval '1 microsecond')
		WHERE name = $1 AND ($8::timestamptz IS NULL OR updated_at = $8)
		RETURNING ` + eventTypeColumns
	schema, setSchema := store.PatchJSON(p.Schema)
	example, setExample := store.PatchJSON(p.Example)
	t, err := queryOne(s.pool.QueryRow(ctx, q, name, p.Description, setSchema, schema, setExample, example, p.Deprecated, p.IfUpdatedAt), eventTypeDest)
	if errors.Is(err, store.ErrNotFound) && p.IfUpdatedAt != nil {
		err = store.ConflictOrNotFound(name, func(name string) (store.EventType, error) { return s.GetEventType(ctx, name) })
	}
	if err != nil {
		return store.EventType{}, fmt.Errorf("update event type %q: %w", name, err)
	}
	return t, nil
}

// DeleteEventType removes one catalogued type; store.ErrNotFound when there
// is none.
func (s *Store) DeleteEventType(ctx context.Context, name string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM hookrelay_event_types WHERE name = $1`, name)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete event type %q: %w", name, err)
	}
	return nil
}
