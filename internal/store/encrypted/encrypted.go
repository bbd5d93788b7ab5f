// Package encrypted keeps endpoint secrets encrypted at rest: it wraps a
// store.Store so that signing secrets and the values of custom headers (which
// may be receiver credentials) are sealed with AES-256-GCM before they are
// written and opened when read back. Values written before a key was set are
// read as they are and sealed on their next write.
package encrypted

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/internal/store"
)

// prefix marks a sealed secret in the database.
const prefix = "enc:v1:"

// ParseKey reads a 32-byte key written as 64 hex digits or as standard
// base64.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if key, err := hex.DecodeString(s); err == nil && len(key) == 32 {
		return key, nil
	}
	if key, err := base64.StdEncoding.DecodeString(s); err == nil && len(key) == 32 {
		return key, nil
	}
	return nil, errors.New("must be 32 bytes written as 64 hex digits or base64 (generate one with: openssl rand -base64 32)")
}

// ErrWrongKey reports a sealed value that the key does not open: the key is
// not the one it was sealed with, or the value is corrupted. Its text names
// no setting; the command line and the library add theirs.
var ErrWrongKey = errors.New("wrong encryption key or corrupted value")

// Store seals endpoint secrets on their way into the wrapped store and opens
// them on their way out. Every other method passes through.
type Store struct {
	store.Store
	aead cipher.AEAD
}

// Wrap returns st with secrets encrypted under key (32 bytes).
func Wrap(st store.Store, key []byte) (*Store, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	return &Store{Store: st, aead: aead}, nil
}

func (s *Store) seal(secret string) string {
	if secret == "" {
		return ""
	}
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return prefix + base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(secret), nil))
}

func (s *Store) open(stored string) (string, error) {
	sealed, ok := strings.CutPrefix(stored, prefix)
	if !ok {
		return stored, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", errors.New("decrypt endpoint secret: malformed ciphertext")
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("decrypt endpoint secret: %w", ErrWrongKey)
	}
	return string(plain), nil
}

func (s *Store) sealEndpoint(e store.Endpoint) store.Endpoint {
	e.Secret = s.seal(e.Secret)
	e.PreviousSecret = s.seal(e.PreviousSecret)
	e.Headers = s.sealHeaders(e.Headers)
	return e
}

func (s *Store) openEndpoint(e store.Endpoint) (store.Endpoint, error) {
	var err1, err2, err3 error
	e.Secret, err1 = s.open(e.Secret)
	e.PreviousSecret, err2 = s.open(e.PreviousSecret)
	e.Headers, err3 = s.openHeaders(e.Headers)
	return e, errors.Join(err1, err2, err3)
}

// sealHeaders returns a copy of headers with every value sealed; names stay
// readable.
func (s *Store) sealHeaders(headers map[string]string) map[string]string {
	if headers == nil {
		return nil
	}
	out := make(map[string]string, len(headers))
	for name, value := range headers {
		out[name] = s.seal(value)
	}
	return out
}

// openHeaders returns a copy of headers with every sealed value opened.
func (s *Store) openHeaders(headers map[string]string) (map[string]string, error) {
	if headers == nil {
		return nil, nil
	}
	out := make(map[string]string, len(headers))
	for name, value := range headers {
		plain, err := s.open(value)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", name, err)
		}
		out[name] = plain
	}
	return out, nil
}

func (s *Store) openOne(e store.Endpoint, err error) (store.Endpoint, error) {
	if err != nil {
		return e, err
	}
	return s.openEndpoint(e)
}

// CreateEndpoint seals the secrets, then creates the endpoint.
func (s *Store) CreateEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	return s.openOne(s.Store.CreateEndpoint(ctx, s.sealEndpoint(e)))
}

// UpdateEndpoint seals the new secret of a rotation and new header values,
// then updates the endpoint. The store moves the stored secret, sealed or not, to
// previous_secret as it is.
func (s *Store) UpdateEndpoint(ctx context.Context, id int64, p store.EndpointPatch) (store.Endpoint, error) {
	if p.Rotation != nil {
		r := *p.Rotation
		r.Secret = s.seal(r.Secret)
		p.Rotation = &r
	}
	if p.Headers != nil {
		sealed := s.sealHeaders(*p.Headers)
		p.Headers = &sealed
	}
	return s.openOne(s.Store.UpdateEndpoint(ctx, id, p))
}

// GetEndpoint returns the endpoint with its secrets opened.
func (s *Store) GetEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	return s.openOne(s.Store.GetEndpoint(ctx, id))
}

// ListEndpoints returns endpoints with their secrets opened.
func (s *Store) ListEndpoints(ctx context.Context, f store.EndpointFilter) ([]store.Endpoint, error) {
	list, err := s.Store.ListEndpoints(ctx, f)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i], err = s.openEndpoint(list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// SyncConfigEndpoints seals the shared secret, then syncs.
func (s *Store) SyncConfigEndpoints(ctx context.Context, urls []string, secret string) error {
	return s.Store.SyncConfigEndpoints(ctx, urls, s.seal(secret))
}

// Claim claims deliveries and opens their endpoints' secrets to sign them.
// If a secret cannot be opened (a wrong key), the whole batch is handed back
// unsent and the error returned: nothing is ever signed with a wrong key.
func (s *Store) Claim(ctx context.Context, c store.ClaimRequest) ([]store.Claimed, error) {
	claimed, err := s.Store.Claim(ctx, c)
	if err != nil {
		return nil, err
	}
	for i := range claimed {
		e, err := s.openEndpoint(claimed[i].Endpoint)
		if err != nil {
			leases := make([]store.Lease, len(claimed))
			for j, c := range claimed {
				leases[j] = c.Lease
			}
			return nil, errors.Join(fmt.Errorf("webhook %d: %w", e.ID, err), s.Store.Release(ctx, leases))
		}
		claimed[i].Endpoint = e
	}
	return claimed, nil
}
