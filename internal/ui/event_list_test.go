package ui_test

import (
	"html"
	"net/http"
	"regexp"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

func TestEventList(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		b := s.signedIn()

		b.get("/ui/events").must(t, http.StatusOK).contains(t, "Recent events", "No events.")

		first := publish(t, st, "signature.created")
		for range 49 {
			publish(t, st, "document.created")
		}
		last := publish(t, st, "invoice.paid") // 51 events: one more than a page

		t.Run("newest first, beside the lookup, linking to each event", func(t *testing.T) {
			b.get("/ui/events").must(t, http.StatusOK).
				contains(t, `<label for="event-id">`, "Recent events", "invoice.paid", `href="/ui/events?id=`+last.Event.ID+`"`, `rel="next"`).
				lacks(t, first.Event.ID, ">Newest<")
		})

		t.Run("the next page holds the oldest and links back", func(t *testing.T) {
			page := b.get("/ui/events").must(t, http.StatusOK)
			m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(page.body)
			if m == nil {
				t.Fatalf("no next link in:\n%s", page.body)
			}
			b.get(html.UnescapeString(m[1])).must(t, http.StatusOK).
				contains(t, first.Event.ID, "signature.created", ">Newest<").lacks(t, last.Event.ID, `rel="next"`)
		})

		t.Run("filters by type and time range", func(t *testing.T) {
			b.get("/ui/events?type=invoice.paid&range=1h").must(t, http.StatusOK).
				contains(t, last.Event.ID, `<option value="1h" selected>`).lacks(t, first.Event.ID, "document.created</code>", `rel="next"`)
			b.get("/ui/events?type=nope&range=24h").must(t, http.StatusOK).contains(t, "No events match this filter.")
		})

		t.Run("a bad filter or cursor says so", func(t *testing.T) {
			b.get("/ui/events?range=forever").must(t, http.StatusBadRequest).contains(t, `Range "forever" is not one of the choices.`)
			b.get("/ui/events?cursor=nope").must(t, http.StatusBadRequest).contains(t, "is not a cursor of this list")
		})

		t.Run("a lookup shows the event, not the list", func(t *testing.T) {
			b.get("/ui/events?id="+first.Event.ID).must(t, http.StatusOK).contains(t, "Where it went").lacks(t, "Recent events")
		})
	})
}
