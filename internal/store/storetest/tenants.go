package storetest

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

// inTenant puts an endpoint in tenant.
func inTenant(tenant string) func(*store.Endpoint) {
	return func(e *store.Endpoint) { e.TenantID = tenant }
}

// ofTenant publishes the event in tenant.
func ofTenant(tenant string) func(*publication) {
	return func(p *publication) { p.ev.TenantID = tenant }
}

// deliveryTargets returns the endpoint IDs of the deliveries of event
// eventID, ascending, and fails t when one does not carry tenant.
func (f *fixture) deliveryTargets(eventID, tenant string) []int64 {
	f.t.Helper()
	var ids []int64
	for _, d := range f.deliveriesOf(eventID) {
		if d.TenantID != tenant {
			f.t.Errorf("delivery %d of event %s has tenant %q, want its endpoint's %q", d.ID, eventID, d.TenantID, tenant)
		}
		ids = append(ids, d.EndpointID)
	}
	slices.Sort(ids)
	return ids
}

// wantFieldError fails t unless err wraps a *store.FieldError on field
// whose message contains each of parts.
func wantFieldError(t *testing.T, what string, err error, field string, parts ...string) {
	t.Helper()
	var fe *store.FieldError
	if !errors.As(err, &fe) || fe.Field != field {
		t.Errorf("%s: %v, want a *store.FieldError on %s", what, err, field)
		return
	}
	for _, p := range parts {
		if !strings.Contains(fe.Message, p) {
			t.Errorf("%s: message %q does not say %q", what, fe.Message, p)
		}
	}
}

var tenantTests = []test{
	{"TenantPublishReachesOnlyItsTenant", func(t *testing.T, f *fixture) {
		acme, globex, none := f.endpoint(inTenant("acme")), f.endpoint(inTenant("globex")), f.endpoint()
		if acme.TenantID != "acme" || none.TenantID != "" {
			t.Fatalf("tenants %q and %q, want acme and none", acme.TenantID, none.TenantID)
		}
		for _, c := range []struct {
			tenant string
			want   int64
		}{{"acme", acme.ID}, {"globex", globex.ID}, {"", none.ID}} {
			res := f.publish("invoice.paid", ofTenant(c.tenant))
			if res.Event.TenantID != c.tenant || res.Deliveries != 1 {
				t.Errorf("publish in %q: %+v, want one delivery and the tenant", c.tenant, res)
			}
			if got := f.deliveryTargets(res.Event.ID, c.tenant); !slices.Equal(got, []int64{c.want}) {
				t.Errorf("event of tenant %q went to %v, want only %d", c.tenant, got, c.want)
			}
			if stored, err := f.s.GetEvent(f.ctx, res.Event.ID); err != nil || stored.TenantID != c.tenant {
				t.Errorf("stored event %+v (%v), want tenant %q", stored, err, c.tenant)
			}
		}
		// An event of a tenant without endpoints goes nowhere.
		if res := f.publish("invoice.paid", ofTenant("initech")); res.Deliveries != 0 {
			t.Errorf("event of a tenant without endpoints: %d deliveries, want 0", res.Deliveries)
		}
	}},
	{"TenantPublishManyRoutesEachEvent", func(t *testing.T, f *fixture) {
		acme, globex, none := f.endpoint(inTenant("acme")), f.endpoint(inTenant("globex")), f.endpoint()
		var pubs []store.Publication
		for _, tenant := range []string{"globex", "", "acme", "globex"} {
			pubs = append(pubs, store.Publication{
				Event:   store.Event{ID: store.NewEventID(), Type: "invoice.paid", TenantID: tenant},
				Options: store.PublishOptions{MaxRetries: 3},
			})
		}
		results, err := f.s.PublishMany(f.ctx, pubs)
		if err != nil {
			t.Fatalf("publish many: %v", err)
		}
		want := []int64{globex.ID, none.ID, acme.ID, globex.ID}
		for i, r := range results {
			tenant := pubs[i].Event.TenantID
			if r.Err != nil || r.Event.TenantID != tenant {
				t.Errorf("result %d: %+v, want tenant %q", i, r, tenant)
				continue
			}
			if got := f.deliveryTargets(r.Event.ID, tenant); !slices.Equal(got, []int64{want[i]}) {
				t.Errorf("event %d of tenant %q went to %v, want only %d", i, tenant, got, want[i])
			}
		}
	}},
	{"TenantForeignEndpointIDsRefused", func(t *testing.T, f *fixture) {
		acme, globex, none := f.endpoint(inTenant("acme")), f.endpoint(inTenant("globex")), f.endpoint()
		ev := store.Event{ID: store.NewEventID(), Type: "invoice.paid", TenantID: "acme"}
		_, err := f.s.Publish(f.ctx, ev, store.PublishOptions{MaxRetries: 3, EndpointIDs: []int64{none.ID, acme.ID, globex.ID}})
		wantFieldError(t, "publish to other tenants' endpoints", err, "endpoint_ids", itoa(globex.ID), itoa(none.ID))
		if _, err := f.s.GetEvent(f.ctx, ev.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("refused event was stored (%v)", err)
		}
		if got := f.list(store.DeliveryFilter{}); len(got) != 0 {
			t.Errorf("refused publish wrote %d deliveries", len(got))
		}
		// Without tenant, an endpoint of a tenant is foreign too.
		_, err = f.s.Publish(f.ctx, store.Event{Type: "invoice.paid"}, store.PublishOptions{EndpointIDs: []int64{acme.ID}})
		wantFieldError(t, "publish without tenant to a tenant's endpoint", err, "endpoint_ids", itoa(acme.ID))

		// In a batch, the refused publication writes nothing, the others are written.
		pubs := []store.Publication{
			{Event: store.Event{ID: store.NewEventID(), Type: "invoice.paid", TenantID: "globex"}, Options: store.PublishOptions{EndpointIDs: []int64{acme.ID}}},
			{Event: store.Event{ID: store.NewEventID(), Type: "invoice.paid", TenantID: "acme"}, Options: store.PublishOptions{EndpointIDs: []int64{acme.ID}}},
		}
		results, err := f.s.PublishMany(f.ctx, pubs)
		if err != nil {
			t.Fatalf("publish many: %v", err)
		}
		wantFieldError(t, "batch publication to another tenant", results[0].Err, "endpoint_ids", itoa(acme.ID))
		if _, err := f.s.GetEvent(f.ctx, pubs[0].Event.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("refused batch event was stored (%v)", err)
		}
		if results[1].Err != nil || results[1].Deliveries != 1 {
			t.Errorf("valid batch publication: %+v, want one delivery", results[1])
		}
	}},
	{"TenantListsFilter", func(t *testing.T, f *fixture) {
		acme, globex := f.endpoint(inTenant("acme")), f.endpoint(inTenant("globex"))
		f.endpoint()
		evAcme := f.publish("invoice.paid", ofTenant("acme")).Event
		f.publish("invoice.paid", ofTenant("globex"))
		f.publish("invoice.paid")

		endpoints, err := f.s.ListEndpoints(f.ctx, store.EndpointFilter{TenantID: "acme"})
		if err != nil || len(endpoints) != 1 || endpoints[0].ID != acme.ID || endpoints[0].TenantID != "acme" {
			t.Errorf("endpoints of acme: %+v (%v), want only %d", endpoints, err, acme.ID)
		}
		if all, err := f.s.ListEndpoints(f.ctx, store.EndpointFilter{}); err != nil || len(all) != 3 {
			t.Errorf("endpoints without filter: %d (%v), want 3", len(all), err)
		}
		events, err := f.s.ListEvents(f.ctx, store.EventFilter{TenantID: "acme"})
		if err != nil || len(events) != 1 || events[0].ID != evAcme.ID || events[0].TenantID != "acme" {
			t.Errorf("events of acme: %+v (%v), want only %s", events, err, evAcme.ID)
		}
		if all, err := f.s.ListEvents(f.ctx, store.EventFilter{}); err != nil || len(all) != 3 {
			t.Errorf("events without filter: %d (%v), want 3", len(all), err)
		}
		deliveries := f.list(store.DeliveryFilter{TenantID: "globex"})
		if len(deliveries) != 1 || deliveries[0].EndpointID != globex.ID || deliveries[0].TenantID != "globex" {
			t.Errorf("deliveries of globex: %+v, want only the one to %d", deliveries, globex.ID)
		}
		if none := f.list(store.DeliveryFilter{TenantID: "initech"}); len(none) != 0 {
			t.Errorf("deliveries of a tenant without any: %d", len(none))
		}
		// Replay with a tenant filter touches only that tenant's deliveries.
		var outcomes []store.Outcome
		for _, c := range f.claim(10) {
			outcomes = append(outcomes, failed(c))
		}
		f.complete(store.HealthPolicy{}, outcomes...)
		n, err := f.s.ReplayDeliveries(f.ctx, store.DeliveryFilter{TenantID: "globex"})
		if err != nil || n != 1 {
			t.Errorf("replay of globex: %d (%v), want 1", n, err)
		}
		if d := f.delivery(deliveries[0].ID); d.Status != store.StatusPending || d.TenantID != "globex" {
			t.Errorf("replayed delivery %+v, want pending in globex", d)
		}
	}},
	{"TenantKeptByEditsRetriesAndClaims", func(t *testing.T, f *fixture) {
		ep := f.endpoint(inTenant("acme"))
		title := "renamed"
		updated, err := f.s.UpdateEndpoint(f.ctx, ep.ID, store.EndpointPatch{Title: &title, Activation: &store.Activation{Active: true}})
		if err != nil || updated.TenantID != "acme" {
			t.Fatalf("update: %+v (%v), want the tenant kept", updated, err)
		}
		res := f.publish("invoice.paid", ofTenant("acme"))
		c := f.claimOne()
		if c.Event.TenantID != "acme" || c.Delivery.TenantID != "acme" || c.Endpoint.TenantID != "acme" {
			t.Errorf("claimed %+v / %+v / %+v, want tenant acme on event, delivery and endpoint", c.Event, c.Delivery, c.Endpoint)
		}
		f.complete(store.HealthPolicy{}, failed(c))
		d, err := f.s.RetryDelivery(f.ctx, c.Delivery.ID)
		if err != nil || d.TenantID != "acme" {
			t.Errorf("retried %+v (%v), want tenant acme", d, err)
		}
		if got := f.deliveryTargets(res.Event.ID, "acme"); !slices.Equal(got, []int64{ep.ID}) {
			t.Errorf("deliveries of the event: %v", got)
		}
	}},
	{"TenantIDValidated", func(t *testing.T, f *fixture) {
		for _, bad := range []string{"has space", "ünïcode", "slash/", strings.Repeat("a", store.MaxTenantIDLength+1)} {
			_, err := f.s.CreateEndpoint(f.ctx, store.Endpoint{URL: "https://bad.example/hook", Secret: "secret-0123456789abcdef", Active: true, TenantID: bad})
			wantFieldError(t, "endpoint in tenant "+bad, err, "tenant_id")
			_, err = f.s.Publish(f.ctx, store.Event{Type: "invoice.paid", TenantID: bad}, store.PublishOptions{})
			wantFieldError(t, "event in tenant "+bad, err, "tenant_id")
		}
		if list, err := f.s.ListEndpoints(f.ctx, store.EndpointFilter{}); err != nil || len(list) != 0 {
			t.Errorf("refused endpoints were stored: %d (%v)", len(list), err)
		}
		good := "Org_1.eu-west:prod-" + strings.Repeat("x", store.MaxTenantIDLength-19)
		if ep := f.endpoint(inTenant(good)); ep.TenantID != good {
			t.Errorf("tenant %q stored as %q", good, ep.TenantID)
		}
	}},
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
