package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

func TestOverview(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		b := s.signedIn()

		b.get("/ui/").must(t, http.StatusOK).contains(t, "0 deliveries waiting", "No endpoint failed in the last 24 hours.")

		createEndpoint(t, st, func(e *store.Endpoint) { e.Title = "Healthy"; e.Events = []string{"ok.*"} })
		createEndpoint(t, st, func(e *store.Endpoint) { e.Title = "Flaky"; e.Events = []string{"bad.*"} })
		createEndpoint(t, st, func(e *store.Endpoint) {
			e.Title, e.Active, e.DisabledReason = "Switched off", false, "endpoint answered 410 Gone"
		})
		publish(t, st, "ok.one")
		finishAll(t, st, 200)
		publish(t, st, "bad.one")
		publish(t, st, "bad.two")
		finishAll(t, st, 500)
		publish(t, st, "ok.two")

		p := b.get("/ui/").must(t, http.StatusOK).
			contains(t, "1 delivery waiting", "1 delivered, 2 failed, 1 pending or cancelled", "Flaky", "Switched off", "endpoint answered 410 Gone").
			lacks(t, "Healthy")
		if strings.Index(p.body, "Flaky") > strings.Index(p.body, "Switched off") {
			t.Error("the endpoint with the most failures is not first")
		}
		for _, tile := range []string{`<span class="count">1</span> <span class="badge s-pending">`, `<span class="count">2</span> <span class="badge s-failed">`} {
			if !strings.Contains(p.body, tile) {
				t.Errorf("no tile %s", tile)
			}
		}
	})
}
