package api_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/api"
	"github.com/hookrelay/hookrelay/internal/api/wire"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

func TestEndpoints(t *testing.T) {
	testenv.EachStoreParallel(t, map[string]func(*testing.T, store.Store){
		"CreateShowsSecretOnce": testCreateShowsSecretOnce,
		"CreateWithEveryField":  testCreateWithEveryField,
		"CreateValidation":      testCreateValidation,
		"ForbiddenTarget":       testForbiddenTarget,
		"ListFiltersAndPages":   testListEndpoints,
		"UpdateIsPartial":       testUpdateIsPartial,
		"EnableDisable":         testEnableDisable,
		"RotateSecret":          testRotateSecret,
		"AckifySecrets":         testAckifySecrets,
		"Ping":                  testPing,
		"Delete":                testDelete,
		"UnknownWebhook":        testUnknownEndpoint,
	})
}

func testCreateShowsSecretOnce(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	created := s.createEndpoint("http://127.0.0.1:9/hook")
	if !strings.HasPrefix(created.Secret, "whsec_") || strings.Contains(created.Secret, "…") {
		t.Fatalf("create answer secret = %q, want a full generated whsec_ secret", created.Secret)
	}
	if !created.Active || created.SignatureProfile != "standard" || created.ID == 0 || created.CreatedAt.IsZero() {
		t.Errorf("defaults not applied: %+v", created)
	}
	var got wire.Endpoint
	s.call("GET", fmt.Sprintf("/v1/webhooks/%d", created.ID), nil, http.StatusOK, &got)
	want := "whsec_…" + created.Secret[len(created.Secret)-4:]
	if got.Secret != want {
		t.Errorf("get secret = %q, want masked %q", got.Secret, want)
	}
	var list wire.EndpointList
	s.call("GET", "/v1/webhooks", nil, http.StatusOK, &list)
	if len(list.Data) != 1 || list.Data[0].Secret != want {
		t.Errorf("list = %+v, want one endpoint with masked secret %q", list.Data, want)
	}
	stored, err := st.GetEndpoint(context.Background(), created.ID)
	if err != nil || stored.Secret != created.Secret {
		t.Errorf("stored secret = %q (%v), want the one shown at create", stored.Secret, err)
	}
}

func testCreateWithEveryField(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	retries, inactive := 4, false
	req := wire.EndpointCreate{
		Title: "CRM", URL: "https://127.0.0.1:8443/in", Events: []string{"document.*", "signature.created", "*"},
		Headers: map[string]string{"X-Tenant": "acme"}, Description: "the CRM", Active: &inactive,
		MaxRetries: &retries, SignatureProfile: "ackify", Secret: "a-plain-secret-of-24-chr", RateLimitPerSecond: 50,
	}
	var ep wire.Endpoint
	s.call("POST", "/v1/webhooks", req, http.StatusCreated, &ep)
	if ep.Title != "CRM" || ep.URL != req.URL || len(ep.Events) != 3 || ep.Headers["X-Tenant"] != "…" ||
		ep.Description != "the CRM" || ep.Active || *ep.MaxRetries != 4 || ep.SignatureProfile != "ackify" ||
		ep.Secret != req.Secret || ep.DisabledReason != "disabled by API" || ep.DisabledAt == nil || ep.RateLimitPerSecond != 50 {
		t.Fatalf("created endpoint = %+v", ep)
	}
	var got wire.Endpoint
	s.call("GET", fmt.Sprintf("/v1/webhooks/%d", ep.ID), nil, http.StatusOK, &got)
	if got.Secret != "…-chr" {
		t.Errorf("masked plain secret = %q, want …-chr", got.Secret)
	}
}

func testCreateValidation(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	long := func(n int) string { return strings.Repeat("x", n) }
	manyHeaders := map[string]string{}
	for i := range 21 {
		manyHeaders[fmt.Sprintf("X-H%d", i)] = "v"
	}
	cases := []struct {
		name  string
		body  string
		field string
	}{
		{"missing url", `{}`, "url"},
		{"relative url", `{"url":"/hook"}`, "url"},
		{"ftp url", `{"url":"ftp://example.com/"}`, "url"},
		{"credentials in url", `{"url":"https://u:p@example.com/"}`, "url"},
		{"empty event", `{"url":"http://127.0.0.1/","events":[""]}`, "events[0]"},
		{"bad event", `{"url":"http://127.0.0.1/","events":["a","has space"]}`, "events[1]"},
		{"star inside", `{"url":"http://127.0.0.1/","events":["a*b"]}`, "events[0]"},
		{"too many headers", fmt.Sprintf(`{"url":"http://127.0.0.1/","headers":%s}`, mustJSON(t, manyHeaders)), "headers"},
		{"bad header name", `{"url":"http://127.0.0.1/","headers":{"Bad Name":"v"}}`, "headers.Bad Name"},
		{"reserved header", `{"url":"http://127.0.0.1/","headers":{"x-signature":"v"}}`, "headers.x-signature"},
		{"header with newline", `{"url":"http://127.0.0.1/","headers":{"X-A":"a\r\nX-B: b"}}`, "headers.X-A"},
		{"long header value", fmt.Sprintf(`{"url":"http://127.0.0.1/","headers":{"X-A":%q}}`, long(1025)), "headers.X-A"},
		{"long title", fmt.Sprintf(`{"url":"http://127.0.0.1/","title":%q}`, long(201)), "title"},
		{"long description", fmt.Sprintf(`{"url":"http://127.0.0.1/","description":%q}`, long(2001)), "description"},
		{"negative retries", `{"url":"http://127.0.0.1/","max_retries":-1}`, "max_retries"},
		{"too many retries", `{"url":"http://127.0.0.1/","max_retries":36}`, "max_retries"},
		{"negative rate limit", `{"url":"http://127.0.0.1/","rate_limit_per_second":-1}`, "rate_limit_per_second"},
		{"absurd rate limit", `{"url":"http://127.0.0.1/","rate_limit_per_second":10001}`, "rate_limit_per_second"},
		{"bad profile", `{"url":"http://127.0.0.1/","signature_profile":"github"}`, "signature_profile"},
		{"short secret", `{"url":"http://127.0.0.1/","secret":"short"}`, "secret"},
		{"short whsec secret", `{"url":"http://127.0.0.1/","secret":"whsec_c2hvcnQ="}`, "secret"},
		{"whsec not base64", `{"url":"http://127.0.0.1/","secret":"whsec_!!!!!!!!!!!!!!!!!!!!!!!!"}`, "secret"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := s.wantError("POST", "/v1/webhooks", c.body, http.StatusUnprocessableEntity, "validation_failed")
			if e.Field != c.field || !strings.HasPrefix(e.Message, c.field+": ") {
				t.Errorf("error %+v, want field %q named in the message", e, c.field)
			}
		})
	}
	var list wire.EndpointList
	s.call("GET", "/v1/webhooks", nil, http.StatusOK, &list)
	if len(list.Data) != 0 {
		t.Errorf("refused creates stored %d endpoints", len(list.Data))
	}
}

func testForbiddenTarget(t *testing.T, st store.Store) {
	s := newServer(t, st, func(o *api.Options) {
		o.AllowPrivateTargets = false
		o.Resolver = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, fmt.Errorf("no DNS in tests")
		}}
	})
	// Every kind of non-global target, in the forms that hide an IPv4
	// address in IPv6, and a name that resolves to loopback (from the hosts
	// file): the refusal names the rule and the setting, never the address.
	for _, target := range []string{
		"http://127.0.0.1:8080/", "http://10.1.2.3/", "http://[::1]/", "http://169.254.169.254/latest",
		"http://[::127.0.0.1]:19001/", "http://[::ffff:127.0.0.1]/", "http://[64:ff9b::a9fe:a9fe]/",
		"http://[64:ff9b:1::a00:1]/", "http://[2002:7f00:1::1]/", "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",
		"http://192.0.2.10/", "http://198.51.100.1/", "http://203.0.113.10/", "http://[2001:db8::1]/",
		"http://[fec0::1]/", "http://[fd00::2]/", "http://100.64.0.1/", "http://localhost:8080/",
	} {
		e := s.wantError("POST", "/v1/webhooks", wire.EndpointCreate{URL: target}, http.StatusUnprocessableEntity, "validation_failed")
		if e.Field != "url" || !strings.Contains(e.Message, "resolves to a non-public address") ||
			!strings.Contains(e.Message, "HOOKRELAY_ALLOW_PRIVATE_TARGETS") {
			t.Errorf("%s: error %+v, want the non-public rule on url", target, e)
		}
		for _, leak := range []string{"127.0.0.1", "::1", "169.254", "10.0.0.1", "7f00"} {
			if strings.Contains(e.Message, leak) {
				t.Errorf("%s: error %q names an address", target, e.Message)
			}
		}
	}
	for _, target := range []string{"http://203.0.113.10:65536/", "http://93.184.215.14:0/", "http://93.184.215.14:99999999/"} {
		e := s.wantError("POST", "/v1/webhooks", wire.EndpointCreate{URL: target}, http.StatusUnprocessableEntity, "validation_failed")
		if e.Field != "url" || !strings.Contains(e.Message, "port must be between 1 and 65535") {
			t.Errorf("%s: error %+v, want the port rule on url", target, e)
		}
	}
	e := s.wantError("POST", "/v1/webhooks", wire.EndpointCreate{URL: "http://unresolvable.invalid/"}, http.StatusUnprocessableEntity, "validation_failed")
	if e.Field != "url" || strings.Contains(e.Message, "no DNS in tests") {
		t.Errorf("unresolvable host: error %+v, want field url, without the resolver's words", e)
	}
	s.call("POST", "/v1/webhooks", wire.EndpointCreate{URL: "https://93.184.215.14/hook"}, http.StatusCreated, nil)
}

func testListEndpoints(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	var ids []int64
	for i := range 5 {
		ids = append(ids, s.createEndpoint(fmt.Sprintf("http://127.0.0.1:9/%d", i)).ID)
	}
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/disable", ids[1]), nil, http.StatusOK, nil)

	var page wire.EndpointList
	s.call("GET", "/v1/webhooks?limit=2", nil, http.StatusOK, &page)
	if len(page.Data) != 2 || page.Data[0].ID != ids[0] || page.NextCursor != fmt.Sprint(ids[1]) {
		t.Fatalf("first page = %d items, cursor %q", len(page.Data), page.NextCursor)
	}
	var seen []int64
	for cursor := ""; ; cursor = page.NextCursor {
		s.call("GET", "/v1/webhooks?limit=2&cursor="+cursor, nil, http.StatusOK, &page)
		for _, ep := range page.Data {
			seen = append(seen, ep.ID)
		}
		if page.NextCursor == "" {
			break
		}
	}
	if fmt.Sprint(seen) != fmt.Sprint(ids) {
		t.Errorf("paged through %v, want %v", seen, ids)
	}
	// after is the deprecated name of cursor: same page.
	var alias wire.EndpointList
	s.call("GET", fmt.Sprintf("/v1/webhooks?limit=2&after=%d", ids[1]), nil, http.StatusOK, &alias)
	if len(alias.Data) != 2 || alias.Data[0].ID != ids[2] || alias.NextCursor != fmt.Sprint(ids[3]) {
		t.Errorf("after=%d: %d items from %v, cursor %q; want the page cursor=%d gives", ids[1], len(alias.Data), alias.Data, alias.NextCursor, ids[1])
	}
	s.call("GET", "/v1/webhooks?active=false", nil, http.StatusOK, &page)
	if len(page.Data) != 1 || page.Data[0].ID != ids[1] || page.NextCursor != "" {
		t.Errorf("inactive = %+v, want only %d", page, ids[1])
	}
	s.call("GET", "/v1/webhooks?active=true", nil, http.StatusOK, &page)
	if len(page.Data) != 4 {
		t.Errorf("active = %d endpoints, want 4", len(page.Data))
	}
	for _, bad := range []string{"active=maybe", "limit=0", "limit=501", "limit=x", "after=-1", "after=x", "cursor=0", "cursor=x", "cursor=1&after=1"} {
		name, _, _ := strings.Cut(bad, "=")
		if e := s.wantError("GET", "/v1/webhooks?"+bad, nil, http.StatusBadRequest, "bad_request"); e.Field != name {
			t.Errorf("%s: error %+v, want field %q", bad, e, name)
		}
	}
}

func testUpdateIsPartial(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	ep := s.createEndpoint("http://127.0.0.1:9/a", "document.created")
	path := fmt.Sprintf("/v1/webhooks/%d", ep.ID)
	var got wire.Endpoint
	s.call("PATCH", path, `{"title":"renamed","headers":{"X-A":"1"}}`, http.StatusOK, &got)
	if got.Title != "renamed" || got.URL != ep.URL || len(got.Events) != 1 || got.Headers["X-A"] != "…" || got.Secret != maskOf(ep.Secret) {
		t.Fatalf("after title+headers update: %+v", got)
	}
	s.call("PATCH", path, `{"url":"https://127.0.0.1:9/b","headers":{"X-A":"1"},"events":[],"max_retries":0,"signature_profile":"ackify","description":"d"}`, http.StatusOK, &got)
	if got.Title != "renamed" || got.URL != "https://127.0.0.1:9/b" || len(got.Events) != 0 || *got.MaxRetries != 0 ||
		got.SignatureProfile != "ackify" || got.Description != "d" || getEndpoint(t, st, ep.ID).Headers["X-A"] != "1" {
		t.Fatalf("after second update: %+v", got)
	}
	if got.RateLimitPerSecond != 0 {
		t.Errorf("rate_limit_per_second = %d by default, want 0 (unlimited)", got.RateLimitPerSecond)
	}
	s.call("PATCH", path, `{"rate_limit_per_second":5}`, http.StatusOK, &got)
	if got.RateLimitPerSecond != 5 || got.URL != "https://127.0.0.1:9/b" {
		t.Errorf("after setting the rate limit: %+v", got)
	}
	s.call("GET", path, nil, http.StatusOK, &got)
	if got.RateLimitPerSecond != 5 {
		t.Errorf("get shows rate_limit_per_second %d, want 5", got.RateLimitPerSecond)
	}
	if e := s.wantError("PATCH", path, `{"rate_limit_per_second":-3}`, http.StatusUnprocessableEntity, "validation_failed"); e.Field != "rate_limit_per_second" {
		t.Errorf("negative rate limit: %+v", e)
	}
	if e := s.wantError("PATCH", path, `{"rate_limit_per_second":2.5}`, http.StatusBadRequest, "invalid_json"); e.Message != "rate_limit_per_second: must be a whole number of requests per second, not 2.5" {
		t.Errorf("fractional rate limit: %q", e.Message)
	}
	s.call("PATCH", path, `{"rate_limit_per_second":0}`, http.StatusOK, &got)
	if got.RateLimitPerSecond != 0 {
		t.Errorf("after removing the rate limit: %+v", got)
	}
	s.call("PATCH", path, `{"active":false}`, http.StatusOK, &got)
	if got.Active || got.DisabledReason != "disabled by API" {
		t.Errorf("after active=false: %+v", got)
	}
	e := s.wantError("PATCH", path, `{"url":"gopher://x"}`, http.StatusUnprocessableEntity, "validation_failed")
	if e.Field != "url" {
		t.Errorf("bad url: %+v", e)
	}
	s.wantError("PATCH", path, `{"secret":"new-secret-1234567890"}`, http.StatusBadRequest, "invalid_json")
	s.call("GET", path, nil, http.StatusOK, &got)
	if got.URL != "https://127.0.0.1:9/b" {
		t.Errorf("a refused update changed the endpoint: %+v", got)
	}
}

func testEnableDisable(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	since := time.Now().Add(-time.Hour)
	ep, err := st.CreateEndpoint(context.Background(), store.Endpoint{
		URL: "http://127.0.0.1:9/a", Secret: "secret-0123456789abcdef", Active: true, FailureCount: 7, FailingSince: &since,
	})
	if err != nil {
		t.Fatal(err)
	}
	var got wire.Endpoint
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/disable", ep.ID), `{"reason":"maintenance"}`, http.StatusOK, &got)
	if got.Active || got.DisabledReason != "maintenance" || got.DisabledAt == nil {
		t.Fatalf("disabled with reason: %+v", got)
	}
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/enable", ep.ID), nil, http.StatusOK, &got)
	if !got.Active || got.DisabledReason != "" || got.DisabledAt != nil || got.FailureCount != 0 {
		t.Fatalf("enabled: %+v", got)
	}
	if stored := getEndpoint(t, st, ep.ID); stored.FailingSince != nil {
		t.Errorf("enable kept failing_since %v", stored.FailingSince)
	}
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/disable", ep.ID), nil, http.StatusOK, &got)
	if got.Active || got.DisabledReason != "disabled by API" {
		t.Errorf("disabled without reason: %+v", got)
	}
	s.wantError("POST", fmt.Sprintf("/v1/webhooks/%d/disable", ep.ID), `{"why":"x"}`, http.StatusBadRequest, "invalid_json")
}

func testRotateSecret(t *testing.T, st store.Store) {
	s := newServer(t, st, func(o *api.Options) { o.RotationWindow = 2 * time.Hour })
	ep := s.createEndpoint("http://127.0.0.1:9/a")
	var got wire.Endpoint
	before := time.Now()
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/rotate-secret", ep.ID), nil, http.StatusOK, &got)
	if got.Secret == ep.Secret || !strings.HasPrefix(got.Secret, "whsec_") || strings.Contains(got.Secret, "…") {
		t.Fatalf("rotated secret = %q, want a new full secret", got.Secret)
	}
	if got.PreviousSecretExpiresAt == nil || got.PreviousSecretExpiresAt.Sub(before) < 2*time.Hour-time.Minute {
		t.Fatalf("previous_secret_expires_at = %v, want about 2h from now", got.PreviousSecretExpiresAt)
	}
	stored := getEndpoint(t, st, ep.ID)
	if stored.Secret != got.Secret || stored.PreviousSecret != ep.Secret {
		t.Errorf("stored secrets = %q / %q, want new / old", stored.Secret, stored.PreviousSecret)
	}
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/rotate-secret", ep.ID), `{"secret":"my-own-secret-0123456789"}`, http.StatusOK, &got)
	if got.Secret != "my-own-secret-0123456789" {
		t.Errorf("given secret = %q", got.Secret)
	}
	e := s.wantError("POST", fmt.Sprintf("/v1/webhooks/%d/rotate-secret", ep.ID), `{"secret":"short"}`, http.StatusUnprocessableEntity, "validation_failed")
	if e.Field != "secret" {
		t.Errorf("short secret: %+v", e)
	}
}

func testPing(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	target := s.createEndpoint("http://127.0.0.1:9/a")
	other := s.createEndpoint("http://127.0.0.1:9/b")
	var ping wire.PingResponse
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/ping", target.ID), nil, http.StatusAccepted, &ping)
	d, err := st.GetDelivery(context.Background(), ping.DeliveryID)
	if err != nil || d.EndpointID != target.ID || d.EventType != "webhook.ping" || d.EventID != ping.EventID || d.Status != store.StatusPending {
		t.Fatalf("ping delivery = %+v (%v)", d, err)
	}
	others := listDeliveries(t, st, store.DeliveryFilter{EndpointID: other.ID})
	if len(others) != 0 {
		t.Errorf("ping reached endpoint %d too", other.ID)
	}

	picky := s.createEndpoint("http://127.0.0.1:9/c", "document.*")
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/ping", picky.ID), nil, http.StatusAccepted, &ping)
	if d, err := st.GetDelivery(context.Background(), ping.DeliveryID); err != nil || d.EndpointID != picky.ID || d.EventType != "webhook.ping" {
		t.Errorf("ping to an endpoint subscribed to other types: delivery %+v (%v), want a webhook.ping delivery to it", d, err)
	}

	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/disable", target.ID), nil, http.StatusOK, nil)
	e := s.wantError("POST", fmt.Sprintf("/v1/webhooks/%d/ping", target.ID), nil, http.StatusConflict, "conflict")
	if !strings.Contains(e.Message, "disabled") {
		t.Errorf("ping to a disabled endpoint: %q, want it to say so", e.Message)
	}
	if ds := listDeliveries(t, st, store.DeliveryFilter{EventType: "webhook.ping"}); len(ds) != 2 {
		t.Errorf("%d ping deliveries, want 2 (none to the disabled endpoint)", len(ds))
	}
}

func testDelete(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	ep := s.createEndpoint("http://127.0.0.1:9/a")
	s.publish("document.created")
	path := fmt.Sprintf("/v1/webhooks/%d", ep.ID)
	status, _, raw := s.send("DELETE", path, nil, nil)
	if status != http.StatusNoContent || len(raw) != 0 {
		t.Fatalf("delete: %d %s", status, raw)
	}
	s.wantError("GET", path, nil, http.StatusNotFound, "not_found")
	s.wantError("DELETE", path, nil, http.StatusNotFound, "not_found")
	left := listDeliveries(t, st, store.DeliveryFilter{EndpointID: ep.ID})
	if len(left) != 0 {
		t.Errorf("%d deliveries outlived their endpoint", len(left))
	}
}

func testUnknownEndpoint(t *testing.T, st store.Store) {
	s := newServer(t, st, nil)
	for _, r := range [][2]string{
		{"GET", ""}, {"PATCH", ""}, {"DELETE", ""}, {"POST", "/enable"}, {"POST", "/disable"}, {"POST", "/rotate-secret"}, {"POST", "/ping"},
	} {
		var body any
		if r[0] == "PATCH" {
			body = `{"title":"x"}`
		}
		e := s.wantError(r[0], "/v1/webhooks/404"+r[1], body, http.StatusNotFound, "not_found")
		if e.Message != "webhook 404 not found" {
			t.Errorf("%s %s: message %q", r[0], r[1], e.Message)
		}
		e = s.wantError(r[0], "/v1/webhooks/abc"+r[1], body, http.StatusBadRequest, "bad_request")
		if e.Field != "id" {
			t.Errorf("%s %s with a bad id: %+v", r[0], r[1], e)
		}
	}
}

// maskOf is how the API shows a generated secret outside create and rotate.
func maskOf(secret string) string { return "whsec_…" + secret[len(secret)-4:] }

// testAckifySecrets: Ackify secrets are plain strings used as raw HMAC keys,
// so an ackify endpoint takes one whatever its prefix; a standard endpoint
// still wants whsec_ to mean base64. With DefaultProfile ackify, an endpoint
// created without a profile is an ackify one, and so is a row that names none
// once saved.
func testAckifySecrets(t *testing.T, st store.Store) {
	const ackifySecret = "whsec_my-ackify-secret"
	s := newServer(t, st, nil)
	var ep wire.Endpoint
	s.call("POST", "/v1/webhooks", wire.EndpointCreate{URL: "http://127.0.0.1:9/a", SignatureProfile: "ackify", Secret: ackifySecret}, http.StatusCreated, &ep)
	if ep.Secret != ackifySecret || ep.SignatureProfile != "ackify" {
		t.Errorf("created %+v, want the Ackify secret kept under the ackify profile", ep)
	}
	var rotated wire.Endpoint
	s.call("POST", fmt.Sprintf("/v1/webhooks/%d/rotate-secret", ep.ID), `{"secret":"whsec_another-ackify-one"}`, http.StatusOK, &rotated)
	if rotated.Secret != "whsec_another-ackify-one" {
		t.Errorf("rotated secret %q", rotated.Secret)
	}
	s.wantError("POST", "/v1/webhooks", wire.EndpointCreate{URL: "http://127.0.0.1:9/b", Secret: ackifySecret}, http.StatusUnprocessableEntity, "validation_failed")

	byDefault := newServer(t, st, func(o *api.Options) { o.DefaultProfile = store.ProfileAckify })
	byDefault.call("POST", "/v1/webhooks", wire.EndpointCreate{URL: "http://127.0.0.1:9/c", Secret: ackifySecret}, http.StatusCreated, &ep)
	if ep.SignatureProfile != "ackify" {
		t.Errorf("profile %q, want the default ackify", ep.SignatureProfile)
	}
	// WEBHOOK_URLS endpoints name no profile: they show the default.
	if err := st.SyncConfigEndpoints(t.Context(), []string{"http://127.0.0.1:9/config"}, ackifySecret); err != nil {
		t.Fatal(err)
	}
	var page wire.EndpointList
	byDefault.call("GET", "/v1/webhooks", nil, http.StatusOK, &page)
	var shown []string
	for _, e := range page.Data {
		if e.CreatedBy == store.ConfigSource {
			shown = append(shown, e.SignatureProfile)
		}
	}
	if len(shown) != 1 || shown[0] != "ackify" {
		t.Errorf("config endpoint shows the profile %q, want the default ackify", shown)
	}
}
