package ui_test

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/ui"
)

// newDashboardOnly serves the dashboard alone over st, open (no token),
// with no JSON API anywhere in the server: what it shows comes from the
// service and the store.
func newDashboardOnly(t *testing.T, st store.Store) *site {
	t.Helper()
	srv := httptest.NewServer(ui.New(ui.Options{Service: service.New(st, service.Options{AllowPrivateTargets: true})}))
	t.Cleanup(srv.Close)
	return &site{t: t, url: srv.URL, store: st}
}

// fieldError returns the error shown beside input, and whether the input is
// marked invalid and points at it.
func fieldError(t *testing.T, p answer, input string) string {
	t.Helper()
	m := regexp.MustCompile(`<p class="field-error" id="` + input + `-error">([^<]*)</p>`).FindStringSubmatch(p.body)
	if m == nil {
		t.Errorf("no error beside %s", input)
		return ""
	}
	tag := regexp.MustCompile(`<(input|textarea) id="` + input + `"[^>]*>`).FindString(p.body)
	if !strings.Contains(tag, `aria-invalid="true"`) || !strings.Contains(tag, input+"-error") {
		t.Errorf("input %s is not marked invalid: %s", input, tag)
	}
	return html.UnescapeString(m[1])
}

// TestFieldErrorsLandOnTheirInputs: every field the service refuses, several
// at once, is shown beside its own input of the create and the edit form,
// by the service's *FieldError (no API in the server), and the other inputs
// keep what was typed.
func TestFieldErrorsLandOnTheirInputs(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		b := newDashboardOnly(t, st).signedIn()
		bad := url.Values{
			"title": {"Kept title"}, "url": {"ftp://127.0.0.1/x"}, "events": {"ok.type, bad*"},
			"headers": {"X-Tenant: acme\nX-Signature: mine"}, "max_retries": {"99"},
			"signature_profile": {store.ProfileStandard}, "active": {"1"},
		}
		want := map[string]string{
			"url":         "url: scheme must be http or https",
			"events":      `events[1]: "bad*" is not an event type, "*" or "prefix.*"`,
			"headers":     "headers.X-Signature: is set by hookrelay and cannot be overridden",
			"max_retries": "max_retries: must be between 0 and 35, got 99",
		}
		check := func(t *testing.T, p answer) {
			t.Helper()
			p.must(t, http.StatusUnprocessableEntity).contains(t, `value="Kept title"`, "Please correct:")
			for input, msg := range want {
				if got := fieldError(t, p, input); got != msg {
					t.Errorf("beside %s: %q, want %q", input, got, msg)
				}
			}
			for _, input := range []string{"title", "description", "signature_profile", "secret"} {
				if strings.Contains(p.body, `id="`+input+`-error"`) {
					t.Errorf("an error beside %s, which is fine", input)
				}
			}
		}

		t.Run("create", func(t *testing.T) {
			// The help states the limit the service enforces.
			b.get("/ui/endpoints/new").contains(t, fmt.Sprintf("0 to %d;", store.MaxRetriesLimit))
			check(t, b.post("/ui/endpoints", bad))
			if n, err := st.ListEndpoints(t.Context(), store.EndpointFilter{}); err != nil || len(n) != 0 {
				t.Errorf("endpoints after a refused create: %v, %v", n, err)
			}
		})

		t.Run("update", func(t *testing.T) {
			e := createEndpoint(t, st)
			id := itoa(e.ID)
			b.get("/ui/endpoints/" + id + "/edit")
			check(t, b.post("/ui/endpoints/"+id, bad))
			got, err := st.GetEndpoint(t.Context(), e.ID)
			if err != nil || got.Title != e.Title || got.URL != e.URL {
				t.Errorf("after a refused edit: %+v, %v; want it unchanged", got, err)
			}
		})
	})
}

// summary returns the errors listed above a form, in their order.
func summary(p answer) []string {
	var out []string
	if _, list, ok := strings.Cut(p.body, `<div class="error-summary"`); ok {
		list, _, _ = strings.Cut(list, "</ul>")
		for _, m := range regexp.MustCompile(`<li>([^<]*)</li>`).FindAllStringSubmatch(list, -1) {
			out = append(out, html.UnescapeString(m[1]))
		}
	}
	return out
}

// TestFormsShowEveryErrorAtOnce: an input the dashboard cannot read
// (max_retries "abc", a header line without a colon, data that is not
// JSON) does not hide the service's errors on the other inputs: all are
// shown, beside their inputs and above the form in the form's order.
func TestFormsShowEveryErrorAtOnce(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		b := newDashboardOnly(t, st).signedIn()
		bad := url.Values{
			"title": {strings.Repeat("t", 201)}, "url": {"ftp://127.0.0.1/x"}, "events": {"ok.type, bad*"},
			"headers": {"X-Tenant: acme\nno colon here"}, "max_retries": {"abc"},
			"signature_profile": {store.ProfileStandard}, "active": {"1"},
		}
		want := []struct{ input, msg string }{
			{"url", "url: scheme must be http or https"},
			{"title", "title: is longer than 200 characters"},
			{"events", `events[1]: "bad*" is not an event type, "*" or "prefix.*"`},
			{"headers", "headers: line 2: write each header as Name: value"},
			{"max_retries", "max_retries: must be a whole number"},
		}
		check := func(t *testing.T, p answer) {
			t.Helper()
			p.must(t, http.StatusUnprocessableEntity)
			var msgs []string
			for _, w := range want {
				if got := fieldError(t, p, w.input); got != w.msg {
					t.Errorf("beside %s: %q, want %q", w.input, got, w.msg)
				}
				msgs = append(msgs, w.msg)
			}
			if got := summary(p); !slices.Equal(got, msgs) {
				t.Errorf("summary %q, want %q (the form's order)", got, msgs)
			}
		}
		t.Run("create", func(t *testing.T) {
			b.get("/ui/endpoints/new")
			check(t, b.post("/ui/endpoints", bad))
			if n, err := st.ListEndpoints(t.Context(), store.EndpointFilter{}); err != nil || len(n) != 0 {
				t.Errorf("endpoints after a refused create: %v, %v", n, err)
			}
		})
		t.Run("update", func(t *testing.T) {
			e := createEndpoint(t, st)
			b.get("/ui/endpoints/" + itoa(e.ID) + "/edit")
			check(t, b.post("/ui/endpoints/"+itoa(e.ID), bad))
			if got, err := st.GetEndpoint(t.Context(), e.ID); err != nil || got.Title != e.Title || got.URL != e.URL {
				t.Errorf("after a refused edit: %+v, %v; want it unchanged", got, err)
			}
		})
		t.Run("publish", func(t *testing.T) {
			b.get("/ui/events")
			p := b.post("/ui/events", url.Values{"type": {""}, "data": {"{not json"}}).must(t, http.StatusUnprocessableEntity)
			msgs := []string{"type: is required", "data: is not valid JSON"}
			if got := summary(p); !slices.Equal(got, msgs) {
				t.Errorf("publish summary %q, want %q", got, msgs)
			}
		})
	})
}
