package cli_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
)

// TestCLITenants: --tenant puts an endpoint in a tenant, publishes in a
// tenant, and filters the lists of endpoints, events and deliveries.
func TestCLITenants(t *testing.T) {
	s := newCLIServer(t)
	var acme, globex wire.Endpoint
	s.okJSON(&acme, "webhooks", "add", "--url", "http://127.0.0.1:9/acme", "--tenant", "acme")
	s.okJSON(&globex, "webhooks", "add", "--url", "http://127.0.0.1:9/globex", "--tenant", "globex")
	if acme.TenantID != "acme" || globex.TenantID != "globex" {
		t.Fatalf("tenants %q and %q, want acme and globex", acme.TenantID, globex.TenantID)
	}
	wantLines(t, "get", s.ok("webhooks", "get", fmt.Sprint(acme.ID)), "Tenant:", "acme")
	var page wire.EndpointList
	s.okJSON(&page, "webhooks", "list", "--tenant", "globex")
	if len(page.Data) != 1 || page.Data[0].ID != globex.ID {
		t.Errorf("webhooks list --tenant globex = %+v", page.Data)
	}
	wantLines(t, "list", s.ok("webhooks", "list"), "TENANT", "acme", "globex")

	var res wire.PublishResponse
	s.okJSON(&res, "events", "publish", "--type", "invoice.paid", "--tenant", "acme")
	if res.Deliveries != 1 || res.Event.TenantID != "acme" {
		t.Errorf("events publish --tenant acme = %+v, want one delivery in acme", res)
	}
	s.fails(1, "endpoint_ids", "events", "publish", "--type", "invoice.paid", "--tenant", "acme", "--webhook", fmt.Sprint(globex.ID))
	s.fails(1, "tenant_id", "events", "publish", "--type", "invoice.paid", "--tenant", "not a tenant")

	var events wire.EventList
	s.okJSON(&events, "events", "list", "--tenant", "acme")
	if len(events.Data) != 1 || events.Data[0].ID != res.EventID {
		t.Errorf("events list --tenant acme = %+v", events.Data)
	}
	s.okJSON(&events, "events", "list", "--tenant", "globex")
	if len(events.Data) != 0 {
		t.Errorf("events list --tenant globex = %+v, want none", events.Data)
	}
	var deliveries wire.DeliveryList
	s.okJSON(&deliveries, "deliveries", "list", "--tenant", "acme")
	if len(deliveries.Data) != 1 || deliveries.Data[0].EndpointID != acme.ID || deliveries.Data[0].TenantID != "acme" {
		t.Errorf("deliveries list --tenant acme = %+v", deliveries.Data)
	}
	if out := s.ok("deliveries", "list", "--tenant", "globex"); strings.Contains(out, res.EventID) {
		t.Errorf("deliveries list --tenant globex shows acme's delivery:\n%s", out)
	}
}
