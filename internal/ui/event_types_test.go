package ui_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

const amountSchema = `{"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number", "minimum": 0}}}`

func TestEventTypePages(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		b := s.signedIn()
		b.get("/ui/event-types").must(t, http.StatusOK).contains(t, "No event types yet")
		b.get("/ui/event-types").must(t, http.StatusOK).contains(t, `href="/ui/new-event-type"`)
		b.get("/ui/new-event-type").must(t, http.StatusOK).contains(t, "New event type")
		// A type may be named "new": its page is its own.
		b.post("/ui/event-types", url.Values{"name": {"new"}, "description": {"The new one."}}).redirects(t, "/ui/event-types?notice=event-type-created")
		b.get("/ui/event-types/new").must(t, http.StatusOK).contains(t, "Edit new", "The new one.")
		if err := st.DeleteEventType(t.Context(), "new"); err != nil {
			t.Fatal(err)
		}
		b.post("/ui/event-types", url.Values{
			"name": {"invoice.paid"}, "description": {"An invoice was paid."}, "schema": {amountSchema}, "example": {`{"amount": 3}`},
		}).redirects(t, "/ui/event-types?notice=event-type-created")
		stored, err := st.GetEventType(t.Context(), "invoice.paid")
		if err != nil || string(stored.Schema) != amountSchema || string(stored.Example) != `{"amount": 3}` {
			t.Fatalf("stored %+v (%v), want the schema and example as typed", stored, err)
		}
		b.get("/ui/event-types").must(t, http.StatusOK).contains(t, "invoice.paid", "An invoice was paid.")

		// Errors land on their inputs, what was typed is kept.
		p := b.post("/ui/event-types", url.Values{
			"name": {"bad*"}, "schema": {`{"properties": {"amount": {"minimum": "zero"}}}`}, "example": {"{"},
		}).must(t, http.StatusUnprocessableEntity)
		if got := fieldError(t, p, "name"); !strings.Contains(got, "'*'") {
			t.Errorf("name error %q", got)
		}
		if got := fieldError(t, p, "schema"); !strings.Contains(got, "schema: /properties/amount/minimum: type:") {
			t.Errorf("schema error %q, want the location and keyword", got)
		}
		if got := fieldError(t, p, "example"); !strings.Contains(got, "not valid JSON") {
			t.Errorf("example error %q", got)
		}
		p.contains(t, `"minimum": "zero"`)
		p = b.post("/ui/event-types", url.Values{"name": {"invoice.paid"}}).must(t, http.StatusConflict)
		if got := fieldError(t, p, "name"); !strings.Contains(got, "catalogued already") {
			t.Errorf("duplicate name error %q", got)
		}

		// Edit: a new schema must accept the example kept.
		b.get("/ui/event-types/invoice.paid").must(t, http.StatusOK).contains(t, "An invoice was paid.", `"minimum": 0`)
		p = b.post("/ui/event-types/invoice.paid", url.Values{
			"description": {"Paid."}, "schema": {`{"properties": {"amount": {"minimum": 5}}}`}, "example": {`{"amount": 3}`},
		}).must(t, http.StatusUnprocessableEntity)
		if got := fieldError(t, p, "example"); !strings.Contains(got, "/amount: minimum:") {
			t.Errorf("example error %q", got)
		}
		b.post("/ui/event-types/invoice.paid", url.Values{
			"description": {"Paid."}, "schema": {amountSchema}, "example": {""}, "deprecated": {"1"},
		}).redirects(t, "/ui/event-types?notice=event-type-saved")
		stored, _ = st.GetEventType(t.Context(), "invoice.paid")
		if stored.Description != "Paid." || stored.Example != nil || !stored.Deprecated {
			t.Errorf("after edit %+v, want the new description, no example, deprecated", stored)
		}
		b.get("/ui/event-types").contains(t, "deprecated")

		// A name with a slash has its own page.
		b.post("/ui/event-types", url.Values{"name": {"a/b.c"}}).redirects(t, "/ui/event-types?")
		b.get("/ui/event-types/"+url.PathEscape("a/b.c")).must(t, http.StatusOK).contains(t, `value="a/b.c"`)
		b.post("/ui/event-types/"+url.PathEscape("a/b.c")+"/delete", nil).redirects(t, "/ui/event-types?notice=event-type-deleted")
		if _, err := st.GetEventType(t.Context(), "a/b.c"); err == nil {
			t.Error("a/b.c is still catalogued after its delete")
		}
		b.get("/ui/event-types/nope").must(t, http.StatusNotFound)
	})
}

// TestEndpointFormOffersTheCatalog: the endpoint form lists the catalogued
// types as checkboxes (deprecated ones marked), a checked one joins the
// events typed, and editing shows it checked, out of the text.
func TestEndpointFormOffersTheCatalog(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		ctx := t.Context()
		for _, et := range []store.EventType{{Name: "invoice.paid", Description: "Paid."}, {Name: "invoice.voided", Deprecated: true}} {
			if _, err := st.CreateEventType(ctx, et); err != nil {
				t.Fatal(err)
			}
		}
		b := s.signedIn()
		b.get("/ui/endpoints/new").must(t, http.StatusOK).contains(t,
			`name="event_type" type="checkbox" value="invoice.paid"`, "Paid.", "deprecated")
		b.post("/ui/endpoints", url.Values{
			"url": {"http://127.0.0.1:9/hook"}, "events": {"document.*"}, "event_type": {"invoice.paid"},
			"signature_profile": {store.ProfileStandard}, "active": {"1"},
		}).must(t, http.StatusCreated)
		eps, err := st.ListEndpoints(ctx, store.EndpointFilter{})
		if err != nil || len(eps) != 1 || !slices.Equal(eps[0].Events, []string{"document.*", "invoice.paid"}) {
			t.Fatalf("endpoints %+v (%v), want events document.* and invoice.paid", eps, err)
		}
		p := b.get("/ui/endpoints/"+itoa(eps[0].ID)+"/edit").must(t, http.StatusOK)
		p.contains(t, `value="invoice.paid" checked`, `name="events" value="document.*"`)
		// An error keeps the boxes as checked.
		p = b.post("/ui/endpoints/"+itoa(eps[0].ID), url.Values{
			"url": {"ftp://x"}, "events": {""}, "event_type": {"invoice.voided"}, "signature_profile": {store.ProfileStandard},
		}).must(t, http.StatusUnprocessableEntity)
		p.contains(t, `value="invoice.voided" checked`).lacks(t, `value="invoice.paid" checked`)
	})
}

// TestDashboardTestSendChecksTheSchema: the events page's test send is
// refused with the pointer and keyword beside the data input.
func TestDashboardTestSendChecksTheSchema(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		if _, err := st.CreateEventType(t.Context(), store.EventType{Name: "invoice.paid", Schema: json.RawMessage(amountSchema)}); err != nil {
			t.Fatal(err)
		}
		b := s.signedIn()
		b.get("/ui/events").must(t, http.StatusOK).contains(t, `list="catalog-types"`, `<option value="invoice.paid">`)
		p := b.post("/ui/events", url.Values{"type": {"invoice.paid"}, "data": {`{"amount": -2}`}}).must(t, http.StatusUnprocessableEntity)
		if got := fieldError(t, p, "data"); got != "data: /amount: minimum: got -2, want 0" {
			t.Errorf("data error %q, want the pointer and the keyword", got)
		}
	})
}
