package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/ui"
)

// TestEndpointVerificationPages: with HOOKRELAY_REQUIRE_VERIFICATION, the
// new endpoint form checks "Require verification"; an endpoint created so
// is unverified, its page says so and sends a new challenge; unchecked, or
// created elsewhere, it is verified and shows no such button.
func TestEndpointVerificationPages(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		svc := service.New(st, service.Options{AllowPrivateTargets: true, DefaultMaxRetries: 3, RequireVerification: true})
		b := newSite(t, st, testToken, func(o *ui.Options) { o.Service = svc }).signedIn()

		b.get("/ui/endpoints/new").must(t, http.StatusOK).contains(t, `name="require_verification" type="checkbox" value="1" checked`)
		p := b.post("/ui/endpoints", url.Values{"url": {"http://127.0.0.1:9/owned"}, "active": {"1"}, "require_verification": {"1"}}).must(t, http.StatusCreated)
		m := regexp.MustCompile(`/ui/endpoints/(\d+)`).FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("no endpoint link in the page:\n%s", p.body)
		}
		id := m[1]
		b.get("/ui/endpoints/"+id).must(t, http.StatusOK).contains(t, "unverified", "receives nothing but its challenge", "Send a new challenge")
		b.get("/ui/endpoints").must(t, http.StatusOK).contains(t, `<span class="badge s-pending">unverified</span>`)

		loc := b.post("/ui/endpoints/"+id+"/verify", nil).redirects(t, "/ui/endpoints/"+id)
		b.get(loc).must(t, http.StatusOK).contains(t, "New verification challenge queued")
		challenges, err := st.ListDeliveries(t.Context(), store.DeliveryFilter{EventType: store.VerificationEventType})
		if err != nil || len(challenges) != 2 || challenges[1].Status != store.StatusCancelled {
			t.Errorf("challenge deliveries %+v (%v), want the new one and the old one cancelled", challenges, err)
		}

		// Unchecked, the endpoint is trusted.
		b.get("/ui/endpoints/new").must(t, http.StatusOK)
		b.post("/ui/endpoints", url.Values{"url": {"http://127.0.0.1:9/unchecked"}, "active": {"1"}}).must(t, http.StatusCreated)
		if eps, err := st.ListEndpoints(t.Context(), store.EndpointFilter{}); err != nil || len(eps) != 2 || eps[1].Verification.Unverified {
			t.Errorf("endpoints %+v (%v), want the second one verified", eps, err)
		}

		trusted := createEndpoint(t, st)
		tid := itoa(trusted.ID)
		b.get("/ui/endpoints/"+tid).must(t, http.StatusOK).contains(t, "verified", "no challenge asked").lacks(t, "Send a new challenge")
		b.post("/ui/endpoints/"+tid+"/verify", nil).must(t, http.StatusConflict).contains(t, "already verified")
	})
}
