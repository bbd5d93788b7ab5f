package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNoTenantScope refuses a call to a TenantScoped store whose context
// carries no tenant (WithTenant): the scope fails closed.
var ErrNoTenantScope = errors.New("no tenant in the request's scope")

// tenantScopeKey is the context key of the tenant that a TenantScoped store
// limits a call to.
type tenantScopeKey struct{}

// WithTenant returns ctx carrying tenant, the scope of every call that a
// TenantScoped store receives with it. An empty tenant scopes nothing: the
// calls are refused.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantScopeKey{}, tenant)
}

// TenantOf returns the tenant that WithTenant put in ctx, "" for none.
func TenantOf(ctx context.Context) string {
	tenant, _ := ctx.Value(tenantScopeKey{}).(string)
	return tenant
}

// TenantScoped wraps st for a door that acts for one tenant (the customer
// portal): every read and change of endpoints, events, deliveries and
// attempts is limited, server-side, to the tenant of the call's context
// (WithTenant). A row of another tenant is ErrNotFound, exactly as a
// missing one, so that a caller learns nothing of other tenants' IDs; lists
// keep the tenant's rows only; created endpoints and published events are
// the tenant's. Without a tenant in the context those calls fail with
// ErrNoTenantScope. The operator-wide counts (CountByStatus, and
// CountDeliveries without endpoints) are refused; the worker's calls
// (Claim, Complete, …) and the event-type catalog, which is global, pass
// through.
func TenantScoped(st Store) Store {
	return tenantScoped{st}
}

// tenantScoped is the Store that TenantScoped returns.
type tenantScoped struct {
	Store
}

// scope returns the tenant of ctx, or ErrNoTenantScope.
func scope(ctx context.Context) (string, error) {
	if tenant := TenantOf(ctx); tenant != "" {
		return tenant, nil
	}
	return "", ErrNoTenantScope
}

// own reads the row what id from st with get (a method expression of
// Store) and checks that it belongs to the scope's tenant (tenantOf); a row
// of another tenant is ErrNotFound.
func own[K comparable, T any](ctx context.Context, st Store, what string, id K,
	get func(Store, context.Context, K) (T, error), tenantOf func(T) string) (T, error) {
	var none T
	tenant, err := scope(ctx)
	if err != nil {
		return none, err
	}
	row, err := get(st, ctx, id)
	if err != nil {
		return none, err
	}
	if tenantOf(row) != tenant {
		return none, fmt.Errorf("%s %v: %w", what, id, ErrNotFound)
	}
	return row, nil
}

// ownEndpoint checks that endpoint id belongs to the scope's tenant.
func (s tenantScoped) ownEndpoint(ctx context.Context, id int64) (Endpoint, error) {
	return own(ctx, s.Store, "endpoint", id, Store.GetEndpoint, func(e Endpoint) string { return e.TenantID })
}

// ownDelivery checks that delivery id belongs to the scope's tenant.
func (s tenantScoped) ownDelivery(ctx context.Context, id int64) (Delivery, error) {
	return own(ctx, s.Store, "delivery", id, Store.GetDelivery, func(d Delivery) string { return d.TenantID })
}

// CreateEndpoint creates e in the scope's tenant, whatever e says.
func (s tenantScoped) CreateEndpoint(ctx context.Context, e Endpoint) (Endpoint, error) {
	tenant, err := scope(ctx)
	if err != nil {
		return Endpoint{}, err
	}
	e.TenantID = tenant
	return s.Store.CreateEndpoint(ctx, e)
}

// GetEndpoint returns the tenant's endpoint id; ErrNotFound for another's.
func (s tenantScoped) GetEndpoint(ctx context.Context, id int64) (Endpoint, error) {
	return s.ownEndpoint(ctx, id)
}

// ListEndpoints lists the tenant's endpoints only.
func (s tenantScoped) ListEndpoints(ctx context.Context, f EndpointFilter) ([]Endpoint, error) {
	tenant, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	f.TenantID = tenant
	return s.Store.ListEndpoints(ctx, f)
}

// UpdateEndpoint changes the tenant's endpoint id; ErrNotFound for another's.
func (s tenantScoped) UpdateEndpoint(ctx context.Context, id int64, p EndpointPatch) (Endpoint, error) {
	if _, err := s.ownEndpoint(ctx, id); err != nil {
		return Endpoint{}, err
	}
	return s.Store.UpdateEndpoint(ctx, id, p)
}

// NewChallenge challenges the tenant's endpoint id; ErrNotFound for another's.
func (s tenantScoped) NewChallenge(ctx context.Context, id int64, eventID string) (Endpoint, error) {
	if _, err := s.ownEndpoint(ctx, id); err != nil {
		return Endpoint{}, err
	}
	return s.Store.NewChallenge(ctx, id, eventID)
}

// DeleteEndpoint deletes the tenant's endpoint id; ErrNotFound for another's.
func (s tenantScoped) DeleteEndpoint(ctx context.Context, id int64) error {
	if _, err := s.ownEndpoint(ctx, id); err != nil {
		return err
	}
	return s.Store.DeleteEndpoint(ctx, id)
}

// Publish publishes ev as an event of the scope's tenant (so to its
// endpoints only).
func (s tenantScoped) Publish(ctx context.Context, ev Event, opts PublishOptions) (PublishResult, error) {
	tenant, err := scope(ctx)
	if err != nil {
		return PublishResult{}, err
	}
	ev.TenantID = tenant
	return s.Store.Publish(ctx, ev, opts)
}

// PublishMany publishes every event as one of the scope's tenant.
func (s tenantScoped) PublishMany(ctx context.Context, pubs []Publication) ([]PublicationResult, error) {
	tenant, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	scoped := make([]Publication, len(pubs))
	for i, p := range pubs {
		p.Event.TenantID = tenant
		scoped[i] = p
	}
	return s.Store.PublishMany(ctx, scoped)
}

// GetEvent returns the tenant's event id; ErrNotFound for another's.
func (s tenantScoped) GetEvent(ctx context.Context, id string) (Event, error) {
	return own(ctx, s.Store, "event", id, Store.GetEvent, func(ev Event) string { return ev.TenantID })
}

// ListEvents lists the tenant's events only.
func (s tenantScoped) ListEvents(ctx context.Context, f EventFilter) ([]Event, error) {
	tenant, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	f.TenantID = tenant
	return s.Store.ListEvents(ctx, f)
}

// GetDelivery returns the tenant's delivery id; ErrNotFound for another's.
func (s tenantScoped) GetDelivery(ctx context.Context, id int64) (Delivery, error) {
	return s.ownDelivery(ctx, id)
}

// ListDeliveries lists the deliveries of the tenant's endpoints only.
func (s tenantScoped) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	tenant, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	f.TenantID = tenant
	return s.Store.ListDeliveries(ctx, f)
}

// ListAttempts lists the attempts of the tenant's delivery; ErrNotFound
// for another's.
func (s tenantScoped) ListAttempts(ctx context.Context, deliveryID int64) ([]Attempt, error) {
	if _, err := s.ownDelivery(ctx, deliveryID); err != nil {
		return nil, err
	}
	return s.Store.ListAttempts(ctx, deliveryID)
}

// RetryDelivery retries the tenant's delivery; ErrNotFound for another's.
func (s tenantScoped) RetryDelivery(ctx context.Context, id int64) (Delivery, error) {
	if _, err := s.ownDelivery(ctx, id); err != nil {
		return Delivery{}, err
	}
	return s.Store.RetryDelivery(ctx, id)
}

// CancelDelivery cancels the tenant's delivery; ErrNotFound for another's.
func (s tenantScoped) CancelDelivery(ctx context.Context, id int64) (Delivery, error) {
	if _, err := s.ownDelivery(ctx, id); err != nil {
		return Delivery{}, err
	}
	return s.Store.CancelDelivery(ctx, id)
}

// ReplayDeliveries replays the tenant's deliveries only.
func (s tenantScoped) ReplayDeliveries(ctx context.Context, f DeliveryFilter) (int, error) {
	tenant, err := scope(ctx)
	if err != nil {
		return 0, err
	}
	f.TenantID = tenant
	return s.Store.ReplayDeliveries(ctx, f)
}

// CountByStatus is refused: it counts every tenant's deliveries.
func (s tenantScoped) CountByStatus(context.Context) (map[Status]int64, error) {
	return nil, fmt.Errorf("count deliveries by status: %w", ErrNoTenantScope)
}

// CountDeliveries counts the deliveries of the tenant's endpoints named in
// r; without endpoints (every endpoint together) it is refused, and an
// endpoint of another tenant is ErrNotFound.
func (s tenantScoped) CountDeliveries(ctx context.Context, r DeliveryCountRequest) ([]DeliveryCount, error) {
	if len(r.EndpointIDs) == 0 {
		return nil, fmt.Errorf("count every endpoint's deliveries: %w", ErrNoTenantScope)
	}
	for _, id := range r.EndpointIDs {
		if _, err := s.ownEndpoint(ctx, id); err != nil {
			return nil, err
		}
	}
	return s.Store.CountDeliveries(ctx, r)
}

// RecoveryOf reports the recovery of the tenant's endpoint; ErrNotFound
// for another's.
func (s tenantScoped) RecoveryOf(ctx context.Context, id int64, window time.Duration) (Recovery, error) {
	if _, err := s.ownEndpoint(ctx, id); err != nil {
		return Recovery{}, err
	}
	return s.Store.RecoveryOf(ctx, id, window)
}

// StopRecovery stops the recovery of the tenant's endpoint; ErrNotFound
// for another's.
func (s tenantScoped) StopRecovery(ctx context.Context, id int64) (Endpoint, error) {
	if _, err := s.ownEndpoint(ctx, id); err != nil {
		return Endpoint{}, err
	}
	return s.Store.StopRecovery(ctx, id)
}
