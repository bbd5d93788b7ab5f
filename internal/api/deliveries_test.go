package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestDeliveries(t *testing.T) {
	testenv.EachStoreParallel(t, map[string]func(*testing.T, store.Store){
		"ListFiltersAndPages": testListDeliveries,
		"ListBadParameters":   testListDeliveriesBadParams,
		"GetWithAttempts":     testGetDelivery,
		"RetryAndCancel":      testRetryAndCancel,
		"Replay":              testReplay,
	})
}

func testListDeliveries(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	a := s.createEndpoint("http://127.0.0.1:9/a")
	b := s.createEndpoint("http://127.0.0.1:9/b", "document.*")
	start := time.Now().Add(-time.Second)
	first := s.publish("document.created")   // a, b
	s.publish("signature.created")           // a
	third := s.publish("document.completed") // a, b

	var page wire.DeliveryList
	s.call("GET", "/v1/deliveries", nil, http.StatusOK, &page)
	if len(page.Data) != 5 || page.NextCursor != "" {
		t.Fatalf("all = %d deliveries, cursor %q", len(page.Data), page.NextCursor)
	}
	for i := 1; i < len(page.Data); i++ {
		if page.Data[i].ID >= page.Data[i-1].ID {
			t.Fatalf("not newest first: %d before %d", page.Data[i-1].ID, page.Data[i].ID)
		}
	}
	var seen int
	for cursor := ""; ; cursor = page.NextCursor {
		s.call("GET", "/v1/deliveries?limit=2&cursor="+cursor, nil, http.StatusOK, &page)
		seen += len(page.Data)
		if page.NextCursor == "" {
			break
		}
	}
	if seen != 5 {
		t.Errorf("paged through %d deliveries, want 5", seen)
	}
	filters := map[string]int{
		fmt.Sprintf("webhook_id=%d", b.ID): 2,
		fmt.Sprintf("webhook_id=%d", a.ID): 3,
		"event_type=signature.created":     1,
		"event_id=" + first.EventID:        2,
		"status=pending":                   5,
		"status=failed":                    0,
		"created_after=" + url.QueryEscape(start.Format(time.RFC3339)):  5,
		"created_before=" + url.QueryEscape(start.Format(time.RFC3339)): 0,
		fmt.Sprintf("webhook_id=%d&event_id=%s", b.ID, third.EventID):   1,
	}
	for q, want := range filters {
		s.call("GET", "/v1/deliveries?"+q, nil, http.StatusOK, &page)
		if len(page.Data) != want {
			t.Errorf("%s: %d deliveries, want %d", q, len(page.Data), want)
		}
	}
}

func testListDeliveriesBadParams(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	for _, bad := range []string{
		"webhook_id=x", "webhook_id=0", "status=lost", "event_id=nope", "created_after=yesterday",
		"created_before=2026-13-01", "limit=0", "limit=501", "cursor=-5",
	} {
		name, _, _ := strings.Cut(bad, "=")
		e := s.wantError("GET", "/v1/deliveries?"+bad, nil, http.StatusBadRequest, "bad_request")
		if e.Field != name || !strings.HasPrefix(e.Message, name+": ") {
			t.Errorf("%s: error %+v, want the parameter named", bad, e)
		}
	}
}

func testGetDelivery(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	s.createEndpoint("http://127.0.0.1:9/a")
	res := s.publish("document.created")
	finish(t, st, store.ResultRetry)
	ds := listDeliveries(t, st, store.DeliveryFilter{EventID: res.EventID})
	var got wire.DeliveryDetail
	s.call("GET", fmt.Sprintf("/v1/deliveries/%d", ds[0].ID), nil, http.StatusOK, &got)
	if got.ID != ds[0].ID || got.EventID != res.EventID || got.Status != "pending" || got.RetryCount != 1 || len(got.Payload) == 0 {
		t.Fatalf("delivery = %+v", got)
	}
	if len(got.Attempts) != 1 || got.Attempts[0].Attempt != 1 || *got.Attempts[0].ResponseStatus != 500 || got.Attempts[0].ResponseBody != "boom" {
		t.Errorf("attempts = %+v", got.Attempts)
	}
	s.wantError("GET", "/v1/deliveries/999999", nil, http.StatusNotFound, "not_found")
	s.wantError("GET", "/v1/deliveries/x", nil, http.StatusBadRequest, "bad_request")
}

func testRetryAndCancel(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	s.createEndpoint("http://127.0.0.1:9/a")
	res := s.publish("document.created")
	ds := listDeliveries(t, st, store.DeliveryFilter{EventID: res.EventID})
	path := fmt.Sprintf("/v1/deliveries/%d", ds[0].ID)

	var got wire.Delivery
	s.call("POST", path+"/cancel", nil, http.StatusOK, &got)
	if got.Status != "cancelled" {
		t.Fatalf("cancelled delivery status = %q", got.Status)
	}
	e := s.wantError("POST", path+"/cancel", nil, http.StatusConflict, "conflict")
	if !strings.Contains(e.Message, fmt.Sprint(ds[0].ID)) {
		t.Errorf("conflict message %q does not name the delivery", e.Message)
	}
	s.call("POST", path+"/retry", nil, http.StatusOK, &got)
	if got.Status != "pending" {
		t.Fatalf("retried delivery status = %q", got.Status)
	}
	finish(t, st, store.ResultDelivered)
	s.wantError("POST", path+"/retry", nil, http.StatusConflict, "conflict")
	s.wantError("POST", "/v1/deliveries/999999/retry", nil, http.StatusNotFound, "not_found")
	s.wantError("POST", "/v1/deliveries/999999/cancel", nil, http.StatusNotFound, "not_found")
}

func testReplay(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	a := s.createEndpoint("http://127.0.0.1:9/a")
	s.createEndpoint("http://127.0.0.1:9/b")
	s.publish("document.created")
	s.publish("signature.created")
	finish(t, st, store.ResultFailed)

	var res wire.ReplayResponse
	s.call("POST", "/v1/deliveries/replay", wire.ReplayRequest{EndpointID: &a.ID, EventType: "document.created"}, http.StatusOK, &res)
	if res.Replayed != 1 {
		t.Fatalf("replayed %d, want 1", res.Replayed)
	}
	// An endpoint ID of 0 (an unset integer) is refused, never "every endpoint".
	if e := s.wantError("POST", "/v1/deliveries/replay", `{"webhook_id":0}`, http.StatusUnprocessableEntity, "validation_failed"); e.Field != "webhook_id" {
		t.Errorf("webhook_id 0: %+v, want a field error", e)
	}
	s.call("POST", "/v1/deliveries/replay", nil, http.StatusOK, &res)
	if res.Replayed != 3 {
		t.Fatalf("replay of every failed delivery: %d, want the 3 still failed", res.Replayed)
	}
	var page wire.DeliveryList
	s.call("GET", "/v1/deliveries?status=pending", nil, http.StatusOK, &page)
	if len(page.Data) != 4 {
		t.Errorf("%d pending after replay, want 4", len(page.Data))
	}
	if e := s.wantError("POST", "/v1/deliveries/replay", `{"event_id":"x"}`, http.StatusUnprocessableEntity, "validation_failed"); e.Field != "event_id" {
		t.Errorf("bad event_id: %+v", e)
	}
	s.wantError("POST", "/v1/deliveries/replay", `{"status":"failed"}`, http.StatusBadRequest, "invalid_json")
	s.wantError("POST", "/v1/deliveries/replay", `{"created_after":"yesterday"}`, http.StatusBadRequest, "invalid_json")
}
