package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
)

// createEventType handles POST /v1/event-types: 201 with the type, 409 when
// its name is catalogued, 422 naming the field at fault (a schema that is
// not a valid, self-contained JSON Schema, an example that fails it).
func (s *server) createEventType(w http.ResponseWriter, r *http.Request) error {
	var req wire.EventTypeCreate
	if err := s.decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	created, err := s.service.CreateEventType(r.Context(), store.EventType{
		Name: req.Name, Description: req.Description,
		Schema: nullIsNone(req.Schema), Example: nullIsNone(req.Example), Deprecated: req.Deprecated,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, eventTypeJSON(created))
	return nil
}

// listEventTypes handles GET /v1/event-types?deprecated=&limit=&cursor=:
// by name, cursor the next_cursor of the previous page.
func (s *server) listEventTypes(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.EventTypeFilter{AfterName: q.text("cursor"), Deprecated: q.bool("deprecated"), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	limit := f.Limit
	f.Limit++ // one more tells whether a next page exists
	types, err := s.store.ListEventTypes(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list event types: %w", err)
	}
	types, next := pageBy(types, limit, func(t store.EventType) string { return t.Name })
	page := wire.EventTypeList{Data: make([]wire.EventType, len(types)), NextCursor: next}
	for i, t := range types {
		page.Data[i] = eventTypeJSON(t)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// getEventType handles GET /v1/event-types/{name}.
func (s *server) getEventType(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	t, err := s.store.GetEventType(r.Context(), name)
	if err != nil {
		return notFound(err, fmt.Sprintf("event type %q", name))
	}
	writeJSON(w, http.StatusOK, eventTypeJSON(t))
	return nil
}

// updateEventType handles PATCH /v1/event-types/{name}: only the members
// given change; a schema or example of null removes it.
func (s *server) updateEventType(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	var req wire.EventTypeUpdate
	if err := s.decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	p := store.EventTypePatch{Description: req.Description, Deprecated: req.Deprecated}
	if req.Schema != nil {
		schema := nullIsNone(req.Schema)
		p.Schema = &schema
	}
	if req.Example != nil {
		example := nullIsNone(req.Example)
		p.Example = &example
	}
	t, err := s.service.UpdateEventType(r.Context(), name, p)
	if err != nil {
		return notFound(err, fmt.Sprintf("event type %q", name))
	}
	writeJSON(w, http.StatusOK, eventTypeJSON(t))
	return nil
}

// deleteEventType handles DELETE /v1/event-types/{name}: 204; the events
// of the type are kept.
func (s *server) deleteEventType(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := s.service.DeleteEventType(r.Context(), name); err != nil {
		return notFound(err, fmt.Sprintf("event type %q", name))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// nullIsNone is a JSON member that may be null: null means none, an empty
// value.
func nullIsNone(j json.RawMessage) json.RawMessage {
	if bytes.Equal(bytes.TrimSpace(j), []byte("null")) {
		return json.RawMessage{}
	}
	return j
}

// eventTypeJSON is the API view of a catalogued type.
func eventTypeJSON(t store.EventType) wire.EventType {
	return wire.EventType{
		Name: t.Name, Description: t.Description, Schema: jsonOrNull(t.Schema), Example: jsonOrNull(t.Example),
		Deprecated: t.Deprecated, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

// jsonOrNull is j, or null when it is empty.
func jsonOrNull(j json.RawMessage) json.RawMessage {
	if len(j) == 0 {
		return json.RawMessage("null")
	}
	return j
}
