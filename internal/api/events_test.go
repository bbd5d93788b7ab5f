package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestEvents(t *testing.T) {
	testenv.EachStoreParallel(t, map[string]func(*testing.T, store.Store){
		"PublishFansOut":         testPublishFansOut,
		"SameIDIsIdempotent":     testSameIDIsIdempotent,
		"EndpointIDsLimitFanOut": testEndpointIDs,
		"PublishValidation":      testPublishValidation,
		"GetEvent":               testGetEvent,
	})
}

func testPublishFansOut(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	s.createEndpoint("http://127.0.0.1:9/all")
	s.createEndpoint("http://127.0.0.1:9/docs", "document.*")
	s.createEndpoint("http://127.0.0.1:9/sigs", "signature.created")
	var res wire.PublishResponse
	s.call("POST", "/v1/events", `{"type":"document.created","data":{"doc":42},"priority":5,"ordering_key":"doc-42"}`, http.StatusAccepted, &res)
	if !res.Created || res.Deliveries != 2 || res.EventID == "" || res.Event.ID != res.EventID ||
		res.Event.Type != "document.created" || res.Event.Priority != 5 || string(res.Event.Data) != `{"doc":42}` ||
		res.Event.OrderingKey != "doc-42" {
		t.Fatalf("publish answer = %+v", res)
	}
	ds, err := st.ListDeliveries(context.Background(), store.DeliveryFilter{EventID: res.EventID})
	if err != nil || len(ds) != 2 || ds[0].MaxRetries != 3 || ds[0].Priority != 5 || ds[0].OrderingKey != "doc-42" {
		t.Errorf("stored deliveries = %+v (%v), want 2 with max_retries 3, priority 5 and ordering key doc-42", ds, err)
	}
}

func testSameIDIsIdempotent(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	s.createEndpoint("http://127.0.0.1:9/all")
	body := `{"id":"0190b6a4-0000-7000-8000-000000000001","type":"signature.created","data":{"n":1}}`
	var first, second wire.PublishResponse
	s.call("POST", "/v1/events", body, http.StatusAccepted, &first)
	s.call("POST", "/v1/events", strings.Replace(body, `"n":1`, `"n":2`, 1), http.StatusOK, &second)
	if second.Created || second.Deliveries != 0 || second.EventID != first.EventID || string(second.Event.Data) != `{"n":1}` {
		t.Fatalf("second publish = %+v, want the stored event and no deliveries", second)
	}
	ds := listDeliveries(t, st, store.DeliveryFilter{EventID: first.EventID})
	if len(ds) != 1 {
		t.Errorf("%d deliveries after two publishes of one ID, want 1", len(ds))
	}
}

func testEndpointIDs(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	a := s.createEndpoint("http://127.0.0.1:9/a", "document.*") // a target gets the event whatever it subscribes to
	s.createEndpoint("http://127.0.0.1:9/b")
	var res wire.PublishResponse
	s.call("POST", "/v1/events", wire.PublishRequest{Type: "x.y", EndpointIDs: []int64{a.ID}}, http.StatusAccepted, &res)
	ds := listDeliveries(t, st, store.DeliveryFilter{EventID: res.EventID})
	if res.Deliveries != 1 || len(ds) != 1 || ds[0].EndpointID != a.ID {
		t.Fatalf("targeted publish: %+v, deliveries %+v", res, ds)
	}
	e := s.wantError("POST", "/v1/events", wire.PublishRequest{Type: "x.y", EndpointIDs: []int64{a.ID, 999}}, http.StatusUnprocessableEntity, "validation_failed")
	if e.Field != "endpoint_ids[1]" {
		t.Errorf("unknown endpoint: %+v", e)
	}
}

func testPublishValidation(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	s.createEndpoint("http://127.0.0.1:9/all")
	cases := []struct{ body, field string }{
		{`{}`, "type"},
		{`{"type":"has space"}`, "type"},
		{`{"type":"a*"}`, "type"},
		{fmt.Sprintf(`{"type":%q}`, strings.Repeat("t", 201)), "type"},
		{`{"type":"a","id":"not-a-uuid"}`, "id"},
		{`{"type":"a","priority":3000000000}`, "priority"},
		{`{"type":"a","endpoint_ids":[0]}`, "endpoint_ids[0]"},
		{fmt.Sprintf(`{"type":"a","ordering_key":%q}`, strings.Repeat("k", 256)), "ordering_key"},
		{`{"type":"a","ordering_key":"a\u0000b"}`, "ordering_key"},
	}
	for _, c := range cases {
		e := s.wantError("POST", "/v1/events", c.body, http.StatusUnprocessableEntity, "validation_failed")
		if e.Field != c.field {
			t.Errorf("%s: error %+v, want field %q", c.body, e, c.field)
		}
	}
	e := s.wantError("POST", "/v1/events", `{"type":5}`, http.StatusBadRequest, "invalid_json")
	if e.Field != "type" {
		t.Errorf("type of the wrong kind: %+v", e)
	}
	ds := listDeliveries(t, st, store.DeliveryFilter{})
	if len(ds) != 0 {
		t.Errorf("refused publishes created %d deliveries", len(ds))
	}
}

func testGetEvent(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	s.createEndpoint("http://127.0.0.1:9/a")
	s.createEndpoint("http://127.0.0.1:9/b")
	res := s.publish("document.completed")
	var got wire.EventDetail
	s.call("GET", "/v1/events/"+res.EventID, nil, http.StatusOK, &got)
	if got.ID != res.EventID || got.Type != "document.completed" || len(got.Deliveries) != 2 || got.CreatedAt.IsZero() {
		t.Fatalf("event = %+v", got)
	}
	if !json.Valid(got.Data) {
		t.Errorf("data %q is not JSON", got.Data)
	}
	s.wantError("GET", "/v1/events/0190b6a4-0000-7000-8000-0000000000ff", nil, http.StatusNotFound, "not_found")
	if e := s.wantError("GET", "/v1/events/nope", nil, http.StatusBadRequest, "bad_request"); e.Field != "id" {
		t.Errorf("bad id: %+v", e)
	}
}
