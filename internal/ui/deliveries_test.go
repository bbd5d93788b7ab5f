package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestDeliveryPages(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		billing := createEndpoint(t, st, func(e *store.Endpoint) { e.Title = "Billing"; e.Events = []string{"invoice.*"} })
		search := createEndpoint(t, st, func(e *store.Endpoint) { e.Title = "Search"; e.Events = []string{"document.*"} })
		paid := publish(t, st, "invoice.paid")
		finishAll(t, st, 200)
		created := publish(t, st, "document.created")
		finishAll(t, st, 503)
		queued := publish(t, st, "document.updated")
		b := s.signedIn()
		failed := deliveryOf(t, st, created.Event.ID)
		waiting := deliveryOf(t, st, queued.Event.ID)

		t.Run("the log lists every delivery, newest first, with its endpoint", func(t *testing.T) {
			p := b.get("/ui/deliveries").must(t, http.StatusOK).contains(t, "Billing", "Search", "invoice.paid", paid.Event.ID, "HTTP 503", "pending",
				`<th scope="col">Attempts</th>`, `<td data-label="Attempts">1 of 4</td>`)
			if strings.Index(p.body, "document.updated") > strings.Index(p.body, "invoice.paid") {
				t.Error("the log is not newest first")
			}
		})

		t.Run("filters narrow the log", func(t *testing.T) {
			code := func(eventType string) string { return "<code>" + eventType + "</code>" }
			b.get("/ui/deliveries?status=failed").must(t, http.StatusOK).contains(t, code("document.created")).
				lacks(t, code("invoice.paid"), code("document.updated"))
			b.get("/ui/deliveries?webhook_id="+itoa(billing.ID)).contains(t, code("invoice.paid")).lacks(t, code("document.created"))
			b.get("/ui/deliveries?event_type=document.updated").contains(t, code("document.updated")).lacks(t, code("document.created"))
			b.get("/ui/deliveries?event_id="+paid.Event.ID).contains(t, code("invoice.paid")).lacks(t, code("document.created"), code("document.updated"))
			b.get("/ui/deliveries?status=delivered").lacks(t, "Replay failed")
		})

		t.Run("a bad filter says what is wrong", func(t *testing.T) {
			b.get("/ui/deliveries?status=lost").must(t, http.StatusBadRequest).contains(t, "Status:", `"lost"`)
			b.get("/ui/deliveries?event_id=nope").must(t, http.StatusBadRequest).contains(t, "Event_id:")
			b.get("/ui/deliveries?webhook_id=-1").must(t, http.StatusBadRequest)
			b.get("/ui/deliveries?cursor=x").must(t, http.StatusBadRequest)
		})

		t.Run("a delivery shows every attempt", func(t *testing.T) {
			b.get("/ui/deliveries/"+itoa(failed.ID)).must(t, http.StatusOK).
				contains(t, "Delivery #"+itoa(failed.ID), "Search", "document.created", "Attempt 1: HTTP 503", "12ms",
					"X-Event-Id", created.Event.ID, "Content-Type", "answer 503", `"n": 1`, "Retry now",
					"<dt>Attempts</dt><dd>1 of at most 4</dd>").
				lacks(t, ">Cancel<", "Retries")
			b.get("/ui/deliveries/"+itoa(waiting.ID)).contains(t, "Not attempted yet.", "Retry now", ">Cancel<", "<dt>Attempts</dt><dd>0 of at most 4</dd>")
			b.get("/ui/deliveries/999999").must(t, http.StatusNotFound)
			b.get("/ui/deliveries/x").must(t, http.StatusNotFound)
		})

		t.Run("retry makes a failed delivery due again", func(t *testing.T) {
			b.post("/ui/deliveries/"+itoa(failed.ID)+"/retry", nil).redirects(t, "/ui/deliveries/"+itoa(failed.ID)+"?notice=retried")
			if d, err := st.GetDelivery(t.Context(), failed.ID); err != nil || d.Status != store.StatusPending {
				t.Fatalf("status %s after retry (%v)", d.Status, err)
			}
			b.get("/ui/deliveries/"+itoa(failed.ID)+"?notice=retried").contains(t, "Delivery queued to be sent again now.")
		})

		t.Run("cancel stops a waiting delivery; a finished one cannot be cancelled", func(t *testing.T) {
			b.post("/ui/deliveries/"+itoa(waiting.ID)+"/cancel", nil).redirects(t, "/ui/deliveries/"+itoa(waiting.ID))
			if d, err := st.GetDelivery(t.Context(), waiting.ID); err != nil || d.Status != store.StatusCancelled {
				t.Fatalf("status %s after cancel (%v)", d.Status, err)
			}
			b.post("/ui/deliveries/"+itoa(waiting.ID)+"/cancel", nil).must(t, http.StatusConflict).contains(t, "already finished")
			delivered := deliveryOf(t, st, paid.Event.ID)
			b.post("/ui/deliveries/"+itoa(delivered.ID)+"/retry", nil).must(t, http.StatusConflict)
			b.post("/ui/deliveries/999999/retry", nil).must(t, http.StatusNotFound)
		})

		t.Run("replay sends the failed and cancelled ones of a filter again", func(t *testing.T) {
			finishAll(t, st, 500) // the retried delivery fails again
			p := b.post("/ui/deliveries/replay", url.Values{"webhook_id": {itoa(search.ID)}, "status": {"failed"}})
			loc := p.redirects(t, "/ui/deliveries?")
			q, _ := url.ParseQuery(loc[strings.Index(loc, "?")+1:])
			if q.Get("webhook_id") != itoa(search.ID) || q.Get("status") != "failed" || q.Get("n") != "2" {
				t.Fatalf("redirect %s", loc)
			}
			b.get(loc).contains(t, "2 failed or cancelled deliveries queued to be sent again.")
			b.post("/ui/deliveries/replay", url.Values{"event_id": {"nope"}}).must(t, http.StatusUnprocessableEntity)
			b.post("/ui/deliveries/replay", url.Values{"webhook_id": {"x"}}).must(t, http.StatusBadRequest)
		})
	})
}

func TestDeliveryLogPages(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		s := newSite(t, st, "")
		createEndpoint(t, st)
		for range 55 {
			publish(t, st, "page.test")
		}
		b := s.newBrowser()
		first := b.get("/ui/deliveries?event_type=page.test").must(t, http.StatusOK)
		if n := strings.Count(first.body, "<tr>") - 1; n != 50 {
			t.Fatalf("first page has %d rows", n)
		}
		next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(first.body)
		if next == nil || !strings.Contains(next[1], "event_type=page.test") {
			t.Fatalf("next link %v", next)
		}
		second := b.get(strings.ReplaceAll(next[1], "&amp;", "&")).must(t, http.StatusOK).contains(t, "Newest").lacks(t, `rel="next"`)
		if n := strings.Count(second.body, "<tr>") - 1; n != 5 {
			t.Fatalf("second page has %d rows", n)
		}
	})
}

// deliveryOf returns the one delivery of an event.
func deliveryOf(t *testing.T, st store.Store, eventID string) store.Delivery {
	t.Helper()
	ds, err := st.ListDeliveries(t.Context(), store.DeliveryFilter{EventID: eventID})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries of %s: %v, %v", eventID, ds, err)
	}
	return ds[0]
}
