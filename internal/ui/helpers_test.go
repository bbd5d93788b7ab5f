package ui_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/authlimit"
	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/ui"
)

// testToken is the API token of the test servers that have one.
const testToken = "ui-test-token-0123456789"

// site is hookrelay's HTTP server as `serve` builds it, the API at / , the
// dashboard at /ui/ and the customer portal at /portal/, over a real store.
type site struct {
	t     *testing.T
	url   string
	store store.Store
	token string
}

// eachSite runs test once per store (testenv.EachStore), on a new store and
// a site over it whose dashboard asks for testToken.
func eachSite(t *testing.T, test func(t *testing.T, st store.Store, s *site)) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		test(t, st, newSite(t, st, testToken))
	})
}

// newSite serves the API and the dashboard over st, with token ("" for an
// open dashboard) and the dashboard's options changed by mods; both doors
// share one service (private targets allowed, 3 retries by default), the
// credential limiter and the payload limit.
func newSite(t *testing.T, st store.Store, token string, mods ...func(*ui.Options)) *site {
	t.Helper()
	svc := service.New(st, service.Options{AllowPrivateTargets: true, DefaultMaxRetries: 3})
	opts := ui.Options{Service: svc, Token: token, Limiter: authlimit.New(nil)}
	for _, m := range mods {
		m(&opts)
	}
	mux := http.NewServeMux()
	mux.Handle("/", api.New(api.Options{
		Store: st, Service: svc, Token: token, MaxPayloadBytes: opts.MaxPayloadBytes, Limiter: opts.Limiter,
	}))
	mux.Handle(ui.Prefix, ui.New(opts))
	portal, err := ui.NewPortal(ui.PortalOptions{Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle(ui.PortalPrefix, portal)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &site{t: t, url: srv.URL, store: st, token: token}
}

// browser is a visitor of the dashboard: a cookie jar and the CSRF token of
// the last page it saw.
type browser struct {
	t    *testing.T
	site *site
	http *http.Client
	csrf string
}

// answer is one answer of the dashboard.
type answer struct {
	status   int
	header   http.Header
	body     string
	location string
}

// newBrowser returns a visitor without a session that does not follow
// redirects, so that tests see them.
func (s *site) newBrowser() *browser {
	s.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &browser{t: s.t, site: s, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signedIn returns a visitor who has signed in (or, on an open dashboard,
// has a session).
func (s *site) signedIn() *browser {
	s.t.Helper()
	b := s.newBrowser()
	b.get("/ui/login")
	if s.token != "" {
		p := b.post("/ui/login", url.Values{"token": {s.token}})
		if p.status != http.StatusSeeOther {
			s.t.Fatalf("sign in: status %d", p.status)
		}
	}
	return b
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends one request and remembers the page's CSRF token.
func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := answer{status: resp.StatusCode, header: resp.Header, body: string(raw), location: resp.Header.Get("Location")}
	if m := csrfInput.FindStringSubmatch(p.body); m != nil {
		b.csrf = html.UnescapeString(m[1])
	}
	return p
}

// get fetches a dashboard path.
func (b *browser) get(path string) answer {
	b.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, b.site.url+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form with the CSRF token of the last page, as a browser on
// the same origin does.
func (b *browser) post(path string, form url.Values) answer {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		form.Set("csrf", b.csrf)
	}
	return b.postRaw(path, form, http.Header{"Origin": {b.site.url}})
}

// postRaw sends a form as it is, with the given extra headers.
func (b *browser) postRaw(path string, form url.Values, header http.Header) answer {
	b.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, b.site.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for name, values := range header {
		req.Header[name] = values
	}
	return b.do(req)
}

// must checks a page's status.
func (p answer) must(t *testing.T, status int) answer {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", p.status, status, p.body)
	}
	return p
}

// contains checks that the page shows every text (compared after HTML
// unescaping).
func (p answer) contains(t *testing.T, texts ...string) answer {
	t.Helper()
	body := html.UnescapeString(p.body)
	for _, text := range texts {
		if !strings.Contains(body, text) {
			t.Errorf("page does not show %q; body:\n%s", text, p.body)
		}
	}
	return p
}

// lacks checks that the page shows none of texts.
func (p answer) lacks(t *testing.T, texts ...string) answer {
	t.Helper()
	body := html.UnescapeString(p.body)
	for _, text := range texts {
		if strings.Contains(body, text) {
			t.Errorf("page shows %q; body:\n%s", text, p.body)
		}
	}
	return p
}

// redirects checks a 303 to a location that starts with prefix.
func (p answer) redirects(t *testing.T, prefix string) string {
	t.Helper()
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, prefix) {
		t.Fatalf("got status %d to %q, want 303 to %s…; body:\n%s", p.status, p.location, prefix, p.body)
	}
	return p.location
}

// apiCall calls the JSON API with the site's token and decodes the answer.
func (s *site) apiCall(method, path string, body any, out any) int {
	s.t.Helper()
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		reader = strings.NewReader(string(raw))
	}
	req, err := http.NewRequestWithContext(context.Background(), method, s.url+path, reader)
	if err != nil {
		s.t.Fatal(err)
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			s.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// apiCallAs calls the JSON API with token, without a body, and returns the
// status.
func (s *site) apiCallAs(token, method, path string) int {
	s.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// sessionCookie returns the browser's session cookie.
func sessionCookie(t *testing.T, b *browser) *http.Cookie {
	t.Helper()
	u, err := url.Parse(b.site.url + "/ui/")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.http.Jar.Cookies(u) {
		if c.Name == "hookrelay_session" {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// setCookie gives the browser a copy of c for the dashboard.
func (b *browser) setCookie(c *http.Cookie) {
	b.t.Helper()
	u, err := url.Parse(b.site.url + "/ui/")
	if err != nil {
		b.t.Fatal(err)
	}
	b.http.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/ui"}})
}
