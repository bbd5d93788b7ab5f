package service_test

import (
	"testing"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// TestTenants: an endpoint's tenant is kept, validated and never changes;
// a publish routes by tenant and refuses another tenant's endpoint_ids; the
// service's own events (ping, challenge) carry their endpoint's tenant.
func TestTenants(t *testing.T) {
	eachService(t, service.Options{DefaultMaxRetries: 3}, func(t *testing.T, s *service.Service, st store.Store) {
		ctx := t.Context()
		acme := create(t, s, func(e *store.Endpoint) { e.TenantID = "acme" })
		globex := create(t, s, func(e *store.Endpoint) { e.TenantID = "globex" })
		if acme.TenantID != "acme" {
			t.Fatalf("created tenant %q, want acme", acme.TenantID)
		}
		_, err := s.CreateEndpoint(ctx, store.Endpoint{URL: target, Active: true, TenantID: "not a tenant"})
		wantFirst(t, err, service.FieldTenantID)

		// The tenant of an endpoint cannot change; giving the same one is fine.
		_, err = s.UpdateEndpoint(ctx, acme.ID, service.EndpointUpdate{TenantID: ptr("globex")})
		wantFirst(t, err, service.FieldTenantID)
		_, err = s.UpdateEndpoint(ctx, acme.ID, service.EndpointUpdate{TenantID: ptr("")})
		wantFirst(t, err, service.FieldTenantID)
		if e, err := s.UpdateEndpoint(ctx, acme.ID, service.EndpointUpdate{TenantID: ptr("acme"), Title: ptr("kept")}); err != nil || e.TenantID != "acme" || e.Title != "kept" {
			t.Errorf("update with the same tenant: %+v, %v", e, err)
		}

		res, err := s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: "invoice.paid", TenantID: "globex"}})
		if err != nil || res.Deliveries != 1 || res.Event.TenantID != "globex" {
			t.Errorf("publish in globex: %+v, %v; want one delivery", res, err)
		}
		_, err = s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: "invoice.paid", TenantID: "globex"}, EndpointIDs: []int64{acme.ID, globex.ID}})
		wantFirst(t, err, service.FieldEndpointIDs)
		_, err = s.Publish(ctx, service.PublishRequest{Event: store.Event{Type: "invoice.paid", TenantID: "bad tenant"}})
		wantFirst(t, err, service.FieldTenantID)

		d, err := s.PingEndpoint(ctx, acme.ID)
		if err != nil || d.TenantID != "acme" {
			t.Errorf("ping of a tenant's endpoint: %+v, %v; want a delivery in acme", d, err)
		}
		if ev, err := st.GetEvent(ctx, d.EventID); err != nil || ev.TenantID != "acme" {
			t.Errorf("ping event %+v, %v; want tenant acme", ev, err)
		}
		unverified := create(t, s, func(e *store.Endpoint) { e.TenantID = "acme"; e.Verification.Unverified = true })
		challenge, err := st.GetEvent(ctx, unverified.Verification.ChallengeEventID)
		if err != nil || challenge.TenantID != "acme" {
			t.Errorf("challenge event %+v, %v; want tenant acme", challenge, err)
		}
		_, err = s.ReplayDeliveries(ctx, service.ReplayFilter{TenantID: "bad tenant"})
		wantFirst(t, err, service.FieldTenantID)
	})
}
