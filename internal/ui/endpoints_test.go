package ui_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestEndpointPages(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		b := s.signedIn()

		t.Run("an empty list invites to create one", func(t *testing.T) {
			b.get("/ui/endpoints").must(t, http.StatusOK).contains(t, "No endpoints yet.")
		})

		var id string
		t.Run("create shows the secret once, then masked", func(t *testing.T) {
			b.get("/ui/endpoints/new").must(t, http.StatusOK).contains(t, `<label for="url">`)
			p := b.post("/ui/endpoints", url.Values{
				"title": {"Billing"}, "url": {"http://127.0.0.1:9/billing"}, "events": {"invoice.*, document.created"},
				"headers": {"X-Tenant: acme\n\nX-Env: test"}, "description": {"the billing service"},
				"max_retries": {"4"}, "rate_limit_per_second": {"5"}, "signature_profile": {store.ProfileAckify}, "active": {"1"},
			}).must(t, http.StatusCreated).contains(t, "Endpoint created", "This is the only time the secret is shown.")
			if p.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", p.header.Get("Cache-Control"))
			}
			m := regexp.MustCompile(`value="(whsec_[^"]+)"`).FindStringSubmatch(p.body)
			if m == nil {
				t.Fatalf("no secret in the page:\n%s", p.body)
			}
			secret := html.UnescapeString(m[1])
			id = regexp.MustCompile(`/ui/endpoints/(\d+)`).FindStringSubmatch(p.body)[1]
			show := b.get("/ui/endpoints/"+id).must(t, http.StatusOK).
				contains(t, "Billing", "http://127.0.0.1:9/billing", "invoice.*", "document.created", "X-Tenant", "ackify", "the billing service", "5 per second").
				lacks(t, secret, "acme")
			show.contains(t, "whsec_…"+secret[len(secret)-4:])
			b.get("/ui/endpoints").must(t, http.StatusOK).contains(t, "Billing", "active", "no finished deliveries").lacks(t, secret)
		})

		t.Run("the service's rules refuse a bad endpoint, and the form keeps what was typed", func(t *testing.T) {
			cases := []struct {
				form  url.Values
				input string
				msg   string
			}{
				{url.Values{"url": {""}}, "url", "url: is required"},
				{url.Values{"url": {"ftp://127.0.0.1/x"}}, "url", "url:"},
				{url.Values{"url": {"http://127.0.0.1:9/x"}, "events": {"ok.type, bad*"}}, "events", "events[1]"},
				{url.Values{"url": {"http://127.0.0.1:9/x"}, "headers": {"X-Signature: mine"}}, "headers", "headers.X-Signature"},
				{url.Values{"url": {"http://127.0.0.1:9/x"}, "headers": {"no colon here"}}, "headers", "headers: line 1"},
				{url.Values{"url": {"http://127.0.0.1:9/x"}, "max_retries": {"many"}}, "max_retries", "must be a whole number"},
				{url.Values{"url": {"http://127.0.0.1:9/x"}, "max_retries": {"99"}}, "max_retries", "max_retries:"},
				{url.Values{"url": {"http://127.0.0.1:9/x"}, "rate_limit_per_second": {"fast"}}, "rate_limit_per_second", "must be a whole number"},
				{url.Values{"url": {"http://127.0.0.1:9/x"}, "rate_limit_per_second": {"-2"}}, "rate_limit_per_second", "rate_limit_per_second:"},
				{url.Values{"url": {"http://127.0.0.1:9/x"}, "rate_limit_per_second": {"10001"}}, "rate_limit_per_second", "rate_limit_per_second:"},
				{url.Values{"url": {"http://127.0.0.1:9/x"}, "signature_profile": {"weird"}}, "signature_profile", "signature_profile:"},
				{url.Values{"url": {"http://127.0.0.1:9/x"}, "secret": {"short"}}, "secret", "secret:"},
			}
			for _, c := range cases {
				c.form.Set("title", "Kept title")
				if !c.form.Has("signature_profile") {
					c.form.Set("signature_profile", store.ProfileStandard)
				}
				p := b.post("/ui/endpoints", c.form).must(t, http.StatusUnprocessableEntity).contains(t, c.msg, `value="Kept title"`)
				if !strings.Contains(p.body, `id="`+c.input+`-error"`) {
					t.Errorf("%v: no error beside %s", c.form, c.input)
				}
				if c.input == "secret" && strings.Contains(p.body, "short") {
					t.Error("a typed secret was sent back in the page")
				}
			}
		})

		t.Run("edit saves through the service", func(t *testing.T) {
			b.get("/ui/endpoints/"+id+"/edit").must(t, http.StatusOK).contains(t, `value="Billing"`, "X-Env: …\nX-Tenant: …", `value="4"`, `value="5"`)
			form := url.Values{"title": {"Billing v2"}, "url": {"http://127.0.0.1:9/v2"}, "events": {"*"},
				"headers": {""}, "max_retries": {"2"}, "signature_profile": {store.ProfileStandard}}
			b.post("/ui/endpoints/"+id, form).redirects(t, "/ui/endpoints/"+id+"?notice=updated")
			b.get("/ui/endpoints/"+id+"?notice=updated").must(t, http.StatusOK).contains(t, "Endpoint saved.", "Billing v2", "http://127.0.0.1:9/v2", "unlimited").lacks(t, "X-Tenant", "5 per second")

			form.Set("max_retries", "")
			b.post("/ui/endpoints/"+id, form).must(t, http.StatusUnprocessableEntity).contains(t, "cannot be cleared")
			form.Set("max_retries", "2")
			form.Set("url", "not a url")
			b.post("/ui/endpoints/"+id, form).must(t, http.StatusUnprocessableEntity).contains(t, `id="url-error"`)
		})

		t.Run("disable with a reason, then enable", func(t *testing.T) {
			b.post("/ui/endpoints/"+id+"/disable", url.Values{"reason": {"receiver down for maintenance"}}).redirects(t, "/ui/endpoints/"+id)
			b.get("/ui/endpoints/"+id).must(t, http.StatusOK).contains(t, "disabled", "receiver down for maintenance", "Enable").lacks(t, "Send test event")
			b.get("/ui/endpoints").contains(t, "receiver down for maintenance")
			b.post("/ui/endpoints/"+id+"/ping", nil).must(t, http.StatusConflict).contains(t, "is disabled")
			b.post("/ui/endpoints/"+id+"/enable", nil).redirects(t, "/ui/endpoints/"+id+"?notice=enabled")
			b.get("/ui/endpoints/"+id).contains(t, "active", "Send test event")
		})

		t.Run("rotate shows the new secret once", func(t *testing.T) {
			before, err := st.GetEndpoint(t.Context(), mustID(t, id))
			if err != nil {
				t.Fatal(err)
			}
			p := b.post("/ui/endpoints/"+id+"/rotate-secret", nil).must(t, http.StatusOK).contains(t, "Secret rotated", "The previous secret also signs requests until")
			after, err := st.GetEndpoint(t.Context(), mustID(t, id))
			if err != nil {
				t.Fatal(err)
			}
			if after.Secret == before.Secret || after.PreviousSecret != before.Secret {
				t.Fatal("the secret did not rotate")
			}
			p.contains(t, after.Secret).lacks(t, before.Secret)
			b.get("/ui/endpoints/"+id).lacks(t, after.Secret)
		})

		t.Run("send test event queues a ping and shows its delivery", func(t *testing.T) {
			loc := b.post("/ui/endpoints/"+id+"/ping", nil).redirects(t, "/ui/deliveries/")
			b.get(loc).must(t, http.StatusOK).contains(t, "Test event queued", "webhook.ping", "pending", "Not attempted yet.")
		})

		t.Run("delete asks first, then deletes", func(t *testing.T) {
			b.get("/ui/endpoints/"+id+"/delete").must(t, http.StatusOK).contains(t, "Delete Billing v2?", "all its deliveries")
			b.post("/ui/endpoints/"+id+"/delete", nil).redirects(t, "/ui/endpoints?notice=deleted")
			b.get("/ui/endpoints?notice=deleted").contains(t, "Endpoint deleted.")
			b.get("/ui/endpoints/"+id).must(t, http.StatusNotFound).contains(t, "not found")
		})

		t.Run("missing and malformed IDs are 404s", func(t *testing.T) {
			for _, path := range []string{"/ui/endpoints/999999", "/ui/endpoints/abc", "/ui/endpoints/0/edit", "/ui/endpoints/999999/delete", "/ui/nowhere"} {
				b.get(path).must(t, http.StatusNotFound)
			}
			for _, path := range []string{"/ui/endpoints/999999/enable", "/ui/endpoints/999999/rotate-secret", "/ui/endpoints/999999/delete", "/ui/endpoints/999999"} {
				b.post(path, url.Values{"url": {"http://127.0.0.1:9/x"}}).must(t, http.StatusNotFound)
			}
			b.get("/ui/endpoints?cursor=x").must(t, http.StatusBadRequest).contains(t, "Cursor:")
			b.get("/ui/endpoints?after=x").must(t, http.StatusBadRequest).contains(t, "After:") // the older name is still read
		})
	})
}

func TestEndpointListPagesAndRates(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		s := newSite(t, st, "")
		long := "http://127.0.0.1:9/" + strings.Repeat("very-long-path-segment/", 20)
		first := createEndpoint(t, st, func(e *store.Endpoint) { e.URL = long; e.Events = []string{"a.*"} })
		for range 3 {
			publish(t, st, "a.one")
		}
		finishAll(t, st, 200)
		publish(t, st, "a.two")
		finishAll(t, st, 500)
		for range 50 {
			createEndpoint(t, st, func(e *store.Endpoint) { e.Events = []string{"nothing.here"} })
		}
		b := s.newBrowser()
		p := b.get("/ui/endpoints").must(t, http.StatusOK).
			contains(t, long, "75 %</strong> of 4", "3 delivered, 1 failed, 0 pending or cancelled", "Next page")
		if n := strings.Count(p.body, "<tr>") - 1; n != 50 {
			t.Errorf("first page has %d rows, want 50", n)
		}
		next := regexp.MustCompile(`href="(/ui/endpoints\?cursor=\d+)" rel="next"`).FindStringSubmatch(p.body)
		if next == nil {
			t.Fatal("no next page link")
		}
		b.get(next[1]).must(t, http.StatusOK).lacks(t, "Next page", long)
		b.get(strings.Replace(next[1], "cursor=", "after=", 1)).must(t, http.StatusOK).lacks(t, "Next page", long) // saved links
		b.get("/ui/endpoints/"+itoa(first.ID)).contains(t, "75 %", "Recent deliveries", "a.two", "HTTP 500")
	})
}

// mustID parses an ID the test read from a page.
func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%q is not an ID", s)
	}
	return id
}

// TestDashboardNamesItself: an endpoint created in the dashboard is
// recorded as created by "dashboard", and one created inactive or disabled
// there without a reason says "disabled in the dashboard", which the reason
// input offers as its placeholder.
func TestDashboardNamesItself(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		b := newDashboardOnly(t, st).signedIn()
		b.get("/ui/endpoints/new")
		b.post("/ui/endpoints", url.Values{"url": {"http://127.0.0.1:9/off"}, "signature_profile": {store.ProfileStandard}}).
			must(t, http.StatusCreated)
		b.post("/ui/endpoints", url.Values{"url": {"http://127.0.0.1:9/on"}, "signature_profile": {store.ProfileStandard}, "active": {"1"}}).
			must(t, http.StatusCreated)
		list, err := st.ListEndpoints(t.Context(), store.EndpointFilter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("endpoints %+v, %v; want 2", list, err)
		}
		off, on := list[0], list[1]
		if off.CreatedBy != "dashboard" || on.CreatedBy != "dashboard" || off.Active || off.DisabledReason != "disabled in the dashboard" {
			t.Errorf("created inactive: %+v; want created by dashboard, disabled in the dashboard", off)
		}
		id := itoa(on.ID)
		b.get("/ui/endpoints/"+id).must(t, http.StatusOK).contains(t, `placeholder="disabled in the dashboard"`)
		b.post("/ui/endpoints/"+id+"/disable", url.Values{"reason": {""}}).redirects(t, "/ui/endpoints/"+id)
		if got, err := st.GetEndpoint(t.Context(), on.ID); err != nil || got.Active || got.DisabledReason != "disabled in the dashboard" {
			t.Errorf("disabled without a reason: %+v, %v", got, err)
		}
	})
}

// TestEventsInputSplitsAsItsHelpSays: the Events input takes types
// separated by commas or spaces, as its help says.
func TestEventsInputSplitsAsItsHelpSays(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		b := newDashboardOnly(t, st).signedIn()
		b.get("/ui/endpoints/new").contains(t, "Event types separated by commas or spaces")
		b.post("/ui/endpoints", url.Values{
			"url": {"http://127.0.0.1:9/x"}, "events": {"a.created, b.*  c.deleted,d.x"},
			"signature_profile": {store.ProfileStandard}, "active": {"1"},
		}).must(t, http.StatusCreated)
		list, err := st.ListEndpoints(t.Context(), store.EndpointFilter{})
		if want := []string{"a.created", "b.*", "c.deleted", "d.x"}; err != nil || len(list) != 1 || !slices.Equal(list[0].Events, want) {
			t.Errorf("endpoints %+v, %v; want one subscribed to %q", list, err, want)
		}
	})
}
