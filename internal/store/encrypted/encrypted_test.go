package encrypted_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
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
		st, err := encrypted.Wrap(raw, testKey, nil)
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

		wrongKey, err := encrypted.Wrap(raw, []byte("ffffffffffffffffffffffffffffffff"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wrongKey.GetEndpoint(ctx, e.ID); !errors.Is(err, encrypted.ErrWrongKey) || strings.Contains(err.Error(), "HOOKRELAY_") {
			t.Fatalf("wrong key: %v, want a clear error", err)
		}
		if claimed, err := wrongKey.Claim(ctx, store.ClaimRequest{Limit: 5, Lease: time.Minute, Worker: "w"}); err != nil || len(claimed) != 0 {
			t.Fatalf("claim with a wrong key = %+v, %v; want nothing claimed, no error", claimed, err)
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

// publishTo publishes one event to every active endpoint of st.
func publishTo(t *testing.T, st store.Store) {
	t.Helper()
	testenv.Publish(t, st, store.Event{Type: "a.b"}, 3)
}

// pendingUncounted fails t unless endpoint id's deliveries are all pending
// with no attempt counted.
func pendingUncounted(t *testing.T, raw store.Store, id int64) {
	t.Helper()
	ds, err := raw.ListDeliveries(context.Background(), store.DeliveryFilter{EndpointID: id})
	if err != nil || len(ds) == 0 {
		t.Fatalf("deliveries of endpoint %d: %v, %v", id, ds, err)
	}
	for _, d := range ds {
		if d.Status != store.StatusPending || d.RetryCount != 0 || d.LastError != "" {
			t.Errorf("delivery %d of endpoint %d: %s, retry %d, %q; want pending, nothing counted", d.ID, id, d.Status, d.RetryCount, d.LastError)
		}
	}
}

// TestOneUndecryptableEndpointStopsOnlyItself: an endpoint sealed under
// another key (a process with a wrong key wrote it) fails neither claims
// nor lists as a whole: its deliveries are handed back unsent and
// uncounted, the endpoint is named in the log, and the other endpoints'
// deliveries flow.
func TestOneUndecryptableEndpointStopsOnlyItself(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		ctx := context.Background()
		raw := newStore(t)
		var logs testenv.Buffer
		st, err := encrypted.Wrap(raw, testKey, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		good, err := st.CreateEndpoint(ctx, store.Endpoint{URL: "https://good.example/hook", Secret: "whsec_good-secret", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		wrong, err := encrypted.Wrap(raw, []byte("ffffffffffffffffffffffffffffffff"), nil)
		if err != nil {
			t.Fatal(err)
		}
		bad, err := wrong.CreateEndpoint(ctx, store.Endpoint{URL: "https://bad.example/hook", Secret: "whsec_bad-secret", Active: true,
			Headers: map[string]string{"X-Api-Key": "receiver-key"}})
		if err != nil {
			t.Fatal(err)
		}
		publishTo(t, raw)
		publishTo(t, raw)

		claimed, err := st.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
		if err != nil {
			t.Fatalf("claim: %v; one undecryptable endpoint must not fail the claim", err)
		}
		if len(claimed) != 2 {
			t.Fatalf("claimed %d deliveries, want the good endpoint's 2", len(claimed))
		}
		for _, c := range claimed {
			if c.Endpoint.ID != good.ID || c.Endpoint.Secret != "whsec_good-secret" {
				t.Errorf("claimed %+v, want only endpoint %d with its secret opened", c.Endpoint, good.ID)
			}
		}
		pendingUncounted(t, raw, bad.ID)
		if !strings.Contains(logs.String(), fmt.Sprintf("endpoint_id=%d", bad.ID)) {
			t.Errorf("log %q does not name endpoint %d", logs.String(), bad.ID)
		}
		// Held back: the next claims leave it alone, and log it no more.
		if again, err := st.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"}); err != nil || len(again) != 0 {
			t.Fatalf("second claim = %+v, %v; want nothing", again, err)
		}
		if n := strings.Count(logs.String(), "another key"); n != 1 {
			t.Errorf("logged %d times, want once per hold-back", n)
		}
		pendingUncounted(t, raw, bad.ID)

		list, err := st.ListEndpoints(ctx, store.EndpointFilter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("list = %d endpoints, %v; want both", len(list), err)
		}
		if list[0].Secret != "whsec_good-secret" || !encrypted.IsSealed(list[1].Secret) {
			t.Errorf("list: %q, %q; want the good one opened, the other as stored", list[0].Secret, list[1].Secret)
		}
		if _, err := st.ListEndpoints(ctx, store.EndpointFilter{}); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(logs.String(), "endpoint listed with its values encrypted"); n != 1 {
			t.Errorf("two lists logged the endpoint %d times, want once a while", n)
		}
		_, err = st.GetEndpoint(ctx, bad.ID)
		if !errors.Is(err, encrypted.ErrWrongKey) {
			t.Errorf("get of the bad endpoint = %v, want ErrWrongKey", err)
		}
		// A header that cannot be opened is called a header.
		secretOK := store.SecretRotation{Secret: "whsec_new-good", PreviousExpiresAt: time.Now()}
		if _, err := raw.UpdateEndpoint(ctx, bad.ID, store.EndpointPatch{Rotation: &secretOK}); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.UpdateEndpoint(ctx, bad.ID, store.EndpointPatch{Rotation: &secretOK}); err != nil {
			t.Fatal(err)
		}
		_, err = st.GetEndpoint(ctx, bad.ID)
		if err == nil || !strings.Contains(err.Error(), "decrypt endpoint header X-Api-Key") || strings.Contains(err.Error(), "endpoint secret") {
			t.Errorf("get with only a header sealed under another key = %v, want a header error", err)
		}
	})
}

// TestWithoutKeySealedEndpointsAreHandedBack: a process without a key, on a
// database where another process sealed an endpoint's values, never claims
// that endpoint's deliveries for sending: they stay pending, no attempt
// counted, for a process with the key; the others flow.
func TestWithoutKeySealedEndpointsAreHandedBack(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		ctx := context.Background()
		raw := newStore(t)
		var logs testenv.Buffer
		plain := encrypted.Plain(raw, slog.New(slog.NewTextHandler(&logs, nil)))
		clear, err := plain.CreateEndpoint(ctx, store.Endpoint{URL: "https://clear.example/hook", Secret: "whsec_clear-secret", Active: true})
		if err != nil || clear.Secret != "whsec_clear-secret" {
			t.Fatalf("create without a key: %+v, %v", clear, err)
		}
		keyed, err := encrypted.Wrap(raw, testKey, nil)
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := keyed.CreateEndpoint(ctx, store.Endpoint{URL: "https://sealed.example/hook", Secret: "whsec_sealed-secret", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		publishTo(t, raw)
		for range 3 {
			claimed, err := plain.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "w"})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range claimed {
				if c.Endpoint.ID != clear.ID {
					t.Fatalf("claimed a delivery of endpoint %d, whose values are sealed", c.Endpoint.ID)
				}
				if err := raw.Release(ctx, []store.Lease{c.Lease}); err != nil {
					t.Fatal(err)
				}
			}
		}
		pendingUncounted(t, raw, sealed.ID)
		if !strings.Contains(logs.String(), fmt.Sprintf("endpoint_id=%d", sealed.ID)) || !strings.Contains(logs.String(), "no encryption key") {
			t.Errorf("log %q does not say endpoint %d waits for a key", logs.String(), sealed.ID)
		}
		claimed, err := keyed.Claim(ctx, store.ClaimRequest{Limit: 10, Lease: time.Minute, Worker: "k"})
		if err != nil || len(claimed) != 2 {
			t.Fatalf("the process with the key claims %d, %v; want both deliveries", len(claimed), err)
		}
	})
}

// TestSealChecksTheKey: Seal refuses a well-formed key that opens none of
// the database's encrypted values (ErrWrongKey), before it writes; it takes
// the right key, and any key on a database with nothing encrypted.
func TestSealChecksTheKey(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		ctx := context.Background()
		raw := newStore(t)
		right := strings.Repeat("ab", 32)
		wrong := strings.Repeat("cd", 32)
		if _, err := encrypted.Seal(ctx, raw, wrong, nil); err != nil {
			t.Fatalf("a key on an empty database: %v", err)
		}
		st, err := encrypted.Seal(ctx, raw, right, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateEndpoint(ctx, store.Endpoint{URL: "https://a.example/hook", Secret: "whsec_a-secret", Active: true}); err != nil {
			t.Fatal(err)
		}
		_, err = encrypted.Seal(ctx, raw, wrong, nil)
		if !errors.Is(err, encrypted.ErrWrongKey) || strings.Contains(err.Error(), "HOOKRELAY_") {
			t.Fatalf("Seal with a wrong key = %v, want ErrWrongKey naming no setting", err)
		}
		if _, err := encrypted.Seal(ctx, raw, right, nil); err != nil {
			t.Fatalf("Seal with the right key: %v", err)
		}
	})
}
