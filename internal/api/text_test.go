package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// TestTextNoStoreKeeps: every input that PostgreSQL cannot store (a NUL, in
// any field, a query parameter or the event data; bytes that are not UTF-8)
// is refused alike on both stores, with the field named, never a 500.
func TestTextNoStoreKeeps(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		t.Parallel()
		st := newStore(t)
		s := newServer(t, st, nil)
		ep := s.createEndpoint("http://127.0.0.1:9/a")
		id := "/v1/webhooks/" + strconv.FormatInt(ep.ID, 10)
		refused := []struct{ method, path, body, field string }{
			{"POST", "/v1/events", `{"type":"document.created","data":{"note":"a\u0000b"}}`, "data"},
			{"POST", "/v1/events", `{"type":"t.x","data":{"s":"\ud800"}}`, "data"},
			{"POST", "/v1/events", `{"type":"t.x","data":{"n":1e131072}}`, "data"},
			{"POST", "/v1/webhooks", `{"url":"http://127.0.0.1:9/b","title":"a\u0000b"}`, "title"},
			{"POST", "/v1/webhooks", `{"url":"http://127.0.0.1:9/b","description":"a\u0000b"}`, "description"},
			{"POST", "/v1/webhooks", `{"url":"http://127.0.0.1:9/b","secret":"0123456789abcdef\u0000"}`, "secret"},
			{"POST", "/v1/webhooks", `{"url":"http://127.0.0.1:9/b","headers":{"X-A":"a\u0000"}}`, "headers.X-A"},
			{"PATCH", id, `{"title":"a\u0000b"}`, "title"},
			{"POST", id + "/disable", `{"reason":"a\u0000b"}`, "reason"},
			{"POST", id + "/rotate-secret", `{"secret":"0123456789abcdef\u0000"}`, "secret"},
			{"POST", "/v1/deliveries/replay", `{"event_type":"a\u0000b"}`, "event_type"},
			// Unpaired surrogate escapes, which Go's decoder would turn into
			// U+FFFD without a word.
			{"POST", "/v1/webhooks", `{"url":"http://127.0.0.1:9/b","secret":"aaaaaaaaaaaaaaaa\ud800"}`, "secret"},
			{"POST", "/v1/webhooks", `{"url":"http://127.0.0.1:9/\ud800"}`, "url"},
			{"POST", "/v1/webhooks", `{"url":"http://127.0.0.1:9/b","headers":{"X-A":"\udfff"}}`, "headers"},
			{"PATCH", id, `{"description":"x\udfff"}`, "description"},
			{"POST", id + "/disable", `{"reason":"\ud800"}`, "reason"},
			{"POST", id + "/rotate-secret", `{"secret":"aaaaaaaaaaaaaaaa\ud800"}`, "secret"},
		}
		for _, c := range refused {
			e := s.wantError(c.method, c.path, c.body, http.StatusUnprocessableEntity, "validation_failed")
			if e.Field != c.field {
				t.Errorf("%s %s %s: %+v, want field %q", c.method, c.path, c.body, e, c.field)
			}
		}
		// Go's decoder lets the last of two members win and ignores case:
		// the envelope is read strictly instead (data stays the publisher's).
		for _, c := range []struct{ method, path, body, field string }{
			{"POST", "/v1/events", `{"type":"val.x","type":"val.y"}`, "type"},
			{"POST", "/v1/events", `{"TYPE":"val.x"}`, "TYPE"},
			{"POST", "/v1/events/batch", `{"events":[{"type":"a.b"}],"events":[]}`, "events"},
			{"POST", "/v1/events/batch", `{"events":[{"type":"a.b","Type":"a.c"}]}`, "events.Type"},
			{"POST", "/v1/webhooks", `{"url":"http://127.0.0.1:9/b","headers":{"X-A":"1","X-A":"2"}}`, "headers.X-A"},
		} {
			if e := s.wantError(c.method, c.path, c.body, http.StatusBadRequest, "invalid_json"); e.Field != c.field {
				t.Errorf("%s %s %s: %+v, want field %q", c.method, c.path, c.body, e, c.field)
			}
		}
		for _, body := range []string{"{\"type\":\"t.x\",\"data\":{\"s\":\"caf\xe9 \xff\"}}", "{\"url\":\"http://127.0.0.1:9/b\",\"title\":\"caf\xe9\"}"} {
			s.wantError("POST", "/v1/events", body, http.StatusBadRequest, "invalid_json")
			s.wantError("POST", "/v1/webhooks", body, http.StatusBadRequest, "invalid_json")
		}
		for _, q := range []string{"a%00b", "caf%E9"} {
			if e := s.wantError("GET", "/v1/deliveries?event_type="+q, nil, http.StatusBadRequest, "bad_request"); e.Field != "event_type" {
				t.Errorf("?event_type=%s: %+v, want field event_type", q, e)
			}
		}
		// A U+FFFD that the client sent is text like any other.
		if status, _, raw := s.send("PATCH", id, `{"description":"\ufffd and �"}`, nil); status != http.StatusOK {
			t.Errorf("a description with U+FFFD: %d %s, want 200", status, raw)
		}
		got, err := st.GetEndpoint(t.Context(), ep.ID)
		if err != nil || got.Title != "" || !got.Active || got.Secret != ep.Secret || got.Description != "� and �" {
			t.Errorf("endpoint after refused changes: %+v (%v), want it unchanged", got, err)
		}
		if ds := listDeliveries(t, st, store.DeliveryFilter{}); len(ds) != 0 {
			t.Errorf("refused publishes made %d deliveries", len(ds))
		}
		// Members inside data are the publisher's, duplicates included.
		s.call("POST", "/v1/events", `{"type":"val.x","data":{"a":1,"a":2}}`, http.StatusAccepted, nil)
	})
}
