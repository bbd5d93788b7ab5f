package ui_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

func TestCSRF(t *testing.T) {
	eachSite(t, func(t *testing.T, st store.Store, s *site) {
		e := createEndpoint(t, st)
		disable := "/ui/endpoints/" + itoa(e.ID) + "/disable"

		b := s.signedIn()
		b.get("/ui/endpoints")
		other := s.signedIn()
		other.get("/ui/endpoints")

		cases := []struct {
			name   string
			form   url.Values
			header http.Header
		}{
			{"no token", url.Values{}, nil},
			{"a wrong token", url.Values{"csrf": {"forged"}}, nil},
			{"another session's token", url.Values{"csrf": {other.csrf}}, nil},
			{"the right token from another origin", url.Values{"csrf": {b.csrf}}, http.Header{"Origin": {"https://evil.example"}}},
			{"the right token from a null origin", url.Values{"csrf": {b.csrf}}, http.Header{"Origin": {"null"}}},
			{"the right token cross-site", url.Values{"csrf": {b.csrf}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
			{"the right token referred by another site", url.Values{"csrf": {b.csrf}}, http.Header{"Referer": {"https://evil.example/page"}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b.postRaw(disable, c.form, c.header).must(t, http.StatusForbidden)
				if got, err := st.GetEndpoint(t.Context(), e.ID); err != nil || !got.Active {
					t.Fatalf("endpoint changed: %+v, %v", got, err)
				}
			})
		}

		t.Run("the right token from the same origin", func(t *testing.T) {
			b.postRaw(disable, url.Values{"csrf": {b.csrf}}, http.Header{"Referer": {s.url + "/ui/endpoints"}, "Sec-Fetch-Site": {"same-origin"}}).
				redirects(t, "/ui/endpoints/"+itoa(e.ID))
		})

		t.Run("the login form needs a token too", func(t *testing.T) {
			fresh := s.newBrowser()
			fresh.get("/ui/login")
			fresh.post("/ui/login", url.Values{"token": {testToken}, "csrf": {"forged"}}).must(t, http.StatusForbidden)
		})
	})
}
