package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// publishForm is the form that publishes an event, as typed.
type publishForm struct {
	Type        string
	Data        string
	OrderingKey string
	// Catalog is the current (not deprecated) catalogued types, which the
	// type input suggests.
	Catalog []store.EventType
	Errors  formErrors
}

// eventsView is the data of the events page: a lookup by ID, what it found,
// the list of recent events (when nothing is looked up), and the publish form.
type eventsView struct {
	// ID is the ID looked up, as typed.
	ID        string
	Event     *eventDetail
	Endpoints endpointIndex
	// Error says why the lookup found nothing.
	Error   string
	Publish publishForm
	// Recent is the list of recent events; nil while an ID is looked up.
	Recent *recentEvents
}

// eventDetail is an event and every delivery of it.
type eventDetail struct {
	store.Event
	Deliveries []deliveryRow
}

// events handles GET /ui/events?id=: an event and every delivery of it;
// without an id, the recent events (see listRecentEvents).
func (s *server) events(w http.ResponseWriter, r *http.Request) error {
	v := eventsView{ID: strings.TrimSpace(r.URL.Query().Get("id")), Publish: publishForm{Data: "{}"}}
	if err := s.suggestTypes(r.Context(), &v.Publish); err != nil {
		return err
	}
	status, err := s.lookUpEvent(r, &v)
	if err != nil {
		return err
	}
	if v.ID == "" {
		if v.Recent, status, err = s.listRecentEvents(r); err != nil {
			return err
		}
	}
	s.render(w, r, status, "events", "Events", v)
	return nil
}

// lookUpEvent fills v with the event of v.ID, or the reason there is none,
// and returns the page's status.
func (s *server) lookUpEvent(r *http.Request, v *eventsView) (int, error) {
	if v.ID == "" {
		return http.StatusOK, nil
	}
	id, err := uuid.Parse(v.ID)
	if err != nil {
		v.Error = sentence(fmt.Sprintf("id: %q is not a UUID", v.ID))
		return http.StatusBadRequest, nil
	}
	ctx := r.Context()
	ev, err := s.store.GetEvent(ctx, id.String())
	if errors.Is(err, store.ErrNotFound) {
		v.Error = sentence("event " + id.String() + " not found")
		return http.StatusNotFound, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get event %s: %w", id, err)
	}
	ds, err := s.store.ListDeliveries(ctx, store.DeliveryFilter{EventID: ev.ID})
	if err != nil {
		return 0, fmt.Errorf("list deliveries of event %s: %w", ev.ID, err)
	}
	if v.Endpoints, err = s.loadEndpointIndex(ctx); err != nil {
		return 0, err
	}
	v.Event = &eventDetail{Event: ev, Deliveries: deliveryRows(ds)}
	return http.StatusOK, nil
}

// publishEvent handles POST /ui/events {type, data, ordering_key}: the event
// goes to every subscribed endpoint, and the page shows where.
func (s *server) publishEvent(w http.ResponseWriter, r *http.Request) error {
	f := publishForm{
		Type: strings.TrimSpace(r.PostForm.Get("type")), Data: r.PostForm.Get("data"),
		OrderingKey: r.PostForm.Get("ordering_key"),
	}
	req := service.PublishRequest{Event: store.Event{Type: f.Type, OrderingKey: f.OrderingKey}}
	var parseErr error
	if data := strings.TrimSpace(f.Data); data != "" {
		if json.Valid([]byte(data)) {
			req.Event.Data = json.RawMessage(data)
		} else {
			parseErr = &service.FieldError{Field: service.FieldData, Message: "is not valid JSON"}
		}
	}
	var res store.PublishResult
	err := submit(parseErr, func() error {
		_, err := s.service.Prepare(r.Context(), req)
		return err
	}, func() (err error) {
		res, err = s.service.Publish(r.Context(), req)
		return err
	})
	if err == nil {
		q := url.Values{"id": {res.Event.ID}}
		redirectNotice(w, r, s.paths.to("events?")+q.Encode(), "published", res.Deliveries)
		return nil
	}
	if !f.Errors.refused(err, publishInputs) {
		return err
	}
	if err := s.suggestTypes(r.Context(), &f); err != nil {
		return err
	}
	s.render(w, r, http.StatusUnprocessableEntity, "events", "Events", eventsView{Publish: f})
	return nil
}

// Table is the table of the event's deliveries.
func (v eventsView) Table() deliveryTable {
	return deliveryTable{Deliveries: v.Event.Deliveries, Endpoints: v.Endpoints, ShowEndpoint: true}
}

// suggestTypes fills the catalog that the publish form's type input
// suggests.
func (s *server) suggestTypes(ctx context.Context, f *publishForm) error {
	types, err := s.service.EventTypeChoices(ctx, false)
	f.Catalog = types
	return err
}
