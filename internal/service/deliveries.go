package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/hookrelay/hookrelay/internal/store"
)

// RetryDelivery makes a failed, cancelled or pending delivery due now and
// returns it; ErrNotRetryable for one in flight or delivered, an error
// matching store.ErrNotFound for none.
func (s *Service) RetryDelivery(ctx context.Context, id int64) (store.Delivery, error) {
	return s.changeDelivery(ctx, id, s.store.RetryDelivery, ErrNotRetryable)
}

// CancelDelivery cancels a pending or processing delivery and returns it;
// ErrNotCancellable for a finished one, an error matching store.ErrNotFound
// for none.
func (s *Service) CancelDelivery(ctx context.Context, id int64) (store.Delivery, error) {
	return s.changeDelivery(ctx, id, s.store.CancelDelivery, ErrNotCancellable)
}

// changeDelivery applies change to delivery id; refused explains the
// store's ErrConflict.
func (s *Service) changeDelivery(ctx context.Context, id int64, change func(context.Context, int64) (store.Delivery, error), refused error) (store.Delivery, error) {
	d, err := change(ctx, id)
	switch {
	case errors.Is(err, store.ErrConflict):
		return store.Delivery{}, fmt.Errorf("delivery %d %w", id, refused)
	case err != nil:
		return store.Delivery{}, rowError("delivery", id, err)
	}
	return d, nil
}

// ReplayFilter selects the deliveries that ReplayDeliveries makes due again;
// its zero value selects every failed or cancelled delivery.
type ReplayFilter struct {
	// EndpointID, when set, must be positive: 0 is refused, never read as
	// every endpoint, so that a client sending an unset integer does not
	// replay everything.
	EndpointID    *int64
	EventType     string
	EventID       string // a UUID, in any of its spellings
	CreatedAfter  *time.Time
	CreatedBefore *time.Time
	// TenantID, when set, keeps the deliveries of this tenant's endpoints.
	TenantID string
}

// ReplayDeliveries makes every failed or cancelled delivery that f selects
// due now, and returns how many. A bad filter is refused with *FieldErrors
// (FieldEndpointID, FieldEventType, FieldEventID, FieldTenantID), joined.
func (s *Service) ReplayDeliveries(ctx context.Context, f ReplayFilter) (int, error) {
	var errs fieldErrors
	sf := store.DeliveryFilter{EventType: f.EventType, CreatedAfter: f.CreatedAfter, CreatedBefore: f.CreatedBefore}
	tenant, err := s.tenantID(ctx, f.TenantID)
	var tenantErr *FieldError
	switch {
	case errors.As(err, &tenantErr):
		errs.add(tenantErr)
	case err != nil:
		return 0, err
	}
	sf.TenantID = tenant
	if f.EndpointID != nil {
		if *f.EndpointID <= 0 {
			errs.addf(FieldEndpointID, "", "must be a positive integer (leave it out for every endpoint)")
		}
		sf.EndpointID = *f.EndpointID
	}
	errs.text(FieldEventType, "", f.EventType)
	if f.EventID != "" {
		if id, err := uuid.Parse(f.EventID); err != nil {
			errs.addf(FieldEventID, "", "%q is not a UUID", f.EventID)
		} else {
			sf.EventID = id.String()
		}
	}
	if err := errs.err(); err != nil {
		return 0, err
	}
	n, err := s.store.ReplayDeliveries(ctx, sf)
	if err != nil {
		return 0, fmt.Errorf("replay deliveries: %w", err)
	}
	return n, nil
}
