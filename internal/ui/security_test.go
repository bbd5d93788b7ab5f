package ui_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/authlimit"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestConfigEndpointURLIsFixedInTheDashboard: the edit form cannot point an
// endpoint that WEBHOOK_URLS defines elsewhere (the service refuses, 409), but can
// change its other fields.
func TestConfigEndpointURLIsFixedInTheDashboard(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		const configured = "http://127.0.0.1:9/config"
		if err := st.SyncConfigEndpoints(t.Context(), []string{configured}, "config-secret-0123456789"); err != nil {
			t.Fatal(err)
		}
		all, err := st.ListEndpoints(t.Context(), store.EndpointFilter{})
		if err != nil || len(all) != 1 {
			t.Fatalf("config endpoints: %v, %v", all, err)
		}
		id := itoa(all[0].ID)
		b := newSite(t, st, testToken).signedIn()
		b.get("/ui/endpoints/"+id+"/edit").must(t, http.StatusOK).contains(t, "readonly", "the URL can only be changed there")
		form := url.Values{"title": {"moved"}, "url": {"http://127.0.0.1:9/elsewhere"}, "events": {"*"},
			"signature_profile": {store.ProfileStandard}, "active": {"1"}}
		b.post("/ui/endpoints/"+id, form).must(t, http.StatusConflict).contains(t, "WEBHOOK_URLS")
		got, err := st.GetEndpoint(t.Context(), all[0].ID)
		if err != nil || got.URL != configured || got.Title == "moved" {
			t.Fatalf("after a refused edit: %+v, %v", got, err)
		}
		form.Set("url", configured)
		b.post("/ui/endpoints/"+id, form).redirects(t, "/ui/endpoints/"+id)
	})
}

// TestOneLimiterForEveryCredential: failed API tokens and failed sign-ins
// from one client count against one budget, whichever door they knock on.
func TestOneLimiterForEveryCredential(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		s := newSite(t, newStore(t), testToken)
		for range authlimit.MaxFailures - 2 {
			if status := s.apiCallAs("wrong-token", "GET", "/v1/webhooks"); status != http.StatusUnauthorized {
				t.Fatalf("wrong API token: %d, want 401", status)
			}
		}
		b := s.newBrowser()
		b.get("/ui/login")
		for range 2 {
			b.post("/ui/login", url.Values{"token": {"nope"}}).must(t, http.StatusUnauthorized)
		}
		p := b.post("/ui/login", url.Values{"token": {testToken}}).must(t, http.StatusTooManyRequests)
		if p.header.Get("Retry-After") == "" {
			t.Error("no Retry-After on the sign-in")
		}
		if status := s.apiCallAs(testToken, "GET", "/v1/webhooks"); status != http.StatusTooManyRequests {
			t.Errorf("right API token from the throttled client: %d, want 429", status)
		}
	})
}

// TestSignOutEndsTheSession: after POST /ui/logout a copy of the session
// cookie signs no one in; a token change ends every session too.
func TestSignOutEndsTheSession(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		b := s.signedIn()
		b.get("/ui/").must(t, http.StatusOK)
		stolen := sessionCookie(t, b)

		thief := s.newBrowser()
		thief.setCookie(stolen)
		thief.get("/ui/").must(t, http.StatusOK) // the copy works while the session lives

		b.post("/ui/logout", nil).redirects(t, "/ui/login")
		thief.setCookie(stolen)
		thief.get("/ui/").redirects(t, "/ui/login")

		// A token change: the same store served with another token.
		b = s.signedIn()
		cookie := sessionCookie(t, b)
		other := newSite(t, st, "another-ui-token-0123456789").newBrowser()
		other.setCookie(cookie)
		other.get("/ui/").redirects(t, "/ui/login")
	})
}

// TestHeaderValuesAreMaskedInTheDashboard: the edit form shows header values
// masked, and saving it unchanged keeps the stored values; a new value is
// written.
func TestHeaderValuesAreMaskedInTheDashboard(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		const credential = "Bearer receiver-credential-0123456789"
		e := createEndpoint(t, st, func(e *store.Endpoint) {
			e.Headers = map[string]string{"Authorization": credential, "X-Tenant": "tenant-seven"}
		})
		id := itoa(e.ID)
		b := newSite(t, st, testToken).signedIn()
		b.get("/ui/endpoints/"+id).must(t, http.StatusOK).contains(t, "Authorization", "Bearer …6789").lacks(t, "receiver-credential", "tenant-seven")
		edit := b.get("/ui/endpoints/"+id+"/edit").must(t, http.StatusOK).lacks(t, "receiver-credential", "tenant-seven")
		m := regexp.MustCompile(`(?s)<textarea id="headers"[^>]*>(.*?)</textarea>`).FindStringSubmatch(edit.body)
		if m == nil {
			t.Fatalf("no headers input:\n%s", edit.body)
		}
		form := url.Values{"title": {e.Title}, "url": {e.URL}, "events": {"*"}, "headers": {html.UnescapeString(m[1])},
			"signature_profile": {store.ProfileStandard}, "active": {"1"}}
		b.post("/ui/endpoints/"+id, form).redirects(t, "/ui/endpoints/"+id)
		got, err := st.GetEndpoint(t.Context(), e.ID)
		if err != nil || got.Headers["Authorization"] != credential || got.Headers["X-Tenant"] != "tenant-seven" {
			t.Fatalf("after saving the masked form: %v, %v; want the stored values kept", got.Headers, err)
		}
		form.Set("headers", "Authorization: Bearer another-credential\nX-Tenant: …")
		b.post("/ui/endpoints/"+id, form).redirects(t, "/ui/endpoints/"+id)
		got, err = st.GetEndpoint(t.Context(), e.ID)
		if err != nil || got.Headers["Authorization"] != "Bearer another-credential" || got.Headers["X-Tenant"] != "tenant-seven" {
			t.Fatalf("after a new value: %v, %v", got.Headers, err)
		}
	})
}

// TestAttemptHeaderValuesAreMasked: a delivery's page shows the custom
// header values its attempts sent masked, as the API does, even for an
// attempt recorded before the sender masked them; hookrelay's own headers
// are shown as sent.
func TestAttemptHeaderValuesAreMasked(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		createEndpoint(t, st)
		res := publish(t, st, "secret.sent")
		claimed, err := st.Claim(t.Context(), store.ClaimRequest{Limit: 1, Lease: time.Minute, Worker: "test"})
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v, %v", claimed, err)
		}
		status := 200
		const credential = "Bearer receiver-credential-0123456789"
		if _, err := st.Complete(t.Context(), []store.Outcome{{Lease: claimed[0].Lease, Result: store.ResultDelivered, Attempt: store.Attempt{
			DeliveryID: claimed[0].Delivery.ID, Attempt: 1, StartedAt: time.Now(), ResponseStatus: &status,
			RequestHeaders: map[string]string{"Authorization": credential, "X-Event-Id": res.Event.ID},
		}}}, store.HealthPolicy{}); err != nil {
			t.Fatal(err)
		}
		b := newSite(t, st, testToken).signedIn()
		b.get("/ui/deliveries/"+itoa(claimed[0].Delivery.ID)).must(t, http.StatusOK).
			contains(t, "Authorization", "Bearer …6789", "X-Event-Id", res.Event.ID).lacks(t, "receiver-credential")
	})
}
