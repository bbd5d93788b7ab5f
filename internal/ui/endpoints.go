package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Page sizes.
const (
	endpointsPerPage  = 50
	deliveriesPerPage = 50
	recentDeliveries  = 10
)

// endpointRow is one line of the endpoint list.
type endpointRow struct {
	Endpoint wire.Endpoint
	Chart    chart
}

// endpointsView is the data of the endpoint list.
type endpointsView struct {
	Rows []endpointRow
	// Next is the URL of the next page; "" on the last.
	Next string
}

// listEndpoints handles GET /ui/endpoints?cursor= (after=, its older name,
// is still read so that saved links keep working).
func (s *server) listEndpoints(w http.ResponseWriter, r *http.Request) error {
	name := "cursor"
	if r.URL.Query().Has("after") {
		name = "after"
	}
	cursor, err := queryID(r, name)
	if err != nil {
		return err
	}
	page, err := s.api.ListWebhooks(r.Context(), client.WebhookFilter{Cursor: cursor, Limit: endpointsPerPage})
	if err != nil {
		return err
	}
	ids := make([]int64, len(page.Data))
	for i, e := range page.Data {
		ids[i] = e.ID
	}
	charts, err := s.successCharts(r.Context(), ids)
	if err != nil {
		return err
	}
	v := endpointsView{Rows: make([]endpointRow, len(page.Data))}
	for i, e := range page.Data {
		v.Rows[i] = endpointRow{Endpoint: e, Chart: charts[e.ID]}
	}
	if page.NextCursor != "" {
		v.Next = Prefix + "endpoints?cursor=" + page.NextCursor
	}
	s.render(w, r, http.StatusOK, "endpoints", "Endpoints", v)
	return nil
}

// endpointView is the data of an endpoint's page.
type endpointView struct {
	Endpoint   wire.Endpoint
	Chart      chart
	Deliveries []wire.Delivery
}

// showEndpoint handles GET /ui/endpoints/{id}.
func (s *server) showEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	c, err := s.successChart(r.Context(), e.ID)
	if err != nil {
		return err
	}
	recent, err := s.api.ListDeliveries(r.Context(), client.DeliveryFilter{WebhookID: e.ID, Limit: recentDeliveries})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "endpoint", endpointName(e), endpointView{Endpoint: e, Chart: c, Deliveries: recent.Data})
	return nil
}

// newEndpoint handles GET /ui/endpoints/new.
func (s *server) newEndpoint(w http.ResponseWriter, r *http.Request) error {
	f := endpointForm{Active: true, SignatureProfile: s.defaultProfile}
	s.render(w, r, http.StatusOK, "endpoint_form", "New endpoint", f)
	return nil
}

// createEndpoint handles POST /ui/endpoints: the answer shows the new
// endpoint's secret, this once.
func (s *server) createEndpoint(w http.ResponseWriter, r *http.Request) error {
	f := readEndpointForm(r)
	req := f.create(r.PostForm.Get("secret"))
	if f.Errors == nil {
		created, err := s.api.CreateWebhook(r.Context(), req)
		if err == nil {
			s.render(w, r, http.StatusCreated, "secret", "Endpoint created", secretView{Endpoint: created, Created: true})
			return nil
		}
		if !f.Errors.apiRefused(err) {
			return err
		}
	}
	s.render(w, r, http.StatusUnprocessableEntity, "endpoint_form", "New endpoint", f)
	return nil
}

// editEndpoint handles GET /ui/endpoints/{id}/edit.
func (s *server) editEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "endpoint_form", "Edit "+endpointName(e), formOf(e))
	return nil
}

// updateEndpoint handles POST /ui/endpoints/{id}.
func (s *server) updateEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	f := readEndpointForm(r)
	f.ID, f.FromConfig = e.ID, e.CreatedBy == store.ConfigSource
	req := f.update(e)
	if f.Errors == nil {
		_, err := s.api.UpdateWebhook(r.Context(), e.ID, req)
		if err == nil {
			redirectNotice(w, r, endpointPath(e.ID), "updated")
			return nil
		}
		if !f.Errors.apiRefused(err) {
			return err
		}
	}
	s.render(w, r, http.StatusUnprocessableEntity, "endpoint_form", "Edit "+endpointName(e), f)
	return nil
}

// enableEndpoint handles POST /ui/endpoints/{id}/enable.
func (s *server) enableEndpoint(w http.ResponseWriter, r *http.Request) error {
	return applyAction(w, r, endpointPath, "enabled", s.api.EnableWebhook)
}

// disableEndpoint handles POST /ui/endpoints/{id}/disable {reason}.
func (s *server) disableEndpoint(w http.ResponseWriter, r *http.Request) error {
	return applyAction(w, r, endpointPath, "disabled", func(ctx context.Context, id int64) (wire.Endpoint, error) {
		return s.api.DisableWebhook(ctx, id, r.PostForm.Get("reason"))
	})
}

// deleteEndpoint handles POST /ui/endpoints/{id}/delete.
func (s *server) deleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.api.DeleteWebhook(r.Context(), id); err != nil {
		return err
	}
	redirectNotice(w, r, Prefix+"endpoints", "deleted")
	return nil
}

// applyAction applies change to the row of the route's {id} and sends the
// browser back to the row's page (path) with a notice.
func applyAction[T any](w http.ResponseWriter, r *http.Request, path func(int64) string, notice string,
	change func(context.Context, int64) (T, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := change(r.Context(), id); err != nil {
		return err
	}
	redirectNotice(w, r, path(id), notice)
	return nil
}

// confirmDeleteEndpoint handles GET /ui/endpoints/{id}/delete: the question
// before the deletion, which works without JavaScript.
func (s *server) confirmDeleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpoint(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "endpoint_delete", "Delete "+endpointName(e), e)
	return nil
}

// secretView is the data of the page that shows a secret once.
type secretView struct {
	Endpoint wire.Endpoint
	// Created is set after a create, unset after a rotation.
	Created bool
}

// rotateSecret handles POST /ui/endpoints/{id}/rotate-secret: the answer
// shows the new secret, this once.
func (s *server) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := s.api.RotateSecret(r.Context(), id, "")
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "secret", "Secret rotated", secretView{Endpoint: e})
	return nil
}

// pingEndpoint handles POST /ui/endpoints/{id}/ping: a test event to this
// endpoint, then its delivery's page.
func (s *server) pingEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ping, err := s.api.PingWebhook(r.Context(), id)
	if err != nil {
		return err
	}
	redirectNotice(w, r, deliveryPath(ping.DeliveryID), "pinged")
	return nil
}

// endpoint loads the endpoint of the route's {id}.
func (s *server) endpoint(r *http.Request) (wire.Endpoint, error) {
	id, err := pathID(r)
	if err != nil {
		return wire.Endpoint{}, err
	}
	return s.api.GetWebhook(r.Context(), id)
}

// maxListedEndpoints bounds the endpoints that filters and overviews name.
const maxListedEndpoints = 5000

// endpointIndex is every endpoint (up to maxListedEndpoints), to name them
// in lists of deliveries and offer them in filters.
type endpointIndex struct {
	All  []wire.Endpoint
	byID map[int64]wire.Endpoint
}

// Name names an endpoint by ID, or says it is gone.
func (x endpointIndex) Name(id int64) string {
	if e, ok := x.byID[id]; ok {
		return endpointName(e)
	}
	return fmt.Sprintf("endpoint %d (deleted)", id)
}

// loadEndpointIndex reads the endpoint index through the API.
func (s *server) loadEndpointIndex(ctx context.Context) (endpointIndex, error) {
	x := endpointIndex{byID: map[int64]wire.Endpoint{}}
	var cursor int64
	for len(x.All) < maxListedEndpoints {
		page, err := s.api.ListWebhooks(ctx, client.WebhookFilter{Cursor: cursor, Limit: 500})
		if err != nil {
			return endpointIndex{}, err
		}
		for _, e := range page.Data {
			x.byID[e.ID] = e
		}
		x.All = append(x.All, page.Data...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.Data[len(page.Data)-1].ID
	}
	return x, nil
}

// endpointName is how the dashboard names an endpoint: its title, or its URL.
func endpointName(e wire.Endpoint) string {
	if e.Title != "" {
		return e.Title
	}
	return e.URL
}

// pathID reads the route's {id}; anything but a positive integer is a page
// that does not exist.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// queryID reads an optional positive integer query parameter; 0 when absent.
func queryID(r *http.Request, name string) (int64, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, &pageError{http.StatusBadRequest, fmt.Sprintf("%s: %q is not a positive integer", name, raw)}
	}
	return id, nil
}

// endpointPath is the page of an endpoint.
func endpointPath(id int64) string { return Prefix + "endpoints/" + strconv.FormatInt(id, 10) }

// deliveryPath is the page of a delivery.
func deliveryPath(id int64) string { return Prefix + "deliveries/" + strconv.FormatInt(id, 10) }

// Table is the table of the endpoint's recent deliveries.
func (v endpointView) Table() deliveryTable {
	return deliveryTable{Deliveries: v.Deliveries}
}
