package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// listDeliveries handles GET /v1/deliveries: newest first, filtered by
// webhook_id, status, event_type, event_id, created_after and created_before,
// paginated by limit and cursor.
func (s *server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := store.DeliveryFilter{
		EndpointID:    q.id("webhook_id"),
		Status:        store.Status(q.text("status")),
		EventType:     q.text("event_type"),
		EventID:       q.text("event_id"),
		TenantID:      q.tenant(r.Context(), s.service),
		CreatedAfter:  q.time("created_after"),
		CreatedBefore: q.time("created_before"),
		BeforeID:      q.cursor(""),
		Limit:         q.limit(),
	}
	if q.err != nil {
		return q.err
	}
	f, err := service.CheckDeliveryFilter(f)
	var fe *service.FieldError
	if errors.As(err, &fe) {
		return badParam(fe.Path(), "%s", fe.Message)
	}
	if err != nil {
		return err
	}
	limit := f.Limit
	f.Limit++ // one more tells whether a next page exists
	deliveries, err := s.store.ListDeliveries(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list deliveries: %w", err)
	}
	deliveries, next := pageOf(deliveries, limit, func(d store.Delivery) int64 { return d.ID })
	writeJSON(w, http.StatusOK, wire.DeliveryList{Data: deliveriesJSON(deliveries), NextCursor: next})
	return nil
}

// getDelivery handles GET /v1/deliveries/{id}: the delivery, its last
// request and response, and every attempt.
func (s *server) getDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.store.GetDelivery(r.Context(), id)
	if err != nil {
		return notFound(err, fmt.Sprintf("delivery %d", id))
	}
	attempts, err := s.store.ListAttempts(r.Context(), id)
	if err != nil {
		return fmt.Errorf("list attempts of delivery %d: %w", id, err)
	}
	payload, err := s.service.SentPayload(r.Context(), d)
	if err != nil {
		return err
	}
	detail := wire.DeliveryDetail{
		Delivery: deliveryJSON(d), Payload: payload, RequestHeaders: mask.RequestHeaders(d.RequestHeaders, store.IsReservedHeader),
		ResponseHeaders: d.ResponseHeaders, ResponseBody: d.ResponseBody,
		Attempts: make([]wire.Attempt, len(attempts)),
	}
	for i, a := range attempts {
		detail.Attempts[i] = wire.Attempt{
			Attempt: a.Attempt, StartedAt: a.StartedAt, DurationMS: a.DurationMS,
			RequestHeaders: mask.RequestHeaders(a.RequestHeaders, store.IsReservedHeader), ResponseStatus: a.ResponseStatus,
			ResponseHeaders: a.ResponseHeaders, ResponseBody: a.ResponseBody, Error: a.Error,
		}
	}
	writeJSON(w, http.StatusOK, detail)
	return nil
}

// retryDelivery handles POST /v1/deliveries/{id}/retry: a failed, cancelled or
// pending delivery becomes due now.
func (s *server) retryDelivery(w http.ResponseWriter, r *http.Request) error {
	return s.changeDelivery(w, r, s.service.RetryDelivery)
}

// cancelDelivery handles POST /v1/deliveries/{id}/cancel.
func (s *server) cancelDelivery(w http.ResponseWriter, r *http.Request) error {
	return s.changeDelivery(w, r, s.service.CancelDelivery)
}

// changeDelivery applies a state change to the route's delivery and answers
// with the result; a refusal is a 409 that explains it.
func (s *server) changeDelivery(w http.ResponseWriter, r *http.Request, change func(context.Context, int64) (store.Delivery, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := change(r.Context(), id)
	if err != nil {
		return notFound(err, fmt.Sprintf("delivery %d", id))
	}
	writeJSON(w, http.StatusOK, deliveryJSON(d))
	return nil
}

// replayDeliveries handles POST /v1/deliveries/replay: every failed or
// cancelled delivery that matches the filter becomes due now.
func (s *server) replayDeliveries(w http.ResponseWriter, r *http.Request) error {
	var req wire.ReplayRequest
	if err := s.decodeJSON(w, r, &req, true); err != nil {
		return err
	}
	n, err := s.service.ReplayDeliveries(r.Context(), service.ReplayFilter{
		EndpointID: req.EndpointID, EventType: req.EventType, EventID: req.EventID,
		CreatedAfter: req.CreatedAfter, CreatedBefore: req.CreatedBefore, TenantID: req.TenantID,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.ReplayResponse{Replayed: n})
	return nil
}

// deliveriesJSON is the API view of a list of deliveries, never null.
func deliveriesJSON(ds []store.Delivery) []wire.Delivery {
	out := make([]wire.Delivery, len(ds))
	for i, d := range ds {
		out[i] = deliveryJSON(d)
	}
	return out
}

// deliveryJSON is the API view of a delivery, without its payload and record.
// next_retry_at is given for a pending delivery only: the store keeps the
// last due time of a finished or cancelled one, which is no retry to come.
func deliveryJSON(d store.Delivery) wire.Delivery {
	nextRetryAt := d.NextRetryAt
	if d.Status != store.StatusPending {
		nextRetryAt = nil
	}
	return wire.Delivery{
		ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, EventType: d.EventType, Status: string(d.Status),
		AttemptCount: d.AttemptsMade(), RetryCount: d.RetryCount, MaxRetries: d.MaxRetries, Priority: d.Priority,
		OrderingKey: d.OrderingKey, CreatedAt: d.CreatedAt, ScheduledFor: d.ScheduledFor, ProcessedAt: d.ProcessedAt,
		NextRetryAt: nextRetryAt, ResponseStatus: d.ResponseStatus, LastError: d.LastError,
		RecoveredAt: d.RecoveredAt, RecoveryReason: recoveryReason(d), TenantID: d.TenantID,
	}
}

// recoveryReason is store.RecoveryReason for a recovered delivery, "" for
// another.
func recoveryReason(d store.Delivery) string {
	if d.RecoveredAt == nil {
		return ""
	}
	return store.RecoveryReason
}
