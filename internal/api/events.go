package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"

	"github.com/google/uuid"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
)

// maxTargetEndpoints bounds endpoint_ids of one publish.
const maxTargetEndpoints = 100

// publishEvent handles POST /v1/events: 202 with the deliveries created, or
// 200 with the stored event when its ID was published before.
func (s *server) publishEvent(w http.ResponseWriter, r *http.Request) error {
	var req wire.PublishRequest
	if err := s.decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	pub, err := s.publication(r, req, map[int64]bool{})
	if err != nil {
		return err
	}
	res, err := s.store.Publish(r.Context(), pub.Event, pub.Options)
	if err != nil {
		return fmt.Errorf("publish event: %w", err)
	}
	status := http.StatusAccepted
	if !res.Created {
		status = http.StatusOK
	}
	writeJSON(w, status, wire.PublishResponse{
		EventID: res.Event.ID, Created: res.Created, Deliveries: res.Deliveries, Event: eventJSON(res.Event),
	})
	return nil
}

// publication checks req, one event to publish, exactly as both publish
// routes check an event, and returns what to publish. Its errors are a
// *store.FieldError (422) for an invalid field, a 413 for data above the
// payload limit (which only a batch can send), or the store's error. known
// caches which endpoint IDs exist, across the events of a batch.
func (s *server) publication(r *http.Request, req wire.PublishRequest, known map[int64]bool) (store.Publication, error) {
	if int64(len(req.Data)) > s.maxPayload {
		e := newError(http.StatusRequestEntityTooLarge, codePayloadTooLarge, "data is larger than %d bytes", s.maxPayload)
		e.body.Field = "data"
		return store.Publication{}, e
	}
	ev := store.Event{ID: req.ID, Type: req.Type, Data: req.Data, Priority: req.Priority}
	if err := ev.Normalize(); err != nil {
		return store.Publication{}, err
	}
	if req.Priority < math.MinInt32 || req.Priority > math.MaxInt32 {
		return store.Publication{}, &store.FieldError{Field: "priority", Message: "is out of the 32-bit integer range"}
	}
	if err := s.checkEndpointIDs(r, req.EndpointIDs, known); err != nil {
		return store.Publication{}, err
	}
	return store.Publication{Event: ev, Options: store.PublishOptions{MaxRetries: s.maxRetries, EndpointIDs: req.EndpointIDs}}, nil
}

// checkEndpointIDs refuses targets that do not exist, so that a typo is not
// silently an event without deliveries. known remembers the IDs looked up.
func (s *server) checkEndpointIDs(r *http.Request, ids []int64, known map[int64]bool) error {
	if len(ids) > maxTargetEndpoints {
		return &store.FieldError{Field: "endpoint_ids", Message: fmt.Sprintf("at most %d endpoints are allowed", maxTargetEndpoints)}
	}
	for i, id := range ids {
		field := fmt.Sprintf("endpoint_ids[%d]", i)
		if id <= 0 {
			return &store.FieldError{Field: field, Message: "must be a positive integer"}
		}
		exists, looked := known[id]
		if !looked {
			_, err := s.store.GetEndpoint(r.Context(), id)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("check endpoint %d: %w", id, err)
			}
			exists = err == nil
			known[id] = exists
		}
		if !exists {
			return &store.FieldError{Field: field, Message: fmt.Sprintf("webhook %d does not exist", id)}
		}
	}
	return nil
}

// getEvent handles GET /v1/events/{id}: the event and its deliveries.
func (s *server) getEvent(w http.ResponseWriter, r *http.Request) error {
	raw := r.PathValue("id")
	id, err := uuid.Parse(raw)
	if err != nil {
		return badParam("id", "%q is not a UUID", raw)
	}
	ev, err := s.store.GetEvent(r.Context(), id.String())
	if err != nil {
		return notFound(err, "event "+id.String())
	}
	deliveries, err := s.store.ListDeliveries(r.Context(), store.DeliveryFilter{EventID: ev.ID})
	if err != nil {
		return fmt.Errorf("list deliveries of event %s: %w", ev.ID, err)
	}
	writeJSON(w, http.StatusOK, wire.EventDetail{Event: eventJSON(ev), Deliveries: deliveriesJSON(deliveries)})
	return nil
}

// eventJSON is the API view of an event.
func eventJSON(ev store.Event) wire.Event {
	return wire.Event{ID: ev.ID, Type: ev.Type, Data: ev.Data, Priority: ev.Priority, CreatedAt: ev.CreatedAt}
}

// listEvents handles GET /v1/events: newest first, filtered by type,
// created_after and created_before, paginated by limit and cursor (the
// opaque next_cursor of the previous page).
func (s *server) listEvents(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.EventFilter{
		Type:          q.text("type"),
		CreatedAfter:  q.time("created_after"),
		CreatedBefore: q.time("created_before"),
		Limit:         q.limit(),
	}
	if f.CreatedAfter != nil && f.CreatedBefore != nil && !f.CreatedAfter.Before(*f.CreatedBefore) {
		q.fail(badParam("created_before", "must be later than created_after"))
	}
	if raw := q.text("cursor"); raw != "" {
		c, err := store.ParseEventCursor(raw)
		if err != nil {
			q.fail(badParam("cursor", "%v", err))
		} else {
			f.Before = &c
		}
	}
	if q.err != nil {
		return q.err
	}
	limit := f.Limit
	f.Limit++ // one more tells whether a next page exists
	events, err := s.store.ListEvents(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list events: %w", err)
	}
	events, next := pageBy(events, limit, func(ev store.Event) string { return store.CursorOf(ev).String() })
	page := wire.EventList{Data: make([]wire.Event, 0, len(events)), NextCursor: next}
	for _, ev := range events {
		page.Data = append(page.Data, eventJSON(ev))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}
