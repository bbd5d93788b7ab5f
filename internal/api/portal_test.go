package api_test

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
	"github.com/hookrelay/hookrelay/internal/ui"
)

// TestPortalSessions: POST /v1/portal-sessions needs the token, checks
// tenant_id, expires_in and branding (422 naming the field), and answers a
// single-use link under HOOKRELAY_PUBLIC_URL (or the request's own host)
// whose token the store keeps as a SHA-256 only.
func TestPortalSessions(t *testing.T) {
	if api.PortalEnterPath != ui.PortalPrefix+"enter/" {
		t.Fatalf("api.PortalEnterPath %q is not the portal's enter path %q", api.PortalEnterPath, ui.PortalPrefix+"enter/")
	}
	testenv.EachStoreParallel(t, map[string]func(*testing.T, store.Store){
		"Validation":         testPortalSessionValidation,
		"LinkUnderPublicURL": testPortalSessionLink,
	})
}

func testPortalSessionValidation(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	status, _, _ := s.send("POST", "/v1/portal-sessions", `{"tenant_id":"acme"}`, http.Header{"Authorization": {"Bearer wrong"}})
	if status != http.StatusUnauthorized {
		t.Errorf("wrong token: status %d, want 401", status)
	}
	long := strings.Repeat("é", 101)
	for _, tc := range []struct{ body, field string }{
		{`{}`, "tenant_id"},
		{`{"tenant_id":""}`, "tenant_id"},
		{`{"tenant_id":"a b"}`, "tenant_id"},
		{`{"tenant_id":"acme","expires_in":"soon"}`, "expires_in"},
		{`{"tenant_id":"acme","expires_in":"0s"}`, "expires_in"},
		{`{"tenant_id":"acme","expires_in":"59s"}`, "expires_in"},
		{`{"tenant_id":"acme","expires_in":"24h1s"}`, "expires_in"},
		{`{"tenant_id":"acme","branding":{"color":"red"}}`, "branding.color"},
		{`{"tenant_id":"acme","branding":{"color":"#0a7cff;}body{x:y"}}`, "branding.color"},
		{`{"tenant_id":"acme","branding":{"title":"` + long + `"}}`, "branding.title"},
		{`{"tenant_id":"acme","branding":{"title":"Acme\nHooks"}}`, "branding.title"},
		{`{"tenant_id":"acme","branding":{"title":"Acme \u202eskooH"}}`, "branding.title"},
		{`{"tenant_id":"acme","branding":{"title":"Acme\u0085"}}`, "branding.title"},
	} {
		e := s.wantError("POST", "/v1/portal-sessions", tc.body, http.StatusUnprocessableEntity, "validation_failed")
		if e.Field != tc.field {
			t.Errorf("%s: field %q, want %q (%s)", tc.body, e.Field, tc.field, e.Message)
		}
	}
	s.wantError("POST", "/v1/portal-sessions", `{"tenant_id":"acme","tenant":"x"}`, http.StatusBadRequest, "invalid_json")
}

func testPortalSessionLink(t *testing.T, st store.Store) {
	s := newServer(t, st, func(o *api.Options) { o.PublicURL = "https://hooks.example.com/" })
	var got wire.PortalSession
	before := time.Now()
	s.call("POST", "/v1/portal-sessions", `{"tenant_id":"acme","expires_in":"2h","branding":{"title":"Acme","color":"#0a7cff"}}`, http.StatusCreated, &got)
	token, ok := strings.CutPrefix(got.URL, "https://hooks.example.com/portal/enter/")
	if !ok || len(token) != 43 {
		t.Fatalf("url %q, want https://hooks.example.com/portal/enter/ and a 43-character token", got.URL)
	}
	if d := got.ExpiresAt.Sub(before); d < 2*time.Hour-time.Minute || d > 2*time.Hour+time.Minute {
		t.Errorf("expires_at %s, want about 2h from now", got.ExpiresAt)
	}
	sum := sha256.Sum256([]byte(token))
	p, err := st.EnterPortalSession(t.Context(), sum[:], []byte("cookie-hash"))
	if err != nil || p.TenantID != "acme" || p.Branding != (store.PortalBranding{Title: "Acme", Color: "#0a7cff"}) {
		t.Errorf("the link's row = %+v (%v), want tenant acme with its branding, found by the token's SHA-256", p, err)
	}

	plain := newServer(t, st, nil)
	plain.call("POST", "/v1/portal-sessions", `{"tenant_id":"acme"}`, http.StatusCreated, &got)
	if !strings.HasPrefix(got.URL, plain.url+"/portal/enter/") {
		t.Errorf("url %q, want the request's own base %s", got.URL, plain.url)
	}
	status, _, raw := plain.send("POST", "/v1/portal-sessions", `{"tenant_id":"acme"}`,
		http.Header{"X-Forwarded-Host": {"evil.example"}, "X-Forwarded-Proto": {"https"}})
	if status != http.StatusCreated || strings.Contains(string(raw), "evil.example") {
		t.Errorf("forwarded headers: status %d, body %s; want them ignored", status, raw)
	}
}
