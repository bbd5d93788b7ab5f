package encrypted

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
)

// IsSealed reports whether a stored value is encrypted (written by a Store
// with a key): its plain text is known only with that key.
func IsSealed(stored string) bool { return strings.HasPrefix(stored, prefix) }

// SealedField names the first value of e that is encrypted (secret,
// previous_secret, or headers.NAME), or returns "" when none is. An
// endpoint read without a key must not be signed or sent with such a value:
// it would carry the ciphertext.
func SealedField(e store.Endpoint) string {
	switch {
	case IsSealed(e.Secret):
		return "secret"
	case IsSealed(e.PreviousSecret):
		return "previous_secret"
	}
	for name, value := range e.Headers {
		if IsSealed(value) {
			return "headers." + name
		}
	}
	return ""
}

// ErrKeyMissing reports encrypted values in a store opened without a key.
// Its text names no setting; the command line and the library add theirs.
var ErrKeyMissing = errors.New("endpoint values are encrypted at rest, and no encryption key is set")

// CheckNoneSealed returns an error wrapping ErrKeyMissing, naming the
// endpoint and field, when any endpoint of st holds an encrypted value: a
// process without the key must not start on such a database, or it would
// sign with ciphertext and send it as header values.
func CheckNoneSealed(ctx context.Context, st store.Store) error {
	endpoints, err := st.ListEndpoints(ctx, store.EndpointFilter{})
	if err != nil {
		return fmt.Errorf("read endpoints: %w", err)
	}
	for _, e := range endpoints {
		if field := SealedField(e); field != "" {
			return fmt.Errorf("%w: endpoint %d's %s is one", ErrKeyMissing, e.ID, field)
		}
	}
	return nil
}

// Seal readies st for a process whose encryption key is key, written as
// ParseKey reads it: wrapped to encrypt under key, or, when key is empty,
// st itself once CheckNoneSealed has found no encrypted value in it. Errors
// name no setting: the command line and the library add theirs.
func Seal(ctx context.Context, st store.Store, key string) (store.Store, error) {
	if key == "" {
		if err := CheckNoneSealed(ctx, st); err != nil {
			return nil, err
		}
		return st, nil
	}
	k, err := ParseKey(key)
	if err != nil {
		return nil, err
	}
	sealed, err := Wrap(st, k)
	if err != nil {
		return nil, err
	}
	return sealed, nil
}
