package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/tracecontext"
)

// challengeBytes is the entropy of a challenge: 32 random bytes (256 bits),
// sent as 43 characters of unpadded base64url.
const challengeBytes = 32

// RequiresVerification is whether a new endpoint must prove ownership: the
// caller's explicit choice (require_verification), or else
// Options.RequireVerification. A door sets the answer as
// Endpoint.Verification.Unverified of what it gives CreateEndpoint.
func (s *Service) RequiresVerification(explicit *bool) bool {
	if explicit != nil {
		return *explicit
	}
	return s.opts.RequireVerification
}

// newChallenge returns a challenge: a random string from crypto/rand.
func newChallenge() (string, error) {
	b := make([]byte, challengeBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate a challenge: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// publishChallenge publishes the challenge event eventID,
// store.VerificationEventType with data {"challenge": "<random>"}, to
// endpoint e alone (an inactive endpoint gets no delivery).
func (s *Service) publishChallenge(ctx context.Context, e store.Endpoint, eventID string) error {
	challenge, err := newChallenge()
	if err != nil {
		return err
	}
	data, err := json.Marshal(map[string]string{"challenge": challenge})
	if err != nil {
		return err
	}
	ev := store.Event{ID: eventID, Type: store.VerificationEventType, Data: data, TenantID: e.TenantID}
	ev.TraceParent, ev.TraceState = tracecontext.Of(ctx)
	if _, err := s.store.Publish(ctx, ev, store.PublishOptions{MaxRetries: s.opts.DefaultMaxRetries, EndpointIDs: []int64{e.ID}}); err != nil {
		return fmt.Errorf("publish the challenge of endpoint %d: %w", e.ID, err)
	}
	return nil
}

// SendChallenge sends unverified endpoint id a new challenge, as
// store.Store.NewChallenge says: the previous one no longer counts, and
// its delivery, when still pending, is cancelled. It returns the endpoint
// as stored. A verified endpoint is refused with ErrAlreadyVerified, an
// inactive one with ErrEndpointDisabled (enable it first).
func (s *Service) SendChallenge(ctx context.Context, id int64) (store.Endpoint, error) {
	e, err := s.getEndpoint(ctx, id)
	if err != nil {
		return store.Endpoint{}, err
	}
	if !e.Verification.Unverified {
		return store.Endpoint{}, fmt.Errorf("endpoint %d %w", id, ErrAlreadyVerified)
	}
	if !e.Active {
		return store.Endpoint{}, fmt.Errorf("endpoint %d %w", id, ErrEndpointDisabled)
	}
	eventID := store.NewEventID()
	e, err = s.store.NewChallenge(ctx, id, eventID)
	if err != nil {
		return store.Endpoint{}, rowError("endpoint", id, err)
	}
	if err := s.publishChallenge(ctx, e, eventID); err != nil {
		return store.Endpoint{}, err
	}
	return e, nil
}
