package encrypted_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestParseKey(t *testing.T) {
	if _, err := encrypted.ParseKey(base64.StdEncoding.EncodeToString(testKey)); err != nil {
		t.Errorf("base64 key: %v", err)
	}
	if _, err := encrypted.ParseKey(strings.Repeat("ab", 32)); err != nil {
		t.Errorf("hex key: %v", err)
	}
	for _, bad := range []string{"", "short", base64.StdEncoding.EncodeToString(testKey[:16])} {
		if _, err := encrypted.ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted a bad key", bad)
		}
	}
}

func TestSecretsAreEncryptedAtRest(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		ctx := context.Background()
		raw := newStore(t)
		st, err := encrypted.Wrap(raw, testKey)
		if err != nil {
			t.Fatal(err)
		}
		expires := time.Now().Add(time.Hour)
		e, err := st.CreateEndpoint(ctx, store.Endpoint{
			Title: "enc", URL: "https://example.com/hook", Secret: "whsec_current-secret",
			PreviousSecret: "old-secret-value", PreviousSecretExpiresAt: &expires, Active: true,
			SignatureProfile: store.ProfileStandard,
		})
		if err != nil {
			t.Fatal(err)
		}
		if e.Secret != "whsec_current-secret" || e.PreviousSecret != "old-secret-value" {
			t.Fatalf("create returned sealed secrets: %q, %q", e.Secret, e.PreviousSecret)
		}
		stored, err := raw.GetEndpoint(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored.Secret, "enc:v1:") || strings.Contains(stored.Secret, "current-secret") ||
			!strings.HasPrefix(stored.PreviousSecret, "enc:v1:") {
			t.Fatalf("secrets stored in clear: %q, %q", stored.Secret, stored.PreviousSecret)
		}
		got, err := st.GetEndpoint(ctx, e.ID)
		if err != nil || got.Secret != "whsec_current-secret" {
			t.Fatalf("get: %q, %v", got.Secret, err)
		}

		ev := store.Event{Type: "a.b"}
		if err := ev.Normalize(); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Publish(ctx, ev, store.PublishOptions{MaxRetries: 1}); err != nil {
			t.Fatal(err)
		}
		claimed, err := st.Claim(ctx, store.ClaimRequest{Limit: 5, Lease: time.Minute, Worker: "w"})
		if err != nil || len(claimed) != 1 || claimed[0].Endpoint.Secret != "whsec_current-secret" {
			t.Fatalf("claim: %v, %+v", err, claimed)
		}
		if err := st.Release(ctx, []store.Lease{claimed[0].Lease}); err != nil {
			t.Fatal(err)
		}

		wrongKey, err := encrypted.Wrap(raw, []byte("ffffffffffffffffffffffffffffffff"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wrongKey.GetEndpoint(ctx, e.ID); !errors.Is(err, encrypted.ErrWrongKey) || strings.Contains(err.Error(), "HOOKRELAY_") {
			t.Fatalf("wrong key: %v, want a clear error", err)
		}
		if _, err := wrongKey.Claim(ctx, store.ClaimRequest{Limit: 5, Lease: time.Minute, Worker: "w"}); err == nil {
			t.Fatal("claim with a wrong key succeeded")
		}
		counts, err := raw.CountByStatus(ctx)
		if err != nil || counts[store.StatusPending] != 1 {
			t.Fatalf("after a refused claim: %v, %v; want the delivery handed back to pending", counts, err)
		}
	})
}

func TestRotationSealsTheNewSecretAndKeepsTheOld(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		ctx := context.Background()
		raw := newStore(t)
		st, err := encrypted.Wrap(raw, testKey)
		if err != nil {
			t.Fatal(err)
		}
		e, err := st.CreateEndpoint(ctx, store.Endpoint{
			URL: "https://example.com/hook", Secret: "whsec_first-secret", Active: true, SignatureProfile: store.ProfileStandard,
		})
		if err != nil {
			t.Fatal(err)
		}
		rotation := store.SecretRotation{Secret: "whsec_second-secret", PreviousExpiresAt: time.Now().Add(time.Hour)}
		got, err := st.UpdateEndpoint(ctx, e.ID, store.EndpointPatch{Rotation: &rotation})
		if err != nil {
			t.Fatal(err)
		}
		if got.Secret != "whsec_second-secret" || got.PreviousSecret != "whsec_first-secret" {
			t.Fatalf("rotated secrets %q / %q, want the new one and the old one in clear", got.Secret, got.PreviousSecret)
		}
		stored, err := raw.GetEndpoint(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored.Secret, "enc:v1:") || !strings.HasPrefix(stored.PreviousSecret, "enc:v1:") ||
			strings.Contains(stored.Secret+stored.PreviousSecret, "-secret") {
			t.Fatalf("secrets stored in clear after a rotation: %q, %q", stored.Secret, stored.PreviousSecret)
		}
	})
}

// TestHeaderValuesAreEncryptedAtRest: custom header values are sealed like
// the secrets, on create and on update, and opened for the sender; names stay
// readable.
func TestHeaderValuesAreEncryptedAtRest(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		ctx := context.Background()
		raw := newStore(t)
		st, err := encrypted.Wrap(raw, testKey)
		if err != nil {
			t.Fatal(err)
		}
		e, err := st.CreateEndpoint(ctx, store.Endpoint{
			URL: "https://example.com/hook", Secret: "whsec_first-secret", Active: true, SignatureProfile: store.ProfileStandard,
			Headers: map[string]string{"Authorization": "Bearer receiver-credential"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if e.Headers["Authorization"] != "Bearer receiver-credential" {
			t.Fatalf("create returned %v", e.Headers)
		}
		sealedIn := func(what string) {
			t.Helper()
			stored, err := raw.GetEndpoint(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			for name, value := range stored.Headers {
				if !strings.HasPrefix(value, "enc:v1:") || strings.Contains(value, "credential") {
					t.Errorf("%s: header %s stored in clear: %q", what, name, value)
				}
			}
			if len(stored.Headers) == 0 {
				t.Errorf("%s: no header stored", what)
			}
		}
		sealedIn("create")
		headers := map[string]string{"Authorization": "Bearer new-credential", "X-Tenant": "acme"}
		got, err := st.UpdateEndpoint(ctx, e.ID, store.EndpointPatch{Headers: &headers})
		if err != nil || got.Headers["Authorization"] != "Bearer new-credential" || got.Headers["X-Tenant"] != "acme" {
			t.Fatalf("update: %v, %v", got.Headers, err)
		}
		sealedIn("update")
		list, err := st.ListEndpoints(ctx, store.EndpointFilter{})
		if err != nil || list[0].Headers["X-Tenant"] != "acme" {
			t.Fatalf("list: %v, %v", list, err)
		}
		ev := store.Event{Type: "a.b"}
		if err := ev.Normalize(); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Publish(ctx, ev, store.PublishOptions{MaxRetries: 1}); err != nil {
			t.Fatal(err)
		}
		claimed, err := st.Claim(ctx, store.ClaimRequest{Limit: 5, Lease: time.Minute, Worker: "w"})
		if err != nil || len(claimed) != 1 || claimed[0].Endpoint.Headers["Authorization"] != "Bearer new-credential" {
			t.Fatalf("claim: %v, %+v", err, claimed)
		}
		if err := st.Release(ctx, []store.Lease{claimed[0].Lease}); err != nil {
			t.Fatal(err)
		}
	})
}
