package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestConfigEndpointURLIsFixed: an endpoint that WEBHOOK_URLS defines keeps
// the URL the operator gave; PATCH may change its other fields.
func TestConfigEndpointURLIsFixed(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		const configured = "http://127.0.0.1:9/config"
		if err := st.SyncConfigEndpoints(t.Context(), []string{configured}, "config-secret-0123456789"); err != nil {
			t.Fatal(err)
		}
		id := listEndpoints(t, st)[0].ID
		s := newServer(t, st, nil)
		path := fmt.Sprintf("/v1/webhooks/%d", id)
		for _, body := range []string{`{"url":"http://127.0.0.1:9/elsewhere"}`, `{"url":"http://127.0.0.1:9/elsewhere","title":"t"}`} {
			e := s.wantError("PATCH", path, body, http.StatusConflict, "conflict")
			if !strings.Contains(e.Message, "WEBHOOK_URLS") || e.Field != "url" {
				t.Errorf("PATCH %s: %+v, want a conflict naming WEBHOOK_URLS", body, e)
			}
		}
		if got := getEndpoint(t, st, id); got.URL != configured || got.Title == "t" {
			t.Errorf("after refused PATCHes: url %q title %q, want nothing changed", got.URL, got.Title)
		}
		// The same URL, and the other fields, may be written.
		s.call("PATCH", path, fmt.Sprintf(`{"url":%q,"title":"ops"}`, configured), http.StatusOK, nil)
		if got := getEndpoint(t, st, id); got.URL != configured || got.Title != "ops" || got.CreatedBy != store.ConfigSource {
			t.Errorf("after an allowed PATCH: %+v", got)
		}
		// Once the operator removes it from WEBHOOK_URLS, its trust is gone:
		// it cannot be enabled again through the API.
		if err := st.SyncConfigEndpoints(t.Context(), nil, ""); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ method, path, body string }{
			{"POST", path + "/enable", ""},
			{"PATCH", path, `{"active":true}`},
		} {
			if e := s.wantError(c.method, c.path, c.body, http.StatusConflict, "conflict"); !strings.Contains(e.Message, "WEBHOOK_URLS") || e.Field != "active" {
				t.Errorf("%s %s: %+v, want a conflict naming WEBHOOK_URLS", c.method, c.path, e)
			}
		}
		if got := getEndpoint(t, st, id); got.Active {
			t.Error("an endpoint removed from WEBHOOK_URLS was enabled through the API")
		}
	})
}
