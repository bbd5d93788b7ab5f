package encrypted_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/encrypted"
	"github.com/hookrelay/hookrelay/internal/testenv"
)

// A store opened without the key that wrote its encrypted values is
// refused, naming the endpoint and field, so that nothing signs with
// ciphertext; a store with values in clear only is fine.
func TestCheckNoneSealed(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		ctx := context.Background()
		raw := newStore(t)
		if _, err := raw.CreateEndpoint(ctx, store.Endpoint{URL: "https://a.example/hook", Secret: "clear-secret-0123456789", Active: true}); err != nil {
			t.Fatal(err)
		}
		if err := encrypted.CheckNoneSealed(ctx, raw); err != nil {
			t.Fatalf("values in clear: %v", err)
		}
		st, err := encrypted.Wrap(raw, testKey, nil)
		if err != nil {
			t.Fatal(err)
		}
		e, err := st.CreateEndpoint(ctx, store.Endpoint{URL: "https://b.example/hook", Secret: "sealed-secret-0123456789", Active: true,
			Headers: map[string]string{"Authorization": "Bearer receiver-token"}})
		if err != nil {
			t.Fatal(err)
		}
		err = encrypted.CheckNoneSealed(ctx, raw)
		if !errors.Is(err, encrypted.ErrKeyMissing) || !strings.Contains(err.Error(), "secret") {
			t.Fatalf("an encrypted endpoint without the key: %v, want ErrKeyMissing naming the secret", err)
		}
		stored, err := raw.GetEndpoint(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := encrypted.SealedField(store.Endpoint{Headers: stored.Headers}); got != "headers.Authorization" {
			t.Errorf("SealedField of the stored headers = %q, want headers.Authorization", got)
		}
	})
}
