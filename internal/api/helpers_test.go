package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
)

// testToken is the bearer token of every test server.
const testToken = "test-token-0123456789"

// apiServer is a real API server on loopback over a real store.
type apiServer struct {
	t     *testing.T
	url   string
	store store.Store
}

// newServer serves the API over st; tune, when not nil, adjusts the options.
func newServer(t *testing.T, st store.Store, tune func(*api.Options)) *apiServer {
	t.Helper()
	opts := api.Options{
		Store: st, Token: testToken, MaxPayloadBytes: 4 << 10, DefaultMaxRetries: 3, AllowPrivateTargets: true,
	}
	if tune != nil {
		tune(&opts)
	}
	srv := httptest.NewServer(api.New(opts))
	t.Cleanup(srv.Close)
	return &apiServer{t: t, url: srv.URL, store: st}
}

// send makes one request with the test token; body is sent as is when it is
// a string, as JSON otherwise, and not at all when nil.
func (s *apiServer) send(method, path string, body any, header http.Header) (int, http.Header, []byte) {
	s.t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.t.Fatalf("encode body: %v", err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, s.url+path, reader)
	if err != nil {
		s.t.Fatalf("build request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	for name, values := range header {
		req.Header[name] = values
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: read answer: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, raw
}

// call makes a request that must answer want, and decodes the answer into out
// when out is not nil.
func (s *apiServer) call(method, path string, body any, want int, out any) {
	s.t.Helper()
	status, _, raw := s.send(method, path, body, nil)
	if status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// wantError makes a request that must fail with status and code, and returns
// the error document.
func (s *apiServer) wantError(method, path string, body any, status int, code string) wire.Error {
	s.t.Helper()
	got, header, raw := s.send(method, path, body, nil)
	return checkError(s.t, method+" "+path, got, header, raw, status, code)
}

// checkError checks an error answer: its status, its JSON document and code.
func checkError(t *testing.T, what string, status int, header http.Header, raw []byte, want int, code string) wire.Error {
	t.Helper()
	if status != want {
		t.Fatalf("%s: status %d, want %d: %s", what, status, want, raw)
	}
	if ct := header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	var body wire.ErrorBody
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("%s: error answer is not JSON: %s", what, raw)
	}
	if body.Error.Code != code || body.Error.Message == "" {
		t.Fatalf("%s: error %+v, want code %q and a message", what, body.Error, code)
	}
	return body.Error
}

// createEndpoint creates an endpoint subscribed to events (all when none).
func (s *apiServer) createEndpoint(url string, events ...string) wire.Endpoint {
	s.t.Helper()
	var ep wire.Endpoint
	s.call("POST", "/v1/webhooks", wire.EndpointCreate{URL: url, Events: events}, http.StatusCreated, &ep)
	return ep
}

// publish publishes an event through the API.
func (s *apiServer) publish(eventType string) wire.PublishResponse {
	s.t.Helper()
	var res wire.PublishResponse
	s.call("POST", "/v1/events", wire.PublishRequest{Type: eventType}, http.StatusAccepted, &res)
	return res
}

// finish claims every due delivery and completes each with result, as a
// worker would after one attempt.
func finish(t *testing.T, st store.Store, result store.Result) {
	t.Helper()
	ctx := context.Background()
	claimed, err := st.Claim(ctx, store.ClaimRequest{Limit: 100, Lease: time.Minute, Worker: "test"})
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	outcomes := make([]store.Outcome, len(claimed))
	for i, c := range claimed {
		outcomes[i] = outcomeOf(c, result)
	}
	if _, err := st.Complete(ctx, outcomes, store.HealthPolicy{}); err != nil {
		t.Fatalf("complete: %v", err)
	}
}

// outcomeOf is the outcome of one attempt of c that the endpoint answered
// with 500 (result says what the queue makes of it; a retry is due in an hour).
func outcomeOf(c store.Claimed, result store.Result) store.Outcome {
	status := 500
	return store.Outcome{Lease: c.Lease, Result: result, RetryAt: time.Now().Add(time.Hour), Attempt: store.Attempt{
		DeliveryID: c.Delivery.ID, Attempt: c.Delivery.RetryCount + 1, StartedAt: time.Now(),
		ResponseStatus: &status, ResponseBody: "boom", Error: "HTTP 500",
	}}
}

// listDeliveries lists the deliveries that match f, failing t when the store
// fails.
func listDeliveries(t *testing.T, st store.Store, f store.DeliveryFilter) []store.Delivery {
	t.Helper()
	ds, err := st.ListDeliveries(context.Background(), f)
	if err != nil {
		t.Fatalf("list deliveries %+v: %v", f, err)
	}
	return ds
}

// listEndpoints lists every endpoint, failing t when the store fails.
func listEndpoints(t *testing.T, st store.Store) []store.Endpoint {
	t.Helper()
	es, err := st.ListEndpoints(context.Background(), store.EndpointFilter{})
	if err != nil {
		t.Fatalf("list endpoints: %v", err)
	}
	return es
}

// getEndpoint reads the stored endpoint id, failing t when the store fails.
func getEndpoint(t *testing.T, st store.Store, id int64) store.Endpoint {
	t.Helper()
	e, err := st.GetEndpoint(context.Background(), id)
	if err != nil {
		t.Fatalf("get endpoint %d: %v", id, err)
	}
	return e
}

// mustJSON encodes v.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return string(raw)
}
