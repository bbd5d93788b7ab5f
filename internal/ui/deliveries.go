package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// deliveryFilter is the filter form of the delivery log, as typed.
type deliveryFilter struct {
	// EndpointID is the webhook_id query parameter (the API's name).
	EndpointID string
	Status     string
	EventType  string
	EventID    string
	// Tenant is the tenant_id query parameter: the deliveries of this
	// tenant's endpoints.
	Tenant string
}

// readDeliveryFilter reads the filter from a query or a posted form.
func readDeliveryFilter(v url.Values) deliveryFilter {
	return deliveryFilter{
		EndpointID: v.Get("webhook_id"), Status: v.Get("status"),
		EventType: v.Get("event_type"), EventID: v.Get("event_id"), Tenant: v.Get("tenant_id"),
	}
}

// query is the filter as URL parameters, without the empty ones.
func (f deliveryFilter) query() url.Values {
	q := url.Values{}
	for name, value := range map[string]string{
		"webhook_id": f.EndpointID, "status": f.Status, "event_type": f.EventType, "event_id": f.EventID,
		"tenant_id": f.Tenant,
	} {
		if value != "" {
			q.Set(name, value)
		}
	}
	return q
}

// endpointID reads the endpoint of the filter; 0 for all.
func (f deliveryFilter) endpointID() (int64, error) {
	if f.EndpointID == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(f.EndpointID, 10, 64)
	if err != nil || id <= 0 {
		return 0, &pageError{http.StatusBadRequest, "webhook_id: " + strconv.Quote(f.EndpointID) + " is not a positive integer"}
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

// storeFilter is the filter as the store reads it, with the cursor (the ID
// of the last delivery of the previous page), the endpoint (0 for all) and
// the tenant in its stored form ("" for all; see server.tenantFilter),
// checked by service.CheckDeliveryFilter as the API checks its own: a
// refusal is a *service.FieldError that names the input.
func (f deliveryFilter) storeFilter(endpointID, cursor int64, tenant string) (store.DeliveryFilter, error) {
	return service.CheckDeliveryFilter(store.DeliveryFilter{
		EndpointID: endpointID, Status: store.Status(f.Status), EventType: f.EventType, EventID: f.EventID,
		BeforeID: cursor, Limit: deliveriesPerPage + 1, TenantID: tenant,
	})
}

// deliveryRow is a delivery as the dashboard's tables and pages show it:
// the stored row, with the values of the custom headers its last request
// sent masked (mask.RequestHeaders).
type deliveryRow struct {
	store.Delivery
}

// deliveryRowOf is d as the dashboard shows it.
func deliveryRowOf(d store.Delivery) deliveryRow {
	d.RequestHeaders = mask.RequestHeaders(d.RequestHeaders, store.IsReservedHeader)
	return deliveryRow{d}
}

// deliveryRows is ds as the dashboard shows them.
func deliveryRows(ds []store.Delivery) []deliveryRow {
	out := make([]deliveryRow, len(ds))
	for i, d := range ds {
		out[i] = deliveryRowOf(d)
	}
	return out
}

// deliveriesView is the data of the delivery log.
type deliveriesView struct {
	Filter     deliveryFilter
	Deliveries []deliveryRow
	Endpoints  endpointIndex
	// Error explains a filter that cannot be used.
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
	v.First = s.paths.to("deliveries?") + v.Filter.query().Encode()
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
	endpointID, err := v.Filter.endpointID()
	if err != nil {
		return err
	}
	tenant, msg, err := s.tenantFilter(r.Context(), v.Filter.Tenant)
	if err != nil {
		return err
	}
	if msg != "" {
		v.Error = msg
		s.render(w, r, http.StatusBadRequest, "deliveries", "Deliveries", v)
		return nil
	}
	f, err := v.Filter.storeFilter(endpointID, cursor, tenant)
	var refused *service.FieldError
	if errors.As(err, &refused) {
		v.Error = sentence(refused.Error())
		s.render(w, r, http.StatusBadRequest, "deliveries", "Deliveries", v)
		return nil
	}
	if err != nil {
		return err
	}
	ds, err := s.store.ListDeliveries(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list deliveries: %w", err)
	}
	ds, more := store.CutPage(ds, deliveriesPerPage)
	v.Deliveries = deliveryRows(ds)
	if more {
		q := v.Filter.query()
		q.Set("cursor", strconv.FormatInt(ds[len(ds)-1].ID, 10))
		v.Next = s.paths.to("deliveries?") + q.Encode()
	}
	s.render(w, r, http.StatusOK, "deliveries", "Deliveries", v)
	return nil
}

// replayDeliveries handles POST /ui/deliveries/replay: every failed or
// cancelled delivery matching the posted filter is sent again.
func (s *server) replayDeliveries(w http.ResponseWriter, r *http.Request) error {
	f := readDeliveryFilter(r.PostForm)
	endpointID, err := f.endpointID()
	if err != nil {
		return err
	}
	replay := service.ReplayFilter{EventType: f.EventType, EventID: f.EventID, TenantID: f.Tenant}
	if endpointID != 0 {
		replay.EndpointID = &endpointID
	}
	n, err := s.service.ReplayDeliveries(r.Context(), replay)
	if err != nil {
		return err
	}
	redirectNotice(w, r, s.paths.to("deliveries?")+f.query().Encode(), "replayed", n)
	return nil
}

// deliveryView is the data of a delivery's page.
type deliveryView struct {
	Delivery deliveryRow
	// Payload is the data its requests carry (service.SentPayload).
	Payload json.RawMessage
	// Attempts are its attempts, the values of custom request headers masked.
	Attempts []store.Attempt
	Endpoint maskedEndpoint
}

// CanRetry reports whether the delivery may be sent again now.
func (v deliveryView) CanRetry() bool {
	switch v.Delivery.Status {
	case store.StatusFailed, store.StatusCancelled, store.StatusPending:
		return true
	}
	return false
}

// CanCancel reports whether the delivery may be cancelled.
func (v deliveryView) CanCancel() bool {
	switch v.Delivery.Status {
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
	ctx := r.Context()
	d, err := s.store.GetDelivery(ctx, id)
	if err != nil {
		return notFound(fmt.Errorf("get delivery %d: %w", id, err), deliveryWhat(id))
	}
	attempts, err := s.store.ListAttempts(ctx, id)
	if err != nil {
		return fmt.Errorf("list attempts of delivery %d: %w", id, err)
	}
	for i, a := range attempts {
		attempts[i].RequestHeaders = mask.RequestHeaders(a.RequestHeaders, store.IsReservedHeader)
	}
	payload, err := s.service.SentPayload(ctx, d)
	if err != nil {
		return err
	}
	e, err := s.endpointByID(ctx, d.EndpointID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "delivery", "Delivery "+strconv.FormatInt(id, 10),
		deliveryView{Delivery: deliveryRowOf(d), Payload: payload, Attempts: attempts, Endpoint: e})
	return nil
}

// deliveryWhat names delivery id in a 404 page.
func deliveryWhat(id int64) string { return "delivery " + strconv.FormatInt(id, 10) }

// retryDelivery handles POST /ui/deliveries/{id}/retry.
func (s *server) retryDelivery(w http.ResponseWriter, r *http.Request) error {
	return applyAction(w, r, s.paths.delivery, deliveryWhat, "retried", s.service.RetryDelivery)
}

// cancelDelivery handles POST /ui/deliveries/{id}/cancel.
func (s *server) cancelDelivery(w http.ResponseWriter, r *http.Request) error {
	return applyAction(w, r, s.paths.delivery, deliveryWhat, "cancelled", s.service.CancelDelivery)
}

// deliveryTable is the data of the "deliveries" partial: a table of
// deliveries, with an endpoint column when ShowEndpoint is set.
type deliveryTable struct {
	Deliveries   []deliveryRow
	Endpoints    endpointIndex
	ShowEndpoint bool
}

// Table is the log's table.
func (v deliveriesView) Table() deliveryTable {
	return deliveryTable{Deliveries: v.Deliveries, Endpoints: v.Endpoints, ShowEndpoint: true}
}
