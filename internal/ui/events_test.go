package ui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/ui"
)

func TestEventPages(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		createEndpoint(t, st, func(e *store.Endpoint) { e.Title = "Docs"; e.Events = []string{"document.*"} })
		createEndpoint(t, st, func(e *store.Endpoint) { e.Title = "Audit" })
		createEndpoint(t, st, func(e *store.Endpoint) { e.Title = "Billing only"; e.Events = []string{"invoice.*"} })
		b := s.signedIn()

		t.Run("the page offers a lookup and a publish form", func(t *testing.T) {
			b.get("/ui/events").must(t, http.StatusOK).contains(t, `<label for="event-id">`, "Publish an event")
		})

		t.Run("a lookup shows the event and where it went", func(t *testing.T) {
			res := publish(t, st, "document.signed")
			b.get("/ui/events?id="+res.Event.ID).must(t, http.StatusOK).
				contains(t, res.Event.ID, "document.signed", `"n": 1`, "Docs", "Audit", "Where it went").lacks(t, "Billing only")
		})

		t.Run("an unknown or malformed ID says so", func(t *testing.T) {
			b.get("/ui/events?id="+store.NewEventID()).must(t, http.StatusNotFound).contains(t, "not found")
			b.get("/ui/events?id=nope").must(t, http.StatusBadRequest).contains(t, "is not a UUID")
		})

		t.Run("publish sends to every subscriber and shows the event", func(t *testing.T) {
			loc := b.post("/ui/events", url.Values{"type": {"document.created"}, "data": {`{"doc": "d-1"}`}}).redirects(t, "/ui/events?")
			b.get(loc).must(t, http.StatusOK).contains(t, "Event published to 2 endpoints.", "document.created", `"doc": "d-1"`, "Docs", "Audit")
			b.post("/ui/events", url.Values{"type": {"ping.empty"}, "data": {""}}).redirects(t, "/ui/events?")
		})

		t.Run("publish with an ordering key shows it on the event and its deliveries", func(t *testing.T) {
			loc := b.post("/ui/events", url.Values{"type": {"document.created"}, "ordering_key": {"doc-42"}}).redirects(t, "/ui/events?")
			b.get(loc).must(t, http.StatusOK).contains(t, "Ordering key", "<code>doc-42</code>")
			// The limit is in bytes: an HTML maxlength would count UTF-16 units.
			b.get("/ui/events").must(t, http.StatusOK).contains(t, `data-label="Ordering key"`, "<code>doc-42</code>", "at most 255 bytes").
				lacks(t, `maxlength="255"`)
			ds, err := st.ListDeliveries(t.Context(), store.DeliveryFilter{Limit: 1})
			if err != nil || len(ds) != 1 || ds[0].OrderingKey != "doc-42" {
				t.Fatalf("newest delivery %+v (%v), want one with ordering key doc-42", ds, err)
			}
			b.get(fmt.Sprintf("/ui/deliveries/%d", ds[0].ID)).must(t, http.StatusOK).contains(t, "Ordering key", "<code>doc-42</code>")
			b.post("/ui/events", url.Values{"type": {"document.created"}, "ordering_key": {strings.Repeat("k", 256)}}).
				must(t, http.StatusUnprocessableEntity).contains(t, `id="ordering_key-error"`, "ordering_key: is longer than 255 bytes")
		})

		t.Run("a bad event is refused beside its input", func(t *testing.T) {
			b.post("/ui/events", url.Values{"type": {""}}).must(t, http.StatusUnprocessableEntity).contains(t, `id="type-error"`, "type: is required")
			b.post("/ui/events", url.Values{"type": {"x"}, "data": {"{nope"}}).must(t, http.StatusUnprocessableEntity).
				contains(t, `id="data-error"`, "{nope")
		})

		t.Run("data over the payload limit is a 413", func(t *testing.T) {
			small := newSite(t, st, testToken, func(o *ui.Options) { o.MaxPayloadBytes = 64 })
			b := small.signedIn()
			b.get("/ui/events")
			data := `{"text": "` + strings.Repeat("x", 64) + `"}`
			b.post("/ui/events", url.Values{"type": {"document.created"}, "data": {data}}).
				must(t, http.StatusRequestEntityTooLarge).contains(t, "Data is larger than 64 bytes.")
			atLimit := `"` + strings.Repeat("x", 62) + `"`
			b.post("/ui/events", url.Values{"type": {"document.created"}, "data": {atLimit}}).redirects(t, "/ui/events?")
		})
	})
}
