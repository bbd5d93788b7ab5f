package ui_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/ui"
)

// portalLink asks the API for a portal link of tenant and returns its path
// (/portal/enter/<token>).
func (s *site) portalLink(body string) string {
	s.t.Helper()
	var got wire.PortalSession
	var req any
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		s.t.Fatal(err)
	}
	if status := s.apiCall("POST", "/v1/portal-sessions", req, &got); status != http.StatusCreated {
		s.t.Fatalf("POST /v1/portal-sessions %s: status %d", body, status)
	}
	path, ok := strings.CutPrefix(got.URL, s.url)
	if !ok {
		s.t.Fatalf("link %q is not under the site %s", got.URL, s.url)
	}
	return path
}

// inPortal returns a browser that entered a new portal link of tenant.
func (s *site) inPortal(tenant string) *browser {
	s.t.Helper()
	b := s.newBrowser()
	b.get(s.portalLink(`{"tenant_id":"`+tenant+`"}`)).redirects(s.t, "/portal/endpoints")
	b.get("/portal/endpoints").must(s.t, http.StatusOK)
	return b
}

// tenantEvent publishes an event of tenant (to its endpoints).
func tenantEvent(t *testing.T, st store.Store, tenant string) store.PublishResult {
	t.Helper()
	ev := store.Event{ID: store.NewEventID(), Type: "order.paid", Data: json.RawMessage(`{"n":1}`), TenantID: tenant}
	res, err := st.Publish(t.Context(), ev, store.PublishOptions{MaxRetries: 3})
	if err != nil {
		t.Fatalf("publish for %s: %v", tenant, err)
	}
	return res
}

// TestPortalIsolation: a portal session sees and changes its tenant's
// endpoints and deliveries only; every route tried with another tenant's
// endpoint or delivery ID answers 404 (never 403) and changes nothing; the
// operator's pages do not exist under /portal/.
func TestPortalIsolation(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		own := createEndpoint(t, st, func(e *store.Endpoint) { e.TenantID = "acme"; e.Title = "Acme receiver" })
		other := createEndpoint(t, st, func(e *store.Endpoint) { e.TenantID = "globex"; e.Title = "Globex receiver" })
		createEndpoint(t, st, func(e *store.Endpoint) { e.Title = "Operator receiver" })
		ownEvent, otherEvent := tenantEvent(t, st, "acme"), tenantEvent(t, st, "globex")
		finishAll(t, st, 500)
		ownDelivery := deliveryOf(t, st, ownEvent.Event.ID)
		otherDelivery := deliveryOf(t, st, otherEvent.Event.ID)

		b := s.inPortal("acme")
		b.get("/portal/endpoints").must(t, http.StatusOK).contains(t, "Acme receiver").lacks(t, "Globex receiver", "Operator receiver", "Overview")
		b.get("/portal/deliveries").must(t, http.StatusOK).contains(t, ownEvent.Event.ID).lacks(t, otherEvent.Event.ID, "Globex receiver")
		b.get("/portal/deliveries?webhook_id="+itoa(other.ID)).must(t, http.StatusOK).lacks(t, otherEvent.Event.ID)
		b.get("/portal/deliveries?event_id="+otherEvent.Event.ID).must(t, http.StatusOK).lacks(t, "/portal/deliveries/"+itoa(otherDelivery.ID), "Globex")

		e, d := "/portal/endpoints/"+itoa(other.ID), "/portal/deliveries/"+itoa(otherDelivery.ID)
		for _, path := range []string{e, e + "/edit", e + "/delete", d} {
			b.get(path).must(t, http.StatusNotFound).lacks(t, "Globex", other.URL)
		}
		for _, path := range []string{e, e + "/enable", e + "/disable", e + "/rotate-secret", e + "/ping", e + "/verify", e + "/delete", d + "/retry"} {
			b.post(path, url.Values{"url": {"http://127.0.0.1:9/stolen"}, "title": {"stolen"}}).must(t, http.StatusNotFound)
		}
		if got := getEndpointOf(t, st, other.ID); got.Title != "Globex receiver" || got.URL != other.URL || got.Secret != other.Secret || !got.Active {
			t.Errorf("globex endpoint after the portal's tries = %+v, want it untouched", got)
		}
		if got := deliveryByID(t, st, otherDelivery.ID); got.Status != store.StatusFailed {
			t.Errorf("globex delivery status %s after the portal's retry, want failed", got.Status)
		}

		// The operator's pages are not routed in the portal.
		for _, path := range []string{"/portal/events", "/portal/event-types", "/portal/login", "/portal/overview"} {
			b.get(path).must(t, http.StatusNotFound)
		}
		for _, path := range []string{"/portal/deliveries/replay", "/portal/deliveries/" + itoa(ownDelivery.ID) + "/cancel",
			"/portal/endpoints/" + itoa(own.ID) + "/recovery/stop", "/portal/events", "/portal/event-types"} {
			if p := b.post(path, nil); p.status != http.StatusNotFound && p.status != http.StatusMethodNotAllowed {
				t.Errorf("POST %s: status %d, want 404 or 405", path, p.status)
			}
		}

		// Its own rows: retry a delivery, create an endpoint (in its tenant).
		b.get("/portal/deliveries/"+itoa(ownDelivery.ID)).must(t, http.StatusOK).lacks(t, "/cancel")
		b.post("/portal/deliveries/"+itoa(ownDelivery.ID)+"/retry", nil).redirects(t, "/portal/deliveries/"+itoa(ownDelivery.ID))
		if got := deliveryByID(t, st, ownDelivery.ID); got.Status != store.StatusPending {
			t.Errorf("own delivery status %s after retry, want pending", got.Status)
		}
		b.get("/portal/endpoints/new").must(t, http.StatusOK)
		created := b.post("/portal/endpoints", url.Values{"url": {"http://127.0.0.1:9/acme-new"}, "title": {"New acme"}, "active": {"on"}, "signature_profile": {"standard"}})
		// The customer reads "portal", never "dashboard", and so do the
		// records the portal writes.
		created.must(t, http.StatusCreated).contains(t, "whsec_").contains(t, "afterwards the portal shows it masked").lacks(t, "dashboard")
		es, err := st.ListEndpoints(t.Context(), store.EndpointFilter{TenantID: "acme"})
		if err != nil || len(es) != 2 {
			t.Fatalf("acme endpoints = %d (%v), want 2 (the one created in the portal is acme's)", len(es), err)
		}
		if last := es[len(es)-1]; last.CreatedBy != "portal" {
			t.Errorf("CreatedBy of an endpoint created in the portal = %q, want portal", last.CreatedBy)
		}
		b.post("/portal/endpoints/"+itoa(own.ID)+"/disable", nil).redirects(t, "/portal/endpoints/"+itoa(own.ID))
		if e, err := st.GetEndpoint(t.Context(), own.ID); err != nil || e.DisabledReason != "disabled in the portal" {
			t.Errorf("disabled in the portal without a reason: %q (%v), want %q", e.DisabledReason, err, "disabled in the portal")
		}
		b.get("/portal/endpoints").must(t, http.StatusOK).lacks(t, "Tenant <code>")
	})
}

// TestPortalLinkAndSession: a link opens the portal once (410 after), an
// unknown one is a 404, a browser without a session gets a 401, a POST
// without the session's CSRF token or from another site a 403, and a
// sign-out ends the session for every copy of its cookie.
func TestPortalLinkAndSession(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		link := s.portalLink(`{"tenant_id":"acme"}`)
		// A HEAD (a link checker) neither uses the link nor signs in.
		head, err := http.NewRequestWithContext(t.Context(), http.MethodHead, s.url+link, nil)
		if err != nil {
			t.Fatal(err)
		}
		if h := s.newBrowser().do(head); h.status != http.StatusMethodNotAllowed || h.header.Get("Allow") != "GET" || h.header.Get("Set-Cookie") != "" {
			t.Errorf("HEAD %s: status %d, Allow %q, Set-Cookie %q; want 405, GET, none", link, h.status, h.header.Get("Allow"), h.header.Get("Set-Cookie"))
		}
		b := s.newBrowser()
		entered := b.get(link)
		entered.redirects(t, "/portal/endpoints")
		if entered.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("enter page Referrer-Policy %q, want no-referrer", entered.header.Get("Referrer-Policy"))
		}
		s.newBrowser().get(link).must(t, http.StatusGone).lacks(t, "acme")
		b.get(link).must(t, http.StatusGone)
		s.newBrowser().get("/portal/enter/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").must(t, http.StatusNotFound)
		// An unused link that expired still answers 410 after newer links
		// were created (expired rows are kept a day).
		past := service.New(st, service.Options{Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }})
		expired, err := past.CreatePortalLink(t.Context(), service.PortalLinkRequest{TenantID: "acme"})
		if err != nil {
			t.Fatal(err)
		}
		s.portalLink(`{"tenant_id":"acme"}`)
		s.newBrowser().get("/portal/enter/"+expired.Token).must(t, http.StatusGone).lacks(t, "acme")
		s.newBrowser().get("/portal/endpoints").must(t, http.StatusUnauthorized)
		// The dashboard's session opens nothing in the portal.
		s.signedIn().get("/portal/endpoints").must(t, http.StatusUnauthorized)

		own := createEndpoint(t, st, func(e *store.Endpoint) { e.TenantID = "acme" })
		b.get("/portal/endpoints").must(t, http.StatusOK)
		b.post("/portal/endpoints/"+itoa(own.ID)+"/disable", url.Values{"csrf": {"forged"}}).must(t, http.StatusForbidden)
		b.postRaw("/portal/endpoints/"+itoa(own.ID)+"/disable", url.Values{"csrf": {b.csrf}},
			http.Header{"Origin": {"https://evil.example"}}).must(t, http.StatusForbidden)
		if !getEndpointOf(t, st, own.ID).Active {
			t.Fatal("a forged POST disabled the endpoint")
		}
		b.post("/portal/endpoints/"+itoa(own.ID)+"/disable", nil).redirects(t, "/portal/endpoints/"+itoa(own.ID))

		copied := s.newBrowser()
		u, _ := url.Parse(s.url + "/portal/")
		copied.http.Jar.SetCookies(u, b.http.Jar.Cookies(u))
		copied.get("/portal/endpoints").must(t, http.StatusOK)
		b.post("/portal/logout", nil).must(t, http.StatusOK)
		copied.get("/portal/endpoints").must(t, http.StatusUnauthorized)
	})
}

// TestPortalFrameCookieAndBranding: by default the portal may be framed by
// its own origin only and its cookie is SameSite=Lax; with frame ancestors
// and an https public URL, CSP names them, X-Frame-Options is gone, the
// cookie is Secure and SameSite=None, and an embedding origin may post.
// Branding: the session's title and colour (a stylesheet) override the
// global ones; a colour that is not #rgb/#rrggbb never reaches the CSS.
func TestPortalFrameCookieAndBranding(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		s := newSite(t, st, testToken)
		b := s.newBrowser()
		p := b.get(s.portalLink(`{"tenant_id":"acme","branding":{"title":"Acme Hooks","color":"#0a7cff"}}`))
		if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self';") {
			t.Errorf("default CSP %q, want frame-ancestors 'self'", csp)
		}
		if p.header.Get("X-Frame-Options") != "SAMEORIGIN" {
			t.Errorf("default X-Frame-Options %q, want SAMEORIGIN", p.header.Get("X-Frame-Options"))
		}
		if c := p.header.Get("Set-Cookie"); !strings.Contains(c, "hookrelay_portal=") || !strings.Contains(c, "Path=/portal/") ||
			!strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") || strings.Contains(c, "Secure") {
			t.Errorf("cookie over http %q, want HttpOnly, Path=/portal/, SameSite=Lax", c)
		}
		b.get("/portal/endpoints").must(t, http.StatusOK).contains(t, "<title>Endpoints · Acme Hooks</title>", "/portal/brand.css?color=0a7cff")
		css := b.get("/portal/brand.css?color=0a7cff").must(t, http.StatusOK)
		if !strings.Contains(css.body, "--accent: #0a7cff") || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
			t.Errorf("brand.css = %q (%s)", css.body, css.header.Get("Content-Type"))
		}
		b.get("/portal/brand.css?color="+url.QueryEscape("000;}body{display:none")).must(t, http.StatusNotFound)
		if ui := s.signedIn().get("/ui/endpoints"); ui.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("dashboard X-Frame-Options %q, want DENY", ui.header.Get("X-Frame-Options"))
		}

		svc := service.New(st, service.Options{AllowPrivateTargets: true})
		portal, err := ui.NewPortal(ui.PortalOptions{Service: svc, HTTPS: true, Title: "Global", Color: "#123",
			FrameAncestors: []string{"https://app.example.com", "https://*.example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		embedded := httptest.NewServer(portal)
		t.Cleanup(embedded.Close)
		resp := enterNewLink(t, svc, embedded.URL)
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://app.example.com https://*.example.org;") {
			t.Errorf("CSP %q, want the configured frame ancestors", csp)
		}
		if resp.Header.Get("X-Frame-Options") != "" {
			t.Errorf("X-Frame-Options %q with frame ancestors, want none", resp.Header.Get("X-Frame-Options"))
		}
		cookie := portalCookieOf(resp)
		if cookie == nil || !cookie.Secure || cookie.SameSite != http.SameSiteNoneMode || !cookie.HttpOnly {
			t.Fatalf("cookie %+v, want Secure, SameSite=None, HttpOnly", cookie)
		}
		page2 := getWithCookie(t, embedded.URL+"/portal/endpoints", cookie)
		if !strings.Contains(page2, "<title>Endpoints · Global</title>") || !strings.Contains(page2, "brand.css?color=123") {
			t.Errorf("page without session branding does not use the global one:\n%s", page2)
		}

		for _, bad := range []ui.PortalOptions{{Service: svc, Color: "blue"}, {Service: svc, FrameAncestors: []string{"https://a.example; script-src *"}}} {
			if _, err := ui.NewPortal(bad); err == nil {
				t.Errorf("NewPortal(%+v) accepted", bad)
			}
		}
	})
}

// enterNewLink creates a portal link of tenant acme with svc and opens it
// on the portal served at base, without following the redirect; the
// answer's body is closed.
func enterNewLink(t *testing.T, svc *service.Service, base string) *http.Response {
	t.Helper()
	link, err := svc.CreatePortalLink(t.Context(), service.PortalLinkRequest{TenantID: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := noRedirects().Get(base + "/portal/enter/" + link.Token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// portalCookieOf is the portal cookie that resp sets, or nil.
func portalCookieOf(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == ui.PortalCookie {
			return c
		}
	}
	return nil
}

// noRedirects is a client that shows redirects instead of following them.
func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// getWithCookie fetches u with cookie and returns the body.
func getWithCookie(t *testing.T, u string, cookie *http.Cookie) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	resp, err := noRedirects().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// getEndpointOf reads endpoint id from the store.
func getEndpointOf(t *testing.T, st store.Store, id int64) store.Endpoint {
	t.Helper()
	e, err := st.GetEndpoint(t.Context(), id)
	if err != nil {
		t.Fatalf("get endpoint %d: %v", id, err)
	}
	return e
}

// deliveryByID reads delivery id from the store.
func deliveryByID(t *testing.T, st store.Store, id int64) store.Delivery {
	t.Helper()
	d, err := st.GetDelivery(t.Context(), id)
	if err != nil {
		t.Fatalf("get delivery %d: %v", id, err)
	}
	return d
}

// TestPortalFrameAncestors: frame ancestors are checked strictly (a
// wildcard only below a registrable domain, scheme://host[:port] and
// nothing else), normalised and deduplicated ('self' alone keeps
// X-Frame-Options SAMEORIGIN), and a POST's Referer from an embedding site
// must match its scheme, host and port.
func TestPortalFrameAncestors(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		svc := service.New(newStore(t), service.Options{AllowPrivateTargets: true})
		for _, bad := range []string{"https://*.com", "https://.:", "https:///", "https://*.co.uk", "https://*.github.io",
			"https://app.example.com/path", "https://u@app.example.com", "https://app.example.com:0", "https://app.example.com:x",
			"https://*", "*", "'none'", "'unsafe-inline'", "self", "ftp://app.example.com", "https://a.example; script-src *",
			"https://app.example.com?x", "https://app.example.com#", "https://a*.example.com", "https://*.*.example.com"} {
			if _, err := ui.NewPortal(ui.PortalOptions{Service: svc, FrameAncestors: []string{bad}}); err == nil {
				t.Errorf("frame ancestor %q accepted", bad)
			}
		}

		serve := func(ancestors ...string) *httptest.Server {
			t.Helper()
			h, err := ui.NewPortal(ui.PortalOptions{Service: svc, FrameAncestors: ancestors})
			if err != nil {
				t.Fatalf("NewPortal(%q): %v", ancestors, err)
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			return srv
		}
		headers := func(srv *httptest.Server) http.Header {
			t.Helper()
			resp, err := http.Get(srv.URL + "/portal/brand.css?color=123")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.Header
		}
		h := headers(serve("'self'", "'self'"))
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self';") || h.Get("X-Frame-Options") != "SAMEORIGIN" {
			t.Errorf("'self' twice: CSP %q, X-Frame-Options %q; want frame-ancestors 'self' and SAMEORIGIN", csp, h.Get("X-Frame-Options"))
		}
		srv := serve("https://app.example.com", "HTTPS://App.Example.com:443", "'self'", "https://*.Example.org:8443")
		if csp := headers(srv).Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://app.example.com https://*.example.org:8443;") {
			t.Errorf("CSP %q, want the normalised sources once each", csp)
		}

		cookie := portalCookieOf(enterNewLink(t, svc, srv.URL))
		if cookie == nil {
			t.Fatal("no portal cookie")
		}
		m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(getWithCookie(t, srv.URL+"/portal/endpoints", cookie))
		if m == nil {
			t.Fatal("no CSRF token on the endpoints page")
		}
		logout := func(referer string) int {
			t.Helper()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/portal/logout",
				strings.NewReader(url.Values{"csrf": {html.UnescapeString(m[1])}}.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Referer", referer)
			req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
			resp, err := noRedirects().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		for _, ref := range []string{"http://app.example.com/settings", "https://app.example.com:8443/settings", "https://evil.example/", "https://x.example.org:8443/"} {
			if status := logout(ref); status != http.StatusForbidden {
				t.Errorf("POST with Referer %s: status %d, want 403", ref, status)
			}
		}
		if status := logout("https://app.example.com:443/settings"); status != http.StatusOK {
			t.Errorf("POST with the embedding origin's Referer: status %d, want 200", status)
		}
	})
}
