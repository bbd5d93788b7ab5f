package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestPortalBrowser drives the customer portal in headless Chromium: a
// tenant opens its link, creates an endpoint (its secret shown once), sees
// a failed delivery of its event and retries it once the receiver heals;
// another tenant's endpoint and delivery are 404 pages, and the link does
// not open the portal a second time.
func TestPortalBrowser(t *testing.T) {
	needChromium(t)
	st := testenv.NewPostgres(t)
	rcv := newReceiver(t)
	s := newSite(t, st, testToken)
	startWorker(t, st)
	other := createEndpoint(t, st, func(e *store.Endpoint) { e.TenantID = "globex"; e.Title = "Globex receiver" })
	otherEvent := tenantEvent(t, st, "globex")
	link := s.portalLink(`{"tenant_id":"acme","branding":{"title":"Acme Webhooks","color":"#0a7cff"}}`)
	c := newChrome(t, s.url)

	c.open(link)
	c.see("Endpoints", "No endpoints yet")
	c.lacks("Globex receiver", "Overview", "Event types")
	title, err := c.title()
	if err != nil || title != "Endpoints · Acme Webhooks" {
		t.Errorf("page title %q (%v), want the session's branding", title, err)
	}

	c.open("/portal/endpoints/new")
	c.fill(map[string]string{"#title": "Acme orders", "#url": rcv.URL + "/flaky", "#events": "order.*", "#max_retries": "0"})
	c.submit("form.form button[type=submit]")
	c.see("Endpoint created", "This is the only time the secret is shown.")
	if secret := c.value("#secret-value"); !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	es, err := st.ListEndpoints(t.Context(), store.EndpointFilter{TenantID: "acme"})
	if err != nil || len(es) != 1 || es[0].Title != "Acme orders" {
		t.Fatalf("acme endpoints %+v (%v), want the one created in the portal", es, err)
	}

	ev := tenantEvent(t, st, "acme")
	waitStatus(t, st, store.DeliveryFilter{EventID: ev.Event.ID}, store.StatusFailed)
	c.open("/portal/deliveries")
	c.see("order.paid", "HTTP 500")
	c.submit("table.cards tbody tr td a")
	c.see("Attempt 1: HTTP 500", "receiver is down", "Retry now")
	c.lacks(`/cancel"`)
	delivered := c.location()
	rcv.heal()
	c.submit(`form[action$="/retry"] button`)
	c.see("Delivery queued to be sent again now.")
	waitStatus(t, st, store.DeliveryFilter{EventID: ev.Event.ID}, store.StatusDelivered)
	c.open(strings.TrimPrefix(delivered, s.url))
	c.see("Attempt 2: HTTP 200", "delivered")

	c.open("/portal/endpoints/" + itoa(other.ID))
	c.see("404", "Endpoint "+itoa(other.ID)+" not found.", "go to your endpoints")
	c.lacks("Globex receiver", other.URL)
	c.open("/portal/deliveries/" + itoa(deliveryOf(t, st, otherEvent.Event.ID).ID))
	c.see("404")
	c.lacks("Globex receiver")

	c.open(link)
	c.see("410", "used already or has expired")
}

// title is the page's title.
func (c *chrome) title() (string, error) {
	return chromedp.Run(c.ctx, chromedp.Title())
}
