package hookrelay_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay"
	"github.com/hookrelay/hookrelay/internal/store/storeopen"
)

func TestEndpointManagement(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		ctx := t.Context()
		created, err := c.CreateEndpoint(ctx, hookrelay.Endpoint{
			URL: "http://127.0.0.1:9/hooks", Title: "CRM", Events: []string{"document.*"},
			SignatureProfile: hookrelay.ProfileAckify,
		})
		if err != nil {
			t.Fatal(err)
		}
		if created.ID == 0 || !created.Active || !strings.HasPrefix(created.Secret, "whsec_") || created.CreatedAt.IsZero() {
			t.Errorf("created %+v, want an active endpoint with an ID, a generated secret and its time", created)
		}
		list, err := c.ListEndpoints(ctx)
		if err != nil || len(list) != 1 || list[0].ID != created.ID || list[0].Title != "CRM" || list[0].SignatureProfile != hookrelay.ProfileAckify {
			t.Fatalf("ListEndpoints = %+v, %v; want the created endpoint", list, err)
		}

		disabled, err := c.DisableEndpoint(ctx, created.ID, "")
		if err != nil || disabled.Active || disabled.DisabledReason == "" {
			t.Fatalf("DisableEndpoint = %+v, %v; want inactive with a reason", disabled, err)
		}
		if res := publishNow(t, c, "document.created"); res.Deliveries != 0 {
			t.Errorf("an event for a disabled endpoint made %d deliveries, want none", res.Deliveries)
		}
		if enabled, err := c.EnableEndpoint(ctx, created.ID); err != nil || !enabled.Active || enabled.DisabledReason != "" {
			t.Fatalf("EnableEndpoint = %+v, %v; want active again", enabled, err)
		}
		if res := publishNow(t, c, "document.created"); res.Deliveries != 1 {
			t.Errorf("an event for the enabled endpoint made %d deliveries, want 1", res.Deliveries)
		}
		if res := publishNow(t, c, "signature.created"); res.Deliveries != 0 {
			t.Errorf("an event the endpoint does not subscribe to made %d deliveries", res.Deliveries)
		}

		if err := c.DeleteEndpoint(ctx, created.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetEndpoint(ctx, created.ID); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("GetEndpoint after delete = %v, want ErrNotFound", err)
		}
		if _, err := c.DisableEndpoint(ctx, created.ID, "gone"); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("DisableEndpoint of a deleted endpoint = %v, want ErrNotFound", err)
		}
		if err := c.DeleteEndpoint(ctx, created.ID); !errors.Is(err, hookrelay.ErrNotFound) {
			t.Errorf("DeleteEndpoint twice = %v, want ErrNotFound", err)
		}
	})
}

func TestCreateEndpointValidatesLikeTheAPI(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		guarded := b.newClient(t)
		for name, e := range map[string]hookrelay.Endpoint{
			"no URL":           {},
			"not http":         {URL: "ftp://example.com/hooks"},
			"loopback":         {URL: "http://127.0.0.1:9000/hooks"},
			"short secret":     {URL: "https://93.184.215.14/hooks", Secret: "short"},
			"reserved header":  {URL: "https://93.184.215.14/hooks", Headers: map[string]string{"X-Signature": "x"}},
			"bad subscription": {URL: "https://93.184.215.14/hooks", Events: []string{"a b"}},
			"unknown profile":  {URL: "https://93.184.215.14/hooks", SignatureProfile: "custom"},
			"negative rate":    {URL: "https://93.184.215.14/hooks", RateLimitPerSecond: -1},
			"absurd rate":      {URL: "https://93.184.215.14/hooks", RateLimitPerSecond: 10_001},
		} {
			if _, err := guarded.CreateEndpoint(t.Context(), e); !errors.Is(err, hookrelay.ErrInvalid) {
				t.Errorf("%s: CreateEndpoint = %v, want ErrInvalid", name, err)
			}
		}
		if list, err := guarded.ListEndpoints(t.Context()); err != nil || len(list) != 0 {
			t.Errorf("ListEndpoints = %d, %v; want no endpoint stored", len(list), err)
		}
	})
}

// publishNow publishes an event of type eventType on its own.
func publishNow(t *testing.T, c client, eventType string) hookrelay.PublishResult {
	t.Helper()
	res, err := c.PublishNow(t.Context(), hookrelay.Event{Type: eventType})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSignatureProfileOption(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, append(fast(), hookrelay.WithSignatureProfile(hookrelay.ProfileAckify))...)
		// An Ackify secret is a plain string used as raw bytes, whatever its prefix.
		created, err := c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: "http://127.0.0.1:9/hooks", Secret: "whsec_my-ackify-secret"})
		if err != nil {
			t.Fatalf("create an endpoint with an Ackify secret: %v", err)
		}
		if created.SignatureProfile != hookrelay.ProfileAckify || created.Secret != "whsec_my-ackify-secret" {
			t.Errorf("created %+v, want the ackify profile by default and the secret as given", created)
		}
		_, err = c.CreateEndpoint(t.Context(), hookrelay.Endpoint{URL: "http://127.0.0.1:9/b", Secret: "whsec_my-ackify-secret", SignatureProfile: hookrelay.ProfileStandard})
		if !errors.Is(err, hookrelay.ErrInvalid) {
			t.Errorf("a standard endpoint with a whsec_ secret that is not base64: %v, want ErrInvalid", err)
		}
	})
}

// An endpoint that WEBHOOK_URLS defined and the operator then removed keeps
// no trust: the library cannot enable it again, as the API cannot.
func TestEnablingAnEndpointRemovedFromConfigIsRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		c := b.newClient(t, fast()...)
		st, err := storeopen.Open(t.Context(), b.target)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.SyncConfigEndpoints(t.Context(), []string{"http://10.0.0.5/hook"}, "config-secret-0123456789"); err != nil {
			t.Fatal(err)
		}
		if err := st.SyncConfigEndpoints(t.Context(), nil, ""); err != nil {
			t.Fatal(err)
		}
		list, err := c.ListEndpoints(t.Context())
		if err != nil || len(list) != 1 {
			t.Fatalf("endpoints %+v, %v; want the removed one", list, err)
		}
		if _, err := c.EnableEndpoint(t.Context(), list[0].ID); err == nil || !strings.Contains(err.Error(), "WEBHOOK_URLS") {
			t.Errorf("EnableEndpoint = %v, want a refusal naming WEBHOOK_URLS", err)
		}
	})
}
