package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestFormsRefuseTextNoStoreKeeps: the dashboard's forms refuse bytes that
// are not UTF-8 and NUL characters, naming the input, and event data the
// stores cannot keep exactly, the same on both stores; nothing is written.
func TestFormsRefuseTextNoStoreKeeps(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		b := newSite(t, st, testToken).signedIn()
		b.get("/ui/endpoints/new").must(t, http.StatusOK) // the form, and its CSRF token
		for _, title := range []string{"caf\xe9", "a\x00b"} {
			b.post("/ui/endpoints", url.Values{"title": {title}, "url": {"http://127.0.0.1:9/x"}, "signature_profile": {store.ProfileStandard}}).
				must(t, http.StatusBadRequest).contains(t, "Title: ")
		}
		b.post("/ui/events", url.Values{"type": {"t.x"}, "data": {`{"note":"a\u0000b"}`}}).
			must(t, http.StatusUnprocessableEntity).contains(t, `id="data-error"`, `\u0000`)
		b.post("/ui/events", url.Values{"type": {"t.x"}, "data": {`{"n":1e131072}`}}).
			must(t, http.StatusUnprocessableEntity).contains(t, `id="data-error"`, "before the decimal point")
		endpoints, err := st.ListEndpoints(context.Background(), store.EndpointFilter{})
		if err != nil || len(endpoints) != 0 {
			t.Errorf("endpoints after refused forms: %d (%v), want none", len(endpoints), err)
		}
	})
}
