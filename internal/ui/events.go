package ui

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
)

// publishForm is the form that publishes an event, as typed.
type publishForm struct {
	Type   string
	Data   string
	Errors formErrors
}

// eventsView is the data of the events page: a lookup by ID, what it found,
// the list of recent events (when nothing is looked up), and the publish form.
type eventsView struct {
	// ID is the ID looked up, as typed.
	ID        string
	Event     *wire.EventDetail
	Endpoints endpointIndex
	// Error says why the lookup found nothing.
	Error   string
	Publish publishForm
	// Recent is the list of recent events; nil while an ID is looked up.
	Recent *recentEvents
}

// events handles GET /ui/events?id=: an event and every delivery of it;
// without an id, the recent events (see listRecentEvents).
func (s *server) events(w http.ResponseWriter, r *http.Request) error {
	v := eventsView{ID: strings.TrimSpace(r.URL.Query().Get("id")), Publish: publishForm{Data: "{}"}}
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
	ev, err := s.api.GetEvent(r.Context(), v.ID)
	var apiErr *client.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode < http.StatusInternalServerError {
		v.Error = sentence(apiErr.Body.Message)
		return apiErr.StatusCode, nil
	}
	if err != nil {
		return 0, err
	}
	if v.Endpoints, err = s.loadEndpointIndex(r.Context()); err != nil {
		return 0, err
	}
	v.Event = &ev
	return http.StatusOK, nil
}

// publishEvent handles POST /ui/events {type, data}: the event goes to every
// subscribed endpoint, and the page shows where.
func (s *server) publishEvent(w http.ResponseWriter, r *http.Request) error {
	f := publishForm{Type: strings.TrimSpace(r.PostForm.Get("type")), Data: r.PostForm.Get("data")}
	req := wire.PublishRequest{Type: f.Type}
	if data := strings.TrimSpace(f.Data); data != "" {
		if !json.Valid([]byte(data)) {
			f.Errors.add("data", "data: is not valid JSON")
		}
		req.Data = json.RawMessage(data)
	}
	if f.Errors == nil {
		res, err := s.api.PublishEvent(r.Context(), req)
		if err == nil {
			q := url.Values{"id": {res.EventID}}
			redirectNotice(w, r, Prefix+"events?"+q.Encode(), "published", res.Deliveries)
			return nil
		}
		if !f.Errors.apiRefused(err) {
			return err
		}
	}
	s.render(w, r, http.StatusUnprocessableEntity, "events", "Events", eventsView{Publish: f})
	return nil
}

// eventPath is the events page showing one event.
func eventPath(id string) string { return Prefix + "events?id=" + url.QueryEscape(id) }

// deliveriesOfEndpoint is the delivery log filtered to one endpoint.
func deliveriesOfEndpoint(id int64) string {
	return Prefix + "deliveries?webhook_id=" + strconv.FormatInt(id, 10)
}

// Table is the table of the event's deliveries.
func (v eventsView) Table() deliveryTable {
	return deliveryTable{Deliveries: v.Event.Deliveries, Endpoints: v.Endpoints, ShowEndpoint: true}
}
