package encrypted

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
// ParseKey reads it, and that logs to logger (nil: slog.Default()).
//
// With a key, st is wrapped to encrypt under it (Wrap) once CheckKey has
// found that the key opens what the database holds: a wrong key is refused
// with an error wrapping ErrWrongKey, before it writes anything. Without a
// key, st is wrapped by Plain once CheckNoneSealed has found no encrypted
// value in it. Errors name no setting: the command line and the library add
// theirs.
func Seal(ctx context.Context, st store.Store, key string, logger *slog.Logger) (store.Store, error) {
	if key == "" {
		if err := CheckNoneSealed(ctx, st); err != nil {
			return nil, err
		}
		return Plain(st, logger), nil
	}
	k, err := ParseKey(key)
	if err != nil {
		return nil, err
	}
	sealed, err := Wrap(st, k, logger)
	if err != nil {
		return nil, err
	}
	if err := sealed.CheckKey(ctx); err != nil {
		return nil, err
	}
	return sealed, nil
}

// CheckKey returns an error wrapping ErrWrongKey when the database holds
// encrypted values and this store's key opens none of them: they were all
// sealed under another key, which is the one to give. A database with no
// encrypted value accepts any key (the first to write pins it); one where
// some values open and others do not (written by a process with a wrong
// key) is accepted, and Claim holds back the endpoints it cannot open.
func (s *Store) CheckKey(ctx context.Context) error {
	endpoints, err := s.Store.ListEndpoints(ctx, store.EndpointFilter{})
	if err != nil {
		return fmt.Errorf("read endpoints: %w", err)
	}
	var first error
	for _, e := range endpoints {
		if SealedField(e) == "" {
			continue
		}
		_, err := s.openEndpoint(e)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	if first != nil {
		return fmt.Errorf("the database's encrypted values were sealed with another key (%w)", first)
	}
	return nil
}
