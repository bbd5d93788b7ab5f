package hookrelay_test

import (
	"errors"
	"testing"

	"github.com/hookrelay/hookrelay"
)

// TestTenants: the library puts endpoints in tenants, publishes in a
// tenant to that tenant's endpoints only, refuses another tenant's
// explicit targets, and lists a tenant's endpoints.
func TestTenants(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		ctx := t.Context()
		acme, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/acme", TenantID: "acme"})
		if err != nil || acme.TenantID != "acme" {
			t.Fatalf("create in acme: %+v, %v", acme, err)
		}
		if _, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{URL: "http://127.0.0.1:9/none"}); err != nil {
			t.Fatal(err)
		}
		res, err := c.PublishNow(ctx, hookrelay.Event{Type: "invoice.paid", TenantID: "acme"})
		if err != nil || res.Deliveries != 1 {
			t.Errorf("publish in acme: %+v, %v; want one delivery", res, err)
		}
		results, err := c.PublishManyNow(ctx, []hookrelay.Event{{Type: "invoice.paid", TenantID: "globex"}, {Type: "invoice.paid"}})
		if err != nil || results[0].Deliveries != 0 || results[1].Deliveries != 1 {
			t.Errorf("publish many: %+v, %v; want none for globex, one without tenant", results, err)
		}
		if _, err := c.PublishNow(ctx, hookrelay.Event{Type: "invoice.paid", TenantID: "not a tenant"}); !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("publish in a bad tenant: %v, want ErrInvalid", err)
		}
		list, err := c.ListTenantEndpoints(ctx, "acme")
		if err != nil || len(list) != 1 || list[0].ID != acme.ID || list[0].TenantID != "acme" {
			t.Errorf("ListTenantEndpoints(acme) = %+v, %v; want only %d", list, err, acme.ID)
		}
		if _, err := c.ListTenantEndpoints(ctx, "not a tenant"); !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("ListTenantEndpoints of a bad tenant: %v, want ErrInvalid", err)
		}
	})
}
