package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// credential is a receiver credential sent as a custom header.
const credential = "Bearer receiver-credential-0123456789"

// endpointWithHeaders creates an endpoint through the API that sends headers,
// and returns it and its path.
func (s *apiServer) endpointWithHeaders(headers map[string]string) (wire.Endpoint, string) {
	s.t.Helper()
	var ep wire.Endpoint
	s.call("POST", "/v1/webhooks", wire.EndpointCreate{URL: "http://127.0.0.1:9/a", Headers: headers}, http.StatusCreated, &ep)
	return ep, fmt.Sprintf("/v1/webhooks/%d", ep.ID)
}

// TestHeaderValuesAreSecrets: custom header values are shown masked (name
// kept) by create, get, list, PATCH and the attempts of a delivery; a PATCH
// that sends a value back as its mask keeps the stored one.
func TestHeaderValuesAreSecrets(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		s := newServer(t, st, nil)
		ep, path := s.endpointWithHeaders(map[string]string{"Authorization": credential, "X-Tenant": "tenant-seven"})
		var got wire.Endpoint
		s.call("GET", path, nil, http.StatusOK, &got)
		var list wire.EndpointList
		s.call("GET", "/v1/webhooks", nil, http.StatusOK, &list)
		for what, h := range map[string]map[string]string{"create": ep.Headers, "get": got.Headers, "list": list.Data[0].Headers} {
			if h["Authorization"] != "Bearer …6789" || h["X-Tenant"] != "…" {
				t.Errorf("%s shows headers %v, want them masked", what, h)
			}
		}

		// Read, then write back as read: nothing changes.
		s.call("PATCH", path, wire.EndpointUpdate{Headers: &got.Headers}, http.StatusOK, &got)
		if h := getEndpoint(t, st, ep.ID).Headers; h["Authorization"] != credential || h["X-Tenant"] != "tenant-seven" {
			t.Fatalf("after writing back the masks: %v", h)
		}
		// A value given is written; a header left out is removed.
		s.call("PATCH", path, `{"headers":{"authorization":"Bearer …6789","X-New":"v"}}`, http.StatusOK, &got)
		if h := getEndpoint(t, st, ep.ID).Headers; h["authorization"] != credential || h["X-New"] != "v" || len(h) != 2 {
			t.Fatalf("after a partial header update: %v", h)
		}

		// An attempt recorded with the value in clear (by an earlier
		// release) is shown masked.
		s.publish("document.created")
		ctx := context.Background()
		claimed, err := st.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "test"})
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v, %d", err, len(claimed))
		}
		o := outcomeOf(claimed[0], store.ResultRetry)
		o.Attempt.RequestHeaders = map[string]string{"Authorization": credential, "Content-Type": "application/json", "X-Event-Id": "ev"}
		if _, err := st.Complete(ctx, []store.Outcome{o}, store.HealthPolicy{}); err != nil {
			t.Fatal(err)
		}
		var detail wire.DeliveryDetail
		s.call("GET", fmt.Sprintf("/v1/deliveries/%d", claimed[0].Delivery.ID), nil, http.StatusOK, &detail)
		for _, h := range []map[string]string{detail.RequestHeaders, detail.Attempts[0].RequestHeaders} {
			if h["Authorization"] != "Bearer …6789" || h["Content-Type"] != "application/json" || h["X-Event-Id"] != "ev" {
				t.Errorf("attempt headers shown as %v", h)
			}
		}
		_, _, raw := s.send("GET", fmt.Sprintf("/v1/deliveries/%d", claimed[0].Delivery.ID), nil, nil)
		if strings.Contains(string(raw), "receiver-credential") {
			t.Error("the delivery shows the credential")
		}
	})
}

// Moving an endpoint to another URL does not carry its secret header values
// there: the PATCH must give them again (or drop them), never their masks.
func TestMovingAnEndpointNeedsItsHeadersAgain(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		st := newStore(t)
		s := newServer(t, st, nil)
		ep, path := s.endpointWithHeaders(map[string]string{"Authorization": credential})
		for _, body := range []string{
			`{"url":"http://127.0.0.1:9/elsewhere"}`,
			`{"url":"http://127.0.0.1:9/elsewhere","headers":{"Authorization":"Bearer …6789"}}`,
		} {
			if e := s.wantError("PATCH", path, body, http.StatusUnprocessableEntity, "validation_failed"); e.Field != "headers" {
				t.Errorf("PATCH %s: %+v, want the headers asked for again", body, e)
			}
		}
		if got := getEndpoint(t, st, ep.ID); got.URL != "http://127.0.0.1:9/a" || got.Headers["Authorization"] != credential {
			t.Fatalf("after refused moves: %+v", got)
		}
		s.call("PATCH", path, `{"url":"http://127.0.0.1:9/b","headers":{"Authorization":"Bearer new-credential-0000"}}`, http.StatusOK, nil)
		if got := getEndpoint(t, st, ep.ID); got.URL != "http://127.0.0.1:9/b" || got.Headers["Authorization"] != "Bearer new-credential-0000" {
			t.Errorf("after a move with new values: %+v", got)
		}
		s.call("PATCH", path, `{"url":"http://127.0.0.1:9/c","headers":{}}`, http.StatusOK, nil)
		if got := getEndpoint(t, st, ep.ID); got.URL != "http://127.0.0.1:9/c" || len(got.Headers) != 0 {
			t.Errorf("after a move that drops the headers: %+v", got)
		}
	})
}
