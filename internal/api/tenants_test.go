package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestTenants(t *testing.T) {
	testenv.EachStoreParallel(t, map[string]func(*testing.T, store.Store){
		"Isolation":       testTenantIsolation,
		"ImmutableTenant": testTenantImmutable,
		"Validation":      testTenantValidation,
	})
}

// tenantEndpoint creates an endpoint of tenant through the API.
func (s *apiServer) tenantEndpoint(tenant string) wire.Endpoint {
	s.t.Helper()
	var ep wire.Endpoint
	s.call("POST", "/v1/webhooks", wire.EndpointCreate{URL: "http://127.0.0.1:9/" + tenant, TenantID: tenant}, http.StatusCreated, &ep)
	if ep.TenantID != tenant {
		s.t.Fatalf("created endpoint has tenant %q, want %q", ep.TenantID, tenant)
	}
	return ep
}

// testTenantIsolation: two tenants; each route that lists filters by
// tenant_id, a tenant's events reach only its endpoints, and explicit
// targets of another tenant are refused with nothing written.
func testTenantIsolation(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	acme, globex := s.tenantEndpoint("acme"), s.tenantEndpoint("globex")
	none := s.createEndpoint("http://127.0.0.1:9/none")
	if none.TenantID != "" {
		t.Errorf("endpoint without tenant shows %q", none.TenantID)
	}
	var got wire.Endpoint
	s.call("GET", fmt.Sprintf("/v1/webhooks/%d", acme.ID), nil, http.StatusOK, &got)
	if got.TenantID != "acme" {
		t.Errorf("GET shows tenant %q, want acme", got.TenantID)
	}
	var list wire.EndpointList
	s.call("GET", "/v1/webhooks?tenant_id=acme", nil, http.StatusOK, &list)
	if len(list.Data) != 1 || list.Data[0].ID != acme.ID {
		t.Errorf("webhooks of acme: %+v, want only %d", list.Data, acme.ID)
	}

	var res wire.PublishResponse
	s.call("POST", "/v1/events", wire.PublishRequest{Type: "invoice.paid", TenantID: "acme"}, http.StatusAccepted, &res)
	if res.Deliveries != 1 || res.Event.TenantID != "acme" {
		t.Errorf("publish in acme: %+v, want one delivery in acme", res)
	}
	var detail wire.EventDetail
	s.call("GET", "/v1/events/"+res.EventID, nil, http.StatusOK, &detail)
	if detail.Event.TenantID != "acme" || len(detail.Deliveries) != 1 ||
		detail.Deliveries[0].EndpointID != acme.ID || detail.Deliveries[0].TenantID != "acme" {
		t.Errorf("event detail %+v, want its one delivery to %d in acme", detail, acme.ID)
	}
	s.publish("invoice.paid") // no tenant: to none only
	var batch wire.PublishBatchResponse
	s.call("POST", "/v1/events/batch", wire.PublishBatchRequest{Events: []wire.PublishRequest{
		{Type: "invoice.paid", TenantID: "globex"},
		{Type: "invoice.paid", TenantID: "globex", EndpointIDs: []int64{acme.ID}},
	}}, http.StatusOK, &batch)
	if r := batch.Results[0]; r.Status != http.StatusAccepted || r.Deliveries != 1 {
		t.Errorf("batch event of globex: %+v, want one delivery", r)
	}
	if r := batch.Results[1]; r.Status != http.StatusUnprocessableEntity || r.Error == nil ||
		r.Error.Field != "endpoint_ids" || !strings.Contains(r.Error.Message, fmt.Sprint(acme.ID)) {
		t.Errorf("batch event of globex to acme's endpoint: %+v, want 422 on endpoint_ids naming %d", r, acme.ID)
	}

	for tenant, want := range map[string]int64{"acme": acme.ID, "globex": globex.ID} {
		var events wire.EventList
		s.call("GET", "/v1/events?tenant_id="+tenant, nil, http.StatusOK, &events)
		if len(events.Data) != 1 || events.Data[0].TenantID != tenant {
			t.Errorf("events of %s: %+v, want one", tenant, events.Data)
		}
		var deliveries wire.DeliveryList
		s.call("GET", "/v1/deliveries?tenant_id="+tenant, nil, http.StatusOK, &deliveries)
		if len(deliveries.Data) != 1 || deliveries.Data[0].EndpointID != want || deliveries.Data[0].TenantID != tenant {
			t.Errorf("deliveries of %s: %+v, want one to %d", tenant, deliveries.Data, want)
		}
	}
	var all wire.DeliveryList
	s.call("GET", "/v1/deliveries", nil, http.StatusOK, &all)
	if len(all.Data) != 3 {
		t.Errorf("deliveries without filter: %d, want 3 (the operator sees every tenant)", len(all.Data))
	}

	// An explicit target of another tenant: 422 naming it, nothing written.
	e := s.wantError("POST", "/v1/events", wire.PublishRequest{
		ID: store.NewEventID(), Type: "invoice.paid", TenantID: "globex", EndpointIDs: []int64{globex.ID, acme.ID, none.ID},
	}, http.StatusUnprocessableEntity, "validation_failed")
	if e.Field != "endpoint_ids" || !strings.Contains(e.Message, fmt.Sprint(acme.ID)) || !strings.Contains(e.Message, fmt.Sprint(none.ID)) {
		t.Errorf("error %+v, want endpoint_ids naming %d and %d", e, acme.ID, none.ID)
	}
	if n := len(listDeliveries(t, st, store.DeliveryFilter{})); n != 3 {
		t.Errorf("%d deliveries after the refused publish, want 3 (nothing written)", n)
	}

	// Retry and replay keep the tenant.
	finish(t, st, store.ResultFailed)
	var replay wire.ReplayResponse
	s.call("POST", "/v1/deliveries/replay", wire.ReplayRequest{TenantID: "globex"}, http.StatusOK, &replay)
	if replay.Replayed != 1 {
		t.Errorf("replay of globex: %d, want 1", replay.Replayed)
	}
	var pending wire.DeliveryList
	s.call("GET", "/v1/deliveries?status=pending&tenant_id=globex", nil, http.StatusOK, &pending)
	if len(pending.Data) != 1 || pending.Data[0].TenantID != "globex" {
		t.Errorf("replayed deliveries of globex: %+v", pending.Data)
	}
}

// testTenantImmutable: PATCH with another tenant is refused with 422 on
// tenant_id; the same tenant, or none given, is fine.
func testTenantImmutable(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	acme := s.tenantEndpoint("acme")
	path := fmt.Sprintf("/v1/webhooks/%d", acme.ID)
	for _, other := range []string{"globex", ""} {
		e := s.wantError("PATCH", path, map[string]any{"tenant_id": other}, http.StatusUnprocessableEntity, "validation_failed")
		if e.Field != "tenant_id" || !strings.Contains(e.Message, "cannot change") {
			t.Errorf("PATCH tenant %q: %+v, want 422 on tenant_id saying it cannot change", other, e)
		}
	}
	// A refused edit writes none of its fields.
	s.wantError("PATCH", path, map[string]any{"tenant_id": "globex", "title": "moved"}, http.StatusUnprocessableEntity, "validation_failed")
	if e := getEndpoint(t, st, acme.ID); e.TenantID != "acme" || e.Title == "moved" {
		t.Errorf("after a refused PATCH: %+v, want it unchanged", e)
	}
	var saved wire.Endpoint
	s.call("PATCH", path, map[string]any{"tenant_id": "acme", "title": "same"}, http.StatusOK, &saved)
	if saved.TenantID != "acme" || saved.Title != "same" {
		t.Errorf("PATCH with the same tenant: %+v", saved)
	}
	s.call("PATCH", path, map[string]any{"title": "no tenant given"}, http.StatusOK, &saved)
	if saved.TenantID != "acme" {
		t.Errorf("PATCH without tenant_id changed it to %q", saved.TenantID)
	}
}

// testTenantValidation: a bad tenant ID is a 422 on create and publish, a
// 400 in a list filter.
func testTenantValidation(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	bad := strings.Repeat("x", store.MaxTenantIDLength+1)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/webhooks", wire.EndpointCreate{URL: "http://127.0.0.1:9/x", TenantID: "a b"}},
		{"POST", "/v1/events", wire.PublishRequest{Type: "invoice.paid", TenantID: bad}},
	} {
		if e := s.wantError(c.method, c.path, c.body, http.StatusUnprocessableEntity, "validation_failed"); e.Field != "tenant_id" {
			t.Errorf("%s %s: field %q, want tenant_id", c.method, c.path, e.Field)
		}
	}
	for _, path := range []string{"/v1/webhooks", "/v1/events", "/v1/deliveries"} {
		if e := s.wantError("GET", path+"?tenant_id=a%20b", nil, http.StatusBadRequest, "bad_request"); e.Field != "tenant_id" {
			t.Errorf("GET %s with a bad tenant: field %q, want tenant_id", path, e.Field)
		}
	}
}
