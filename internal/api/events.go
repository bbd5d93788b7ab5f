package api

import (
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// publishEvent handles POST /v1/events: 202 with the deliveries created, or
// 200 with the stored event when its ID was published before.
func (s *server) publishEvent(w http.ResponseWriter, r *http.Request) error {
	var req wire.PublishRequest
	if err := s.decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	res, err := s.service.Publish(r.Context(), publishRequest(req))
	if err != nil {
		return err
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

// publishRequest is the service's view of one event to publish.
func publishRequest(req wire.PublishRequest) service.PublishRequest {
	return service.PublishRequest{
		Event: store.Event{ID: req.ID, Type: req.Type, Data: req.Data, Priority: req.Priority, OrderingKey: req.OrderingKey,
			TenantID: req.TenantID},
		EndpointIDs: req.EndpointIDs,
	}
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
	return wire.Event{ID: ev.ID, Type: ev.Type, Data: ev.Data, Priority: ev.Priority, OrderingKey: ev.OrderingKey, CreatedAt: ev.CreatedAt,
		TenantID: ev.TenantID}
}

// listEvents handles GET /v1/events: newest first, filtered by type, tenant_id,
// created_after and created_before, paginated by limit and cursor (the
// opaque next_cursor of the previous page).
func (s *server) listEvents(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.EventFilter{
		Type:          q.text("type"),
		TenantID:      q.tenant(r.Context(), s.service),
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
