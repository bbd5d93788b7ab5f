package ui_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestSignIn(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		s := newSite(t, newStore(t), testToken)

		t.Run("pages send visitors to the login form", func(t *testing.T) {
			b := s.newBrowser()
			b.get("/ui/endpoints?after=3").redirects(t, "/ui/login?next=%2Fui%2Fendpoints%3Fafter%3D3")
			b.get("/ui/login").must(t, http.StatusOK).contains(t, `name="token"`, `type="password"`)
		})

		t.Run("the right token signs in and goes on to next", func(t *testing.T) {
			b := s.newBrowser()
			b.get("/ui/login?next=/ui/deliveries")
			p := b.post("/ui/login", url.Values{"token": {testToken}, "next": {"/ui/deliveries"}})
			if loc := p.redirects(t, "/ui/deliveries"); loc != "/ui/deliveries" {
				t.Errorf("went to %q", loc)
			}
			b.get("/ui/deliveries").must(t, http.StatusOK).contains(t, "Sign out")
		})

		t.Run("a wrong token is refused without a session", func(t *testing.T) {
			b := s.newBrowser()
			b.get("/ui/login")
			b.post("/ui/login", url.Values{"token": {"nope"}}).must(t, http.StatusUnauthorized).contains(t, "That is not the API token.")
			b.get("/ui/").redirects(t, "/ui/login")
		})

		t.Run("next never leaves the dashboard", func(t *testing.T) {
			for _, next := range []string{"https://evil.example/", "//evil.example/ui/", "/v1/webhooks", "/ui/\\evil"} {
				b := s.newBrowser()
				b.get("/ui/login")
				if loc := b.post("/ui/login", url.Values{"token": {testToken}, "next": {next}}).redirects(t, "/ui/"); loc != "/ui/" {
					t.Errorf("next %q: went to %q", next, loc)
				}
			}
		})

		t.Run("the session cookie is HttpOnly, SameSite=Strict, scoped to /ui and holds no token", func(t *testing.T) {
			b := s.newBrowser()
			b.get("/ui/login")
			p := b.post("/ui/login", url.Values{"token": {testToken}})
			cookies := (&http.Response{Header: p.header}).Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies %v", cookies)
			}
			c := cookies[0]
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/ui" || c.Secure {
				t.Errorf("cookie %+v", c)
			}
			if strings.Contains(c.Value, testToken) || c.Expires.Before(time.Now().Add(time.Hour)) {
				t.Errorf("cookie value %q expires %v", c.Value, c.Expires)
			}
		})

		t.Run("a tampered session is no session", func(t *testing.T) {
			b := s.signedIn()
			u, _ := url.Parse(s.url + "/ui/")
			for _, c := range b.http.Jar.Cookies(u) {
				forged := strings.Replace(c.Value, ".0.", ".1.", 1)
				forged = forged[:len(forged)-2] + "xx"
				b.http.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: forged, Path: "/ui"}})
			}
			b.get("/ui/").redirects(t, "/ui/login")
		})

		t.Run("signing out ends the session", func(t *testing.T) {
			b := s.signedIn()
			b.get("/ui/")
			b.post("/ui/logout", nil).redirects(t, "/ui/login")
			b.get("/ui/").redirects(t, "/ui/login")
		})

		t.Run("a form sent without its session cookie is refused", func(t *testing.T) {
			b := s.signedIn()
			b.get("/ui/")
			b.http.Jar = nil // the session ended: the browser dropped the cookie
			b.post("/ui/endpoints/1/enable", nil).must(t, http.StatusForbidden).contains(t, "This form has expired")
		})

		t.Run("a form over 1 MiB is refused as too large, not as expired", func(t *testing.T) {
			b := s.signedIn()
			b.get("/ui/")
			b.post("/ui/endpoints", url.Values{"description": {strings.Repeat("x", 1<<20+1)}}).
				must(t, http.StatusRequestEntityTooLarge).contains(t, "larger than 1 MiB")
		})

		t.Run("a POST without a session is refused before it signs in", func(t *testing.T) {
			b := s.newBrowser()
			b.get("/ui/login")
			b.post("/ui/endpoints", url.Values{"url": {"http://127.0.0.1:9/x"}}).must(t, http.StatusUnauthorized).contains(t, "Sign in")
		})

		t.Run("the token never appears in a page", func(t *testing.T) {
			b := s.signedIn()
			for _, path := range []string{"/ui/", "/ui/endpoints", "/ui/deliveries", "/ui/events", "/ui/endpoints/new"} {
				b.get(path).must(t, http.StatusOK).lacks(t, testToken)
			}
		})
	})
}

func TestSignInThrottle(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)

		t.Run("five wrong tokens shut the address out, X-Forwarded-For or not", func(t *testing.T) {
			s := newSite(t, st, testToken)
			b := s.newBrowser()
			b.get("/ui/login")
			for i := range 5 {
				b.postRaw("/ui/login", url.Values{"token": {"nope"}, "csrf": {b.csrf}}, http.Header{
					"Origin": {s.url}, "X-Forwarded-For": {"203.0.113." + strconv.Itoa(i)},
				}).must(t, http.StatusUnauthorized)
			}
			p := b.post("/ui/login", url.Values{"token": {testToken}}).
				must(t, http.StatusTooManyRequests).contains(t, "Too many failed sign-ins; try again in 5 minutes.")
			if after, err := strconv.Atoi(p.header.Get("Retry-After")); err != nil || after < 1 || after > 300 {
				t.Errorf("Retry-After %q", p.header.Get("Retry-After"))
			}
			other := s.newBrowser()
			other.get("/ui/login")
			other.post("/ui/login", url.Values{"token": {testToken}}).must(t, http.StatusTooManyRequests)
			other.get("/ui/").redirects(t, "/ui/login")
		})

		t.Run("a sign-in clears the count", func(t *testing.T) {
			s := newSite(t, st, testToken)
			for range 2 {
				b := s.newBrowser()
				b.get("/ui/login")
				for range 4 {
					b.post("/ui/login", url.Values{"token": {"nope"}}).must(t, http.StatusUnauthorized)
				}
				b.post("/ui/login", url.Values{"token": {testToken}}).redirects(t, "/ui/")
			}
		})
	})
}

func TestOpenDashboard(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		s := newSite(t, newStore(t), "")
		b := s.newBrowser()
		b.get("/ui/").must(t, http.StatusOK).contains(t, "Overview").lacks(t, "Sign out")
		b.get("/ui/endpoints/new").must(t, http.StatusOK).contains(t, `name="csrf"`)
		b.get("/ui/login").redirects(t, "/ui/")
		b.post("/ui/login", nil).redirects(t, "/ui/")
		b.postRaw("/ui/endpoints", url.Values{"url": {"http://127.0.0.1:9/x"}}, nil).must(t, http.StatusForbidden)
	})
}
