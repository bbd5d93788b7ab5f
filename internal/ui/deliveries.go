package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/client"
	"github.com/hookrelay/hookrelay/internal/store"
)

// deliveryFilter is the filter form of the delivery log, as typed.
type deliveryFilter struct {
	WebhookID string
	Status    string
	EventType string
	EventID   string
}

// readDeliveryFilter reads the filter from a query or a posted form.
func readDeliveryFilter(v url.Values) deliveryFilter {
	return deliveryFilter{
		WebhookID: v.Get("webhook_id"), Status: v.Get("status"),
		EventType: v.Get("event_type"), EventID: v.Get("event_id"),
	}
}

// query is the filter as URL parameters, without the empty ones.
func (f deliveryFilter) query() url.Values {
	q := url.Values{}
	for name, value := range map[string]string{
		"webhook_id": f.WebhookID, "status": f.Status, "event_type": f.EventType, "event_id": f.EventID,
	} {
		if value != "" {
			q.Set(name, value)
		}
	}
	return q
}

// webhookID reads the endpoint of the filter; 0 for all.
func (f deliveryFilter) webhookID() (int64, error) {
	if f.WebhookID == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(f.WebhookID, 10, 64)
	if err != nil || id <= 0 {
		return 0, &pageError{http.StatusBadRequest, "webhook_id: " + strconv.Quote(f.WebhookID) + " is not a positive integer"}
	}
	return id, nil
}

// Statuses lists the delivery states for the filter's select.
func (deliveryFilter) Statuses() []store.Status {
	return []store.Status{store.StatusPending, store.StatusProcessing, store.StatusDelivered, store.StatusFailed, store.StatusCancelled}
}

// CanReplay reports whether the filter selects failed or cancelled
// deliveries, which replay sends again.
func (f deliveryFilter) CanReplay() bool {
	return f.Status == "" || f.Status == string(store.StatusFailed) || f.Status == string(store.StatusCancelled)
}

// deliveriesView is the data of the delivery log.
type deliveriesView struct {
	Filter     deliveryFilter
	Deliveries []wire.Delivery
	Endpoints  endpointIndex
	// Error explains a filter the API refused.
	Error string
	// First is the URL of the first page.
	First string
	// Next is the URL of the next (older) page; "" on the last.
	Next string
	// Paged is set beyond the first page.
	Paged bool
}

// listDeliveries handles GET /ui/deliveries: the log, newest first, filtered
// by endpoint, status, event type and event ID, paginated by cursor.
func (s *server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	v := deliveriesView{Filter: readDeliveryFilter(r.URL.Query())}
	v.First = Prefix + "deliveries?" + v.Filter.query().Encode()
	endpoints, err := s.loadEndpointIndex(r.Context())
	if err != nil {
		return err
	}
	v.Endpoints = endpoints
	cursor, err := queryID(r, "cursor")
	if err != nil {
		return err
	}
	v.Paged = cursor != 0
	webhookID, err := v.Filter.webhookID()
	if err != nil {
		return err
	}
	page, err := s.api.ListDeliveries(r.Context(), client.DeliveryFilter{
		WebhookID: webhookID, Status: v.Filter.Status, EventType: v.Filter.EventType, EventID: v.Filter.EventID,
		Cursor: cursor, Limit: deliveriesPerPage,
	})
	var apiErr *client.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest {
		v.Error = sentence(apiErr.Body.Message)
		s.render(w, r, http.StatusBadRequest, "deliveries", "Deliveries", v)
		return nil
	}
	if err != nil {
		return err
	}
	v.Deliveries = page.Data
	if page.NextCursor != "" {
		q := v.Filter.query()
		q.Set("cursor", page.NextCursor)
		v.Next = Prefix + "deliveries?" + q.Encode()
	}
	s.render(w, r, http.StatusOK, "deliveries", "Deliveries", v)
	return nil
}

// replayDeliveries handles POST /ui/deliveries/replay: every failed or
// cancelled delivery matching the posted filter is sent again.
func (s *server) replayDeliveries(w http.ResponseWriter, r *http.Request) error {
	f := readDeliveryFilter(r.PostForm)
	webhookID, err := f.webhookID()
	if err != nil {
		return err
	}
	n, err := s.api.ReplayDeliveries(r.Context(), wire.ReplayRequest{WebhookID: wire.WebhookIDOf(webhookID), EventType: f.EventType, EventID: f.EventID})
	if err != nil {
		return err
	}
	redirectNotice(w, r, Prefix+"deliveries?"+f.query().Encode(), "replayed", n)
	return nil
}

// deliveryView is the data of a delivery's page.
type deliveryView struct {
	Delivery wire.DeliveryDetail
	Endpoint wire.Endpoint
}

// CanRetry reports whether the delivery may be sent again now.
func (v deliveryView) CanRetry() bool {
	switch store.Status(v.Delivery.Status) {
	case store.StatusFailed, store.StatusCancelled, store.StatusPending:
		return true
	}
	return false
}

// CanCancel reports whether the delivery may be cancelled.
func (v deliveryView) CanCancel() bool {
	switch store.Status(v.Delivery.Status) {
	case store.StatusPending, store.StatusProcessing:
		return true
	}
	return false
}

// showDelivery handles GET /ui/deliveries/{id}: the delivery, its payload
// and every attempt.
func (s *server) showDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.api.GetDelivery(r.Context(), id)
	if err != nil {
		return err
	}
	e, err := s.api.GetWebhook(r.Context(), d.WebhookID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "delivery", "Delivery "+strconv.FormatInt(id, 10), deliveryView{Delivery: d, Endpoint: e})
	return nil
}

// retryDelivery handles POST /ui/deliveries/{id}/retry.
func (s *server) retryDelivery(w http.ResponseWriter, r *http.Request) error {
	return applyAction(w, r, deliveryPath, "retried", s.api.RetryDelivery)
}

// cancelDelivery handles POST /ui/deliveries/{id}/cancel.
func (s *server) cancelDelivery(w http.ResponseWriter, r *http.Request) error {
	return applyAction(w, r, deliveryPath, "cancelled", s.api.CancelDelivery)
}

// deliveryTable is the data of the "deliveries" partial: a table of
// deliveries, with an endpoint column when ShowEndpoint is set.
type deliveryTable struct {
	Deliveries   []wire.Delivery
	Endpoints    endpointIndex
	ShowEndpoint bool
}

// Table is the log's table.
func (v deliveriesView) Table() deliveryTable {
	return deliveryTable{Deliveries: v.Deliveries, Endpoints: v.Endpoints, ShowEndpoint: true}
}
