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

// eachSealed runs test once per store (testenv.EachStore) with the store as
// it is (raw) and wrapped under testKey (st).
func eachSealed(t *testing.T, test func(t *testing.T, raw, st store.Store)) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		raw := newStore(t)
		st, err := encrypted.Wrap(raw, testKey)
		if err != nil {
			t.Fatal(err)
		}
		test(t, raw, st)
	})
}

// claimedEndpoint publishes one event to every endpoint of st (there must be
// one), claims its delivery, hands the lease back and returns the endpoint
// that the claim carried, as the sender gets it.
func claimedEndpoint(t *testing.T, st store.Store) store.Endpoint {
	t.Helper()
	ctx := context.Background()
	ev := store.Event{Type: "a.b"}
	if err := ev.Normalize(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, ev, store.PublishOptions{MaxRetries: 1}); err != nil {
		t.Fatal(err)
	}
	claimed, err := st.Claim(ctx, store.ClaimRequest{Limit: 5, Lease: time.Minute, Worker: "w"})
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %+v", err, claimed)
	}
	if err := st.Release(ctx, []store.Lease{claimed[0].Lease}); err != nil {
		t.Fatal(err)
	}
	return claimed[0].Endpoint
}

// createEndpoint creates e in st.
func createEndpoint(t *testing.T, st store.Store, e store.Endpoint) store.Endpoint {
	t.Helper()
	created, err := st.CreateEndpoint(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// storedEndpoint reads endpoint id from the store under the wrapper, raw:
// its secrets and header values as they are at rest.
func storedEndpoint(t *testing.T, raw store.Store, id int64) store.Endpoint {
	t.Helper()
	e, err := raw.GetEndpoint(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSecretsAreEncryptedAtRest(t *testing.T) {
	eachSealed(t, func(t *testing.T, raw, st store.Store) {
		ctx := context.Background()
		expires := time.Now().Add(time.Hour)
		e := createEndpoint(t, st, store.Endpoint{
			Title: "enc", URL: "https://example.com/hook", Secret: "whsec_current-secret",
			PreviousSecret: "old-secret-value", PreviousSecretExpiresAt: &expires, Active: true,
			SignatureProfile: store.ProfileStandard,
		})
		if e.Secret != "whsec_current-secret" || e.PreviousSecret != "old-secret-value" {
			t.Fatalf("create returned sealed secrets: %q, %q", e.Secret, e.PreviousSecret)
		}
		stored := storedEndpoint(t, raw, e.ID)
		if !strings.HasPrefix(stored.Secret, "enc:v1:") || strings.Contains(stored.Secret, "current-secret") ||
			!strings.HasPrefix(stored.PreviousSecret, "enc:v1:") {
			t.Fatalf("secrets stored in clear: %q, %q", stored.Secret, stored.PreviousSecret)
		}
		got, err := st.GetEndpoint(ctx, e.ID)
		if err != nil || got.Secret != "whsec_current-secret" {
			t.Fatalf("get: %q, %v", got.Secret, err)
		}

		if claimed := claimedEndpoint(t, st); claimed.Secret != "whsec_current-secret" {
			t.Fatalf("claim carried secret %q", claimed.Secret)
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
	eachSealed(t, func(t *testing.T, raw, st store.Store) {
		ctx := context.Background()
		e := createEndpoint(t, st, store.Endpoint{
			URL: "https://example.com/hook", Secret: "whsec_first-secret", Active: true, SignatureProfile: store.ProfileStandard,
		})
		rotation := store.SecretRotation{Secret: "whsec_second-secret", PreviousExpiresAt: time.Now().Add(time.Hour)}
		got, err := st.UpdateEndpoint(ctx, e.ID, store.EndpointPatch{Rotation: &rotation})
		if err != nil {
			t.Fatal(err)
		}
		if got.Secret != "whsec_second-secret" || got.PreviousSecret != "whsec_first-secret" {
			t.Fatalf("rotated secrets %q / %q, want the new one and the old one in clear", got.Secret, got.PreviousSecret)
		}
		stored := storedEndpoint(t, raw, e.ID)
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
	eachSealed(t, func(t *testing.T, raw, st store.Store) {
		ctx := context.Background()
		e := createEndpoint(t, st, store.Endpoint{
			URL: "https://example.com/hook", Secret: "whsec_first-secret", Active: true, SignatureProfile: store.ProfileStandard,
			Headers: map[string]string{"Authorization": "Bearer receiver-credential"},
		})
		if e.Headers["Authorization"] != "Bearer receiver-credential" {
			t.Fatalf("create returned %v", e.Headers)
		}
		sealedIn := func(what string) {
			t.Helper()
			stored := storedEndpoint(t, raw, e.ID)
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
		if claimed := claimedEndpoint(t, st); claimed.Headers["Authorization"] != "Bearer new-credential" {
			t.Fatalf("claim carried headers %v", claimed.Headers)
		}
	})
}
