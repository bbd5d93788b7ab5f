// Package encrypted keeps endpoint secrets encrypted at rest: it wraps a
// store.Store so that signing secrets and the values of custom headers (which
// may be receiver credentials) are sealed with AES-256-GCM before they are
// written and opened when read back. Values written before a key was set are
// read as they are and sealed on their next write.
//
// One endpoint whose values this process cannot open (sealed under another
// key, or sealed while this process has no key) affects that endpoint
// only: Claim hands its deliveries back unsent and uncounted, and logs it,
// while the other endpoints' deliveries flow.
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
	"log/slog"
	"strings"
	"sync"
	"time"

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

// HoldBackFor is how long Claim leaves alone an endpoint whose values this
// process cannot open, once it has handed its deliveries back: its
// deliveries stay pending for a process that can, and this one logs the
// endpoint once per HoldBackFor.
const HoldBackFor = time.Minute

// Store seals endpoint secrets on their way into the wrapped store and opens
// them on their way out. Every other method passes through. Without a key
// (Plain), it writes values in clear and reads them as stored, and only
// keeps Claim from handing out an endpoint whose values are sealed.
type Store struct {
	store.Store
	aead   cipher.AEAD // nil: this process has no key
	logger *slog.Logger

	mu sync.Mutex
	// held maps the endpoints that Claim hands back to when it may try
	// them again.
	held map[int64]time.Time
	// listed maps the endpoints that ListEndpoints could not open to when
	// it may log them again.
	listed map[int64]time.Time
}

// Wrap returns st with secrets encrypted under key (32 bytes). Claim logs
// the endpoints it holds back to logger (nil: slog.Default()).
func Wrap(st store.Store, key []byte, logger *slog.Logger) (*Store, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	w := Plain(st, logger)
	w.aead = aead
	return w, nil
}

// Plain returns st for a process without a key: values are written in
// clear and read as stored, and Claim hands back, unsent and uncounted,
// the deliveries of endpoints whose values another process sealed (signing
// with the ciphertext would send garbage), logging them to logger (nil:
// slog.Default()).
func Plain(st store.Store, logger *slog.Logger) *Store {
	if logger == nil {
		logger = slog.Default()
	}
	return &Store{Store: st, logger: logger, held: map[int64]time.Time{}, listed: map[int64]time.Time{}}
}

// Over returns st wrapped with s's key (or its lack of one): for a view of
// the same database that s does not wrap, such as the store seen from inside
// an application's transaction, so that what it writes is sealed as s
// seals it.
func (s *Store) Over(st store.Store) *Store {
	return &Store{Store: st, aead: s.aead, logger: s.logger, held: map[int64]time.Time{}, listed: map[int64]time.Time{}}
}

func (s *Store) seal(secret string) string {
	if secret == "" || s.aead == nil {
		return secret
	}
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return prefix + base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(secret), nil))
}

// open returns the plain text of a stored value; what names the value in
// errors ("secret", "header X-Api-Key"). Without a key, a sealed value is
// an error wrapping ErrKeyMissing.
func (s *Store) open(stored, what string) (string, error) {
	sealed, ok := strings.CutPrefix(stored, prefix)
	if !ok {
		return stored, nil
	}
	if s.aead == nil {
		return "", fmt.Errorf("decrypt endpoint %s: %w", what, ErrKeyMissing)
	}
	return openWith(s.aead, sealed, what)
}

// openWith opens sealed (a stored value without its prefix) with aead.
func openWith(aead cipher.AEAD, sealed, what string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", fmt.Errorf("decrypt endpoint %s: malformed ciphertext: %w", what, ErrWrongKey)
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("decrypt endpoint %s: %w", what, ErrWrongKey)
	}
	return string(plain), nil
}

func (s *Store) sealEndpoint(e store.Endpoint) store.Endpoint {
	e.Secret = s.seal(e.Secret)
	e.PreviousSecret = s.seal(e.PreviousSecret)
	e.Headers = s.sealHeaders(e.Headers)
	return e
}

// openEndpoint returns e with its values opened, or e as stored and an
// error naming the endpoint when one of them cannot be opened.
func (s *Store) openEndpoint(e store.Endpoint) (store.Endpoint, error) {
	var err1, err2, err3 error
	opened := e
	opened.Secret, err1 = s.open(e.Secret, "secret")
	opened.PreviousSecret, err2 = s.open(e.PreviousSecret, "previous secret")
	opened.Headers, err3 = s.openHeaders(e.Headers)
	if err := errors.Join(err1, err2, err3); err != nil {
		return e, fmt.Errorf("endpoint %d: %w", e.ID, err)
	}
	return opened, nil
}

// readEndpoint is openEndpoint for the reads that show endpoints (get,
// list, create, update): without a key they are returned as stored.
func (s *Store) readEndpoint(e store.Endpoint) (store.Endpoint, error) {
	if s.aead == nil {
		return e, nil
	}
	return s.openEndpoint(e)
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
		plain, err := s.open(value, "header "+name)
		if err != nil {
			return nil, err
		}
		out[name] = plain
	}
	return out, nil
}

func (s *Store) openOne(e store.Endpoint, err error) (store.Endpoint, error) {
	if err != nil {
		return e, err
	}
	return s.readEndpoint(e)
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

// NewChallenge starts a new challenge and returns the endpoint with its
// secrets opened.
func (s *Store) NewChallenge(ctx context.Context, id int64, eventID string) (store.Endpoint, error) {
	return s.openOne(s.Store.NewChallenge(ctx, id, eventID))
}

// GetEndpoint returns the endpoint with its secrets opened.
func (s *Store) GetEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	return s.openOne(s.Store.GetEndpoint(ctx, id))
}

// ListEndpoints returns endpoints with their secrets opened. An endpoint
// whose values cannot be opened is listed with them as stored (sealed, so
// nothing signs with them: see SealedField) and logged, once per
// HoldBackFor; the others are listed as usual.
func (s *Store) ListEndpoints(ctx context.Context, f store.EndpointFilter) ([]store.Endpoint, error) {
	list, err := s.Store.ListEndpoints(ctx, f)
	if err != nil {
		return nil, err
	}
	for i := range list {
		opened, err := s.readEndpoint(list[i])
		if err != nil {
			if s.firstIn(s.listed, list[i].ID) {
				s.logger.Warn("endpoint listed with its values encrypted: this process cannot decrypt them",
					slog.Int64("endpoint_id", list[i].ID), slog.String("error", err.Error()))
			}
			continue
		}
		list[i] = opened
	}
	return list, nil
}

// SyncConfigEndpoints seals the shared secret, then syncs.
func (s *Store) SyncConfigEndpoints(ctx context.Context, urls []string, secret string) error {
	return s.Store.SyncConfigEndpoints(ctx, urls, s.seal(secret))
}

// Claim claims deliveries and opens their endpoints' secrets to sign them.
// The deliveries of an endpoint whose values cannot be opened (another key
// sealed them, or this process has none) are handed back at once
// (Release: unsent, no attempt counted, due again for a process that can
// open them) and the endpoint is skipped by this store's claims for
// HoldBackFor, with one log line naming it; the other deliveries are
// returned. Nothing is ever signed with a wrong key or with ciphertext.
func (s *Store) Claim(ctx context.Context, c store.ClaimRequest) ([]store.Claimed, error) {
	c.SkipEndpoints = append(s.heldBack(), c.SkipEndpoints...)
	claimed, err := s.Store.Claim(ctx, c)
	if err != nil {
		return nil, err
	}
	var handBack []store.Lease
	unreadable := map[int64]error{}
	ready := claimed[:0]
	for _, cl := range claimed {
		e, err := s.openEndpoint(cl.Endpoint)
		if err != nil {
			handBack = append(handBack, cl.Lease)
			unreadable[e.ID] = err
			continue
		}
		cl.Endpoint = e
		ready = append(ready, cl)
	}
	if len(handBack) > 0 {
		if err := s.Store.Release(ctx, handBack); err != nil {
			// The leases expire and are rescued; the others go out.
			s.logger.Error("hand back deliveries of endpoints this process cannot decrypt", slog.String("error", err.Error()))
		}
	}
	for id, err := range unreadable {
		s.holdBack(id, err)
	}
	return ready, nil
}

// firstIn reports whether id is not in times, or its time there has
// passed, and then sets it to now + HoldBackFor: the first time in a while.
func (s *Store) firstIn(times map[int64]time.Time, id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if until, ok := times[id]; ok && now.Before(until) {
		return false
	}
	times[id] = now.Add(HoldBackFor)
	return true
}

// heldBack returns the endpoints that Claim leaves alone now, and forgets
// those whose time is over.
func (s *Store) heldBack() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var ids []int64
	for id, until := range s.held {
		if now.After(until) {
			delete(s.held, id)
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// holdBack records that endpoint id's values cannot be opened (err says
// why) and logs it, once per HoldBackFor.
func (s *Store) holdBack(id int64, err error) {
	if !s.firstIn(s.held, id) {
		return
	}
	msg := "endpoint's values were encrypted with another key: its deliveries are handed back unsent, for a process with that key"
	if errors.Is(err, ErrKeyMissing) {
		msg = "endpoint's values are encrypted and this process has no encryption key: its deliveries are handed back unsent, for a process with the key"
	}
	s.logger.Warn(msg, slog.Int64("endpoint_id", id), slog.String("error", err.Error()),
		slog.String("retry_in", HoldBackFor.String()))
}

// DueProbes returns the endpoints due for a probe with their secrets
// opened; one whose values cannot be opened is left out (a probe must be
// signed with the real secret), so that another process can probe it.
func (s *Store) DueProbes(ctx context.Context, limit int) ([]store.Endpoint, error) {
	list, err := s.Store.DueProbes(ctx, limit)
	if err != nil {
		return nil, err
	}
	opened := list[:0]
	for _, e := range list {
		if o, err := s.openEndpoint(e); err == nil {
			opened = append(opened, o)
		}
	}
	return opened, nil
}

// StopRecovery stops the recovery and returns the endpoint with its secrets
// opened.
func (s *Store) StopRecovery(ctx context.Context, id int64) (store.Endpoint, error) {
	return s.openOne(s.Store.StopRecovery(ctx, id))
}
