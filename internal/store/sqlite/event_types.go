package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
)

// eventTypeColumns selects a hookrelay_event_types row in eventTypeDest
// order.
const eventTypeColumns = `
	hookrelay_event_types.name, hookrelay_event_types.description, hookrelay_event_types.schema,
	hookrelay_event_types.example, hookrelay_event_types.deprecated,
	hookrelay_event_types.created_at, hookrelay_event_types.updated_at`

func eventTypeDest(t *store.EventType) []any {
	return []any{&t.Name, &t.Description, (*[]byte)(&t.Schema), (*[]byte)(&t.Example), &t.Deprecated,
		timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt}}
}

// CreateEventType inserts t; store.ErrConflict when its name is catalogued.
func (s *Store) CreateEventType(ctx context.Context, t store.EventType) (store.EventType, error) {
	const q = `
		INSERT INTO hookrelay_event_types (name, description, schema, example, deprecated, created_at, updated_at)
		VALUES (:name, :description, :schema, :example, :deprecated, :now, :now)
		ON CONFLICT (name) DO NOTHING
		RETURNING ` + eventTypeColumns
	args := []any{
		sql.Named("name", t.Name), sql.Named("description", t.Description),
		sql.Named("schema", store.NullJSON(t.Schema)), sql.Named("example", store.NullJSON(t.Example)),
		sql.Named("deprecated", t.Deprecated), sql.Named("now", micros(time.Now())),
	}
	created, err := writeOne(ctx, s, q, args, eventTypeDest)
	if err != nil {
		return store.EventType{}, fmt.Errorf("create event type %q: %w", t.Name, store.ConflictIfMissing(err))
	}
	return created, nil
}

// GetEventType returns one catalogued type or store.ErrNotFound.
func (s *Store) GetEventType(ctx context.Context, name string) (store.EventType, error) {
	const q = `SELECT ` + eventTypeColumns + ` FROM hookrelay_event_types WHERE name = ?`
	rows, err := s.reads.QueryContext(ctx, q, name)
	t, err := queryOne(rows, err, eventTypeDest)
	if err != nil {
		return store.EventType{}, fmt.Errorf("get event type %q: %w", name, err)
	}
	return t, nil
}

// ListEventTypes returns the catalogued types after f.AfterName by
// ascending name (SQLite's binary collation: byte order), only deprecated
// or current ones when f.Deprecated is set, at most f.Limit (0: all).
func (s *Store) ListEventTypes(ctx context.Context, f store.EventTypeFilter) ([]store.EventType, error) {
	const q = `
		SELECT ` + eventTypeColumns + `
		FROM hookrelay_event_types
		WHERE name > :after AND (:deprecated IS NULL OR deprecated = :deprecated)
		ORDER BY name
		LIMIT :limit`
	rows, err := s.reads.QueryContext(ctx, q, sql.Named("after", f.AfterName),
		sql.Named("deprecated", f.Deprecated), sql.Named("limit", noLimit(f.Limit)))
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
			description = coalesce(:description, description),
			schema = CASE WHEN :set_schema THEN :schema ELSE schema END,
			example = CASE WHEN :set_example THEN :example ELSE example END,
			deprecated = coalesce(:deprecated, deprecated),
			updated_at = max(:now, updated_at + 1)
		WHERE name = :name AND (:if_updated_at IS NULL OR updated_at = :if_updated_at)
		RETURNING ` + eventTypeColumns
	schema, setSchema := store.PatchJSON(p.Schema)
	example, setExample := store.PatchJSON(p.Example)
	args := []any{
		sql.Named("name", name), sql.Named("description", p.Description),
		sql.Named("set_schema", setSchema), sql.Named("schema", schema),
		sql.Named("set_example", setExample), sql.Named("example", example),
		sql.Named("deprecated", p.Deprecated), sql.Named("now", micros(time.Now())),
		sql.Named("if_updated_at", microsOrNull(p.IfUpdatedAt)),
	}
	t, err := writeOne(ctx, s, q, args, eventTypeDest)
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
	n, err := s.exec(ctx, `DELETE FROM hookrelay_event_types WHERE name = ?`, name)
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete event type %q: %w", name, err)
	}
	return nil
}
