package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestServer(t *testing.T) {
	testenv.EachStoreParallel(t, map[string]func(*testing.T, store.Store){
		"Health":                     testHealth,
		"NotReadyWhenDatabaseIsGone": testNotReady,
		"Auth":                       testAuth,
		"OpenWithoutToken":           testOpenWithoutToken,
		"BadJSON":                    testBadJSON,
		"PayloadTooLarge":            testPayloadTooLarge,
		"UnknownRouteAndMethod":      testUnknownRoute,
		"StoreFailureIs500":          testStoreFailure,
		"PanicIs500":                 testPanic,
		"ServesOpenAPI":              testServesOpenAPI,
	})
}

func testHealth(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		status, _, raw := s.sendWithout(path)
		var h wire.Health
		if status != http.StatusOK || json.Unmarshal(raw, &h) != nil || h.Status != want {
			t.Errorf("GET %s without a token: %d %s", path, status, raw)
		}
	}
}

func testNotReady(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	st.Close()
	status, header, raw := s.sendWithout("/readyz")
	checkError(t, "GET /readyz", status, header, raw, http.StatusServiceUnavailable, "not_ready")
	if status, _, _ := s.sendWithout("/healthz"); status != http.StatusOK {
		t.Errorf("healthz = %d with the database gone, want 200", status)
	}
}

func testAuth(t *testing.T, st store.Store) {
	for _, auth := range []string{"", "Bearer wrong-token", "Basic " + testToken, "Bearer", testToken} {
		// A server of its own, so that the failures stay under the
		// throttling limit (see TestTokenGuessingIsThrottled).
		s := newServer(t, st, nil)
		for _, path := range []string{"/v1/webhooks", "/v1/deliveries", "/v1/openapi.json", "/v1/events/x"} {
			status, header, raw := s.send("GET", path, nil, http.Header{"Authorization": {auth}})
			checkError(t, "GET "+path+" with "+auth, status, header, raw, http.StatusUnauthorized, "unauthorized")
			if !strings.HasPrefix(header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without WWW-Authenticate: Bearer: %q", header.Get("WWW-Authenticate"))
			}
		}
	}
	s := newServer(t, st, nil)
	status, header, raw := s.send("POST", "/v1/webhooks", `{"url":"http://127.0.0.1/"}`, http.Header{"Authorization": {"Bearer nope"}})
	checkError(t, "unauthorized create", status, header, raw, http.StatusUnauthorized, "unauthorized")
	if list := listEndpoints(t, st); len(list) != 0 {
		t.Errorf("an unauthorized create stored an endpoint")
	}
}

func testOpenWithoutToken(t *testing.T, st store.Store) {
	s := newServer(t, st, func(o *api.Options) { o.Token = "" })
	if status, _, raw := s.sendWithout("/v1/webhooks"); status != http.StatusOK {
		t.Errorf("GET /v1/webhooks without a token on an open server: %d %s", status, raw)
	}
}

func testBadJSON(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	for _, body := range []string{
		``, `{`, `[]`, `"x"`, `{"type":"a"} {"type":"b"}`, `{"type":"a"}x`, `{"type":"a","extra":1}`, `{"type":"a","data":}`,
	} {
		s.wantError("POST", "/v1/events", body, http.StatusBadRequest, "invalid_json")
	}
	for _, body := range []string{`{"url":1}`, `{"url":"http://127.0.0.1/","unknown":true}`, `{"url":"http://127.0.0.1/","events":"a"}`} {
		s.wantError("POST", "/v1/webhooks", body, http.StatusBadRequest, "invalid_json")
	}
	if list := listEndpoints(t, st); len(list) != 0 {
		t.Errorf("bad requests stored %d endpoints", len(list))
	}
}

func testPayloadTooLarge(t *testing.T, st store.Store) {
	s := newServer(t, st, nil) // MaxPayloadBytes: 4 KiB
	s.createEndpoint("http://127.0.0.1:9/a")
	big := `{"type":"a","data":{"blob":"` + strings.Repeat("x", 5<<10) + `"}}`
	s.wantError("POST", "/v1/events", big, http.StatusRequestEntityTooLarge, "payload_too_large")
	s.wantError("POST", "/v1/webhooks", `{"url":"http://127.0.0.1/","description":"`+strings.Repeat("x", 5<<10)+`"}`,
		http.StatusRequestEntityTooLarge, "payload_too_large")
	if ds := listDeliveries(t, st, store.DeliveryFilter{}); len(ds) != 0 {
		t.Errorf("an oversized publish created %d deliveries", len(ds))
	}
	s.call("POST", "/v1/events", `{"type":"a","data":{"blob":"`+strings.Repeat("x", 3<<10)+`"}}`, http.StatusAccepted, nil)
}

func testUnknownRoute(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	s.wantError("GET", "/v2/nothing", nil, http.StatusNotFound, "not_found")
	s.wantError("GET", "/v1/webhooks/1/secrets", nil, http.StatusNotFound, "not_found")
	status, header, raw := s.send("PUT", "/v1/webhooks/1", `{}`, nil)
	checkError(t, "PUT /v1/webhooks/1", status, header, raw, http.StatusMethodNotAllowed, "method_not_allowed")
	if allow := header.Get("Allow"); !strings.Contains(allow, "PATCH") {
		t.Errorf("405 Allow = %q, want PATCH among them", allow)
	}
}

func testStoreFailure(t *testing.T, st store.Store) {
	var logs testenv.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	s := newServer(t, failingStore{st}, func(o *api.Options) { o.Logger = logger })
	e := s.wantError("GET", "/v1/webhooks", nil, http.StatusInternalServerError, "internal_error")
	if strings.Contains(e.Message, "disk on fire") {
		t.Errorf("500 leaks the cause: %q", e.Message)
	}
	if !strings.Contains(logs.String(), "disk on fire") {
		t.Errorf("the cause of a 500 is not logged: %s", logs.String())
	}
	if strings.Contains(logs.String(), testToken) {
		t.Errorf("the log holds the token: %s", logs.String())
	}
}

func testPanic(t *testing.T, st store.Store) {
	var logs testenv.Buffer
	s := newServer(t, panickingStore{st}, func(o *api.Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	s.wantError("GET", "/v1/webhooks/1", nil, http.StatusInternalServerError, "internal_error")
	if !strings.Contains(logs.String(), "panic") {
		t.Errorf("the panic is not logged: %s", logs.String())
	}
	s.call("GET", "/v1/webhooks", nil, http.StatusOK, nil) // the server still serves
}

func testServesOpenAPI(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	s.call("GET", "/v1/openapi.json", nil, http.StatusOK, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Paths) == 0 {
		t.Errorf("openapi.json: version %q, %d paths", doc.OpenAPI, len(doc.Paths))
	}
}

// sendWithout makes a GET without the token.
func (s *apiServer) sendWithout(path string) (int, http.Header, []byte) {
	s.t.Helper()
	return s.send("GET", path, nil, http.Header{"Authorization": nil})
}

// failingStore fails ListEndpoints as a broken database would.
type failingStore struct{ store.Store }

func (failingStore) ListEndpoints(context.Context, store.EndpointFilter) ([]store.Endpoint, error) {
	return nil, errors.New("disk on fire")
}

// panickingStore panics in GetEndpoint, as a bug would.
type panickingStore struct{ store.Store }

func (panickingStore) GetEndpoint(context.Context, int64) (store.Endpoint, error) {
	panic("bug")
}

func TestMetricsRoute(t *testing.T) {
	st := testenv.NewSQLite(t)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("hookrelay_up 1\n")) })
	s := newServer(t, st, func(o *api.Options) { o.Metrics = metrics })
	status, _, raw := s.send("GET", "/metrics", nil, nil)
	if status != http.StatusOK || string(raw) != "hookrelay_up 1\n" {
		t.Errorf("GET /metrics: %d %q", status, raw)
	}
	status, header, raw := s.sendWithout("/metrics")
	checkError(t, "GET /metrics without a token", status, header, raw, http.StatusUnauthorized, "unauthorized")
	newServer(t, st, nil).wantError("GET", "/metrics", nil, http.StatusNotFound, "not_found")
}
