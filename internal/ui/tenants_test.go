package ui_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

// TestTenants: the endpoint form takes a tenant on create and shows it
// read-only on edit; endpoint, event and delivery pages show the tenant;
// the lists of endpoints, events and deliveries filter by it.
func TestTenants(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		b := s.signedIn()
		b.get("/ui/endpoints/new").must(t, http.StatusOK).contains(t, `<label for="tenant_id">Tenant</label>`, `name="tenant_id"`)
		b.post("/ui/endpoints", url.Values{
			"url": {"http://127.0.0.1:9/bad"}, "signature_profile": {store.ProfileStandard}, "active": {"1"}, "tenant_id": {"not a tenant"},
		}).must(t, http.StatusUnprocessableEntity).contains(t, `id="tenant_id-error"`, "tenant_id:")
		b.post("/ui/endpoints", url.Values{
			"title": {"Acme hook"}, "url": {"http://127.0.0.1:9/acme"}, "signature_profile": {store.ProfileStandard}, "active": {"1"}, "tenant_id": {"acme"},
		}).must(t, http.StatusCreated)
		all, err := st.ListEndpoints(t.Context(), store.EndpointFilter{TenantID: "acme"})
		if err != nil || len(all) != 1 {
			t.Fatalf("endpoints of acme after the form: %d (%v), want 1", len(all), err)
		}
		acme := all[0]
		globex := createEndpoint(t, st, func(e *store.Endpoint) { e.TenantID = "globex"; e.Title = "Globex hook" })

		b.get("/ui/endpoints/"+itoa(acme.ID)).must(t, http.StatusOK).contains(t, "<dt>Tenant</dt>", "<code>acme</code>")
		edit := b.get("/ui/endpoints/"+itoa(acme.ID)+"/edit").must(t, http.StatusOK)
		if !regexp.MustCompile(`<input id="tenant_id" value="acme" readonly`).MatchString(edit.body) {
			t.Errorf("edit form does not show the tenant read-only:\n%s", edit.body)
		}
		b.get("/ui/endpoints?tenant_id=acme").must(t, http.StatusOK).contains(t, "Acme hook").lacks(t, "Globex hook")
		b.get("/ui/endpoints?tenant_id=initech").must(t, http.StatusOK).contains(t, "No endpoints in this tenant.").lacks(t, "Acme hook")
		b.get("/ui/endpoints?tenant_id=a%20b").must(t, http.StatusBadRequest).contains(t, "Tenant: ").lacks(t, "No endpoints in this tenant.")

		res, err := st.Publish(t.Context(), store.Event{Type: "invoice.paid", Data: json.RawMessage(`{}`), TenantID: "globex"}, store.PublishOptions{MaxRetries: 3})
		if err != nil || res.Deliveries != 1 {
			t.Fatalf("publish in globex: %+v, %v", res, err)
		}
		other := publish(t, st, "document.created") // no tenant: no endpoint here
		b.get("/ui/events?tenant_id=globex").must(t, http.StatusOK).contains(t, res.Event.ID, "<code>globex</code>").lacks(t, other.Event.ID)
		b.get("/ui/events?id="+res.Event.ID).must(t, http.StatusOK).contains(t, "<dt>Tenant</dt>", "<code>globex</code>")
		b.get("/ui/events?tenant_id=a%20b").must(t, http.StatusBadRequest)

		ds, err := st.ListDeliveries(t.Context(), store.DeliveryFilter{EndpointID: globex.ID})
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries of globex's endpoint: %d (%v)", len(ds), err)
		}
		b.get("/ui/deliveries?tenant_id=globex").must(t, http.StatusOK).contains(t, "#"+itoa(ds[0].ID))
		b.get("/ui/deliveries?tenant_id=acme").must(t, http.StatusOK).lacks(t, "#"+itoa(ds[0].ID))
		b.get("/ui/deliveries/"+itoa(ds[0].ID)).must(t, http.StatusOK).contains(t, "<dt>Tenant</dt>", "<code>globex</code>")
	})
}
