package service

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/hookrelay/hookrelay/internal/mask"
	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/tracecontext"
)

// CreateEndpoint validates e and stores it. e.SignatureProfile empty means
// Options.DefaultProfile; e.Secret empty means a generated one (NewSecret);
// an inactive e is stored disabled with e.DisabledReason, now. The URL must
// pass ValidateTargetURL and, unless Options.AllowPrivateTargets, resolve
// to globally routable addresses only. The fields the store or the worker
// keep (ID, times, health, previous secret) are ignored; CreatedBy is the
// caller's to name (store.ConfigSource is SyncConfigEndpoints' alone).
// Validation errors are *FieldErrors, joined. The stored endpoint carries
// its ID and secret.
//
// An e with Verification.Unverified (see RequiresVerification) is stored
// unverified and sent its first challenge (see SendChallenge), an active
// one at once; the other Verification fields are the service's to set.
func (s *Service) CreateEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	in, err := s.newEndpoint(ctx, e)
	if err != nil {
		return store.Endpoint{}, err
	}
	secret, err := NewSecret(in.Secret, in.SignatureProfile)
	if err != nil {
		return store.Endpoint{}, err
	}
	in.Secret = secret
	if !e.Verification.Unverified {
		// The store's error says "create endpoint" already.
		return s.store.CreateEndpoint(ctx, in)
	}
	now := s.opts.Now().UTC()
	in.Verification = store.EndpointVerification{Unverified: true, ChallengeEventID: store.NewEventID(), ChallengeSentAt: &now}
	created, err := s.store.CreateEndpoint(ctx, in)
	if err != nil {
		return store.Endpoint{}, err
	}
	if err := s.publishChallenge(ctx, created, created.Verification.ChallengeEventID); err != nil {
		return store.Endpoint{}, fmt.Errorf("endpoint %d was created unverified, but its challenge was not sent (send a new one): %w", created.ID, err)
	}
	return created, nil
}

// CheckEndpoint returns the validation errors that CreateEndpoint would
// return for e, and writes nothing: for a door that found errors of its own
// in what was typed (the dashboard's form) and shows every error at once.
func (s *Service) CheckEndpoint(ctx context.Context, e store.Endpoint) error {
	_, err := s.newEndpoint(ctx, e)
	return err
}

// newEndpoint is the endpoint that CreateEndpoint stores for e, checked, its
// secret not yet generated.
func (s *Service) newEndpoint(ctx context.Context, e store.Endpoint) (store.Endpoint, error) {
	in := store.Endpoint{
		Title: e.Title, URL: e.URL, Secret: e.Secret, Active: e.Active, Events: e.Events, Headers: e.Headers,
		Description: e.Description, CreatedBy: e.CreatedBy, MaxRetries: e.MaxRetries, SignatureProfile: s.Profile(e),
		RateLimitPerSecond: e.RateLimitPerSecond,
	}
	tenant, tenantErr := s.tenantID(ctx, e.TenantID)
	if tenantErr != nil && !errors.Is(tenantErr, ErrInvalid) {
		return store.Endpoint{}, tenantErr
	}
	in.TenantID = tenant
	var reasonErr error
	if !in.Active {
		reasonErr = validReason(e.DisabledReason)
		off := s.activation(false, e.DisabledReason)
		in = store.EndpointPatch{Activation: &off}.Apply(in)
	}
	if err := errors.Join(reasonErr, s.validate(ctx, in, true), secretError(in.Secret, in.SignatureProfile), tenantErr); err != nil {
		return store.Endpoint{}, err
	}
	return in, nil
}

// secretError is ValidateSecret's error for a secret given, nil for none.
func secretError(given, profile string) error {
	if given == "" {
		return nil
	}
	return ValidateSecret(given, profile)
}

// EndpointUpdate is an edit of an endpoint (UpdateEndpoint): each field that
// is set replaces the stored one, the others keep theirs.
type EndpointUpdate struct {
	Title       *string
	URL         *string
	Events      *[]string // an empty list subscribes to every event
	Headers     *map[string]string
	Description *string
	// MaxRetries sets the endpoint's retry budget; an update cannot clear it.
	MaxRetries *int
	// RateLimitPerSecond sets the endpoint's rate limit (requests started
	// per second, across every worker); 0 removes it.
	RateLimitPerSecond *int
	SignatureProfile   *string
	// Active, when it differs from the stored state, enables the endpoint
	// (with a clean health record) or disables it with DisabledReason.
	Active         *bool
	DisabledReason string
	// TenantID, when set, must be the endpoint's tenant ("" for none): a
	// tenant never changes after creation, and a different one is refused
	// with a *FieldError on FieldTenantID (store.ErrTenantImmutable).
	TenantID *string
}

// UpdateEndpoint applies u to endpoint id and returns the stored row, or an
// error matching store.ErrNotFound. The endpoint it would make is validated
// as CreateEndpoint validates (the host checked only when the URL changes),
// then only the fields of u are written, so that the health record the
// worker keeps meanwhile survives.
//
// Custom header values are secret, and the doors show them masked: a value
// given as the mask of the stored value of the same header (mask.HeaderValue,
// names matched ignoring case) keeps the stored value, so that saving what
// was read changes nothing; and a change of URL must give the values again
// (or no headers), a *FieldError on FieldHeaders otherwise, so that no one
// carries them to a host of their choosing. The URL of an endpoint that
// WEBHOOK_URLS defines cannot change (ErrConfigURL), nor can one that
// WEBHOOK_URLS dropped be enabled (ErrConfigRemoved).
//
// A change of URL re-verifies an endpoint that had to prove ownership (it
// is unverified, or was verified by a challenge), and any endpoint when
// Options.RequireVerification is on: the endpoint becomes unverified before
// the URL changes, so that neither URL receives anything meanwhile, and
// then a new challenge is sent to the new URL (see SendChallenge; an
// inactive endpoint gets it only when a new one is sent after it is
// enabled). Ownership of one URL proves nothing about another.
func (s *Service) UpdateEndpoint(ctx context.Context, id int64, u EndpointUpdate) (store.Endpoint, error) {
	p, reverify, err := s.patch(ctx, id, u)
	if err != nil {
		return store.Endpoint{}, err
	}
	if !reverify {
		return s.save(ctx, id, p)
	}
	eventID := store.NewEventID()
	if _, err := s.store.NewChallenge(ctx, id, eventID); err != nil {
		return store.Endpoint{}, rowError("endpoint", id, err)
	}
	saved, err := s.save(ctx, id, p)
	if err != nil {
		return store.Endpoint{}, fmt.Errorf("endpoint %d was made unverified for its new URL, but the URL did not change (send a new challenge or try again): %w", id, err)
	}
	if err := s.publishChallenge(ctx, saved, eventID); err != nil {
		return store.Endpoint{}, fmt.Errorf("endpoint %d moved to its new URL unverified, but its challenge was not sent (send a new one): %w", id, err)
	}
	return saved, nil
}

// CheckEndpointUpdate returns the errors that UpdateEndpoint would return
// for u, and writes nothing: for a door that found errors of its own in
// what was typed (the dashboard's form) and shows every error at once.
func (s *Service) CheckEndpointUpdate(ctx context.Context, id int64, u EndpointUpdate) error {
	_, _, err := s.patch(ctx, id, u)
	return err
}

// patch is the change that UpdateEndpoint writes for u, checked, and
// whether it must re-verify the endpoint (see UpdateEndpoint).
func (s *Service) patch(ctx context.Context, id int64, u EndpointUpdate) (store.EndpointPatch, bool, error) {
	e, err := s.getEndpoint(ctx, id)
	if err != nil {
		return store.EndpointPatch{}, false, err
	}
	urlChanged := u.URL != nil && *u.URL != e.URL
	reverify := urlChanged &&
		(e.Verification.Unverified || e.Verification.VerifiedAt != nil || s.opts.RequireVerification)
	moveKeepsSecrets := urlChanged && len(e.Headers) > 0 &&
		(u.Headers == nil || len(keptHeaderValues(*u.Headers, e.Headers)) > 0)
	p := store.EndpointPatch{
		Title: u.Title, URL: u.URL, Events: u.Events, Description: u.Description,
		MaxRetries: u.MaxRetries, SignatureProfile: u.SignatureProfile, RateLimitPerSecond: u.RateLimitPerSecond,
	}
	if u.Headers != nil {
		kept := keepMaskedHeaders(*u.Headers, e.Headers)
		p.Headers = &kept
	}
	var reasonErr error
	if u.Active != nil && *u.Active != e.Active {
		if !*u.Active {
			reasonErr = validReason(u.DisabledReason)
		}
		a := s.activation(*u.Active, u.DisabledReason)
		p.Activation = &a
	}
	if err := checkConfigTrust(e, p); err != nil {
		return store.EndpointPatch{}, false, err
	}
	var tenantErr error
	if u.TenantID != nil {
		given, err := s.tenantID(ctx, *u.TenantID)
		switch {
		case err != nil && !errors.Is(err, ErrInvalid):
			return store.EndpointPatch{}, false, err
		case err != nil:
			tenantErr = err
		case given != e.TenantID:
			tenantErr = &FieldError{Field: FieldTenantID, Message: store.ErrTenantImmutable}
		}
	}
	// A row that names no profile (Ackify's) is checked with the one it is
	// signed with.
	e.SignatureProfile = s.Profile(e)
	var moveErr error
	if moveKeepsSecrets {
		moveErr = &FieldError{Field: FieldHeaders, Message: "give the custom headers' values again (or none): they are secret, and the URL changes"}
	}
	merged := p.Apply(e)
	if p.RateLimitPerSecond == nil {
		// A stored limit is checked only when the edit sets it, so that one
		// written by SQL beyond the maximum does not lock the endpoint.
		merged.RateLimitPerSecond = 0
	}
	if err := errors.Join(reasonErr, s.validate(ctx, merged, urlChanged), moveErr, tenantErr); err != nil {
		return store.EndpointPatch{}, false, err
	}
	return p, reverify, nil
}

// EnableEndpoint makes endpoint id active again with a clean health record
// (store.Activation). An endpoint that WEBHOOK_URLS dropped stays disabled
// (ErrConfigRemoved).
func (s *Service) EnableEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	e, err := s.getEndpoint(ctx, id)
	if err != nil {
		return store.Endpoint{}, err
	}
	on := s.activation(true, "")
	p := store.EndpointPatch{Activation: &on}
	if err := checkConfigTrust(e, p); err != nil {
		return store.Endpoint{}, err
	}
	return s.save(ctx, id, p)
}

// DisableEndpoint stops deliveries to endpoint id, recording reason (text
// of at most 2000 bytes, a *FieldError on FieldReason otherwise) and now;
// its health record is kept. Its queued deliveries wait, and new events
// skip it, until EnableEndpoint.
func (s *Service) DisableEndpoint(ctx context.Context, id int64, reason string) (store.Endpoint, error) {
	if err := validReason(reason); err != nil {
		return store.Endpoint{}, err
	}
	off := s.activation(false, reason)
	return s.save(ctx, id, store.EndpointPatch{Activation: &off})
}

// RotateSecret gives endpoint id a new secret: secret once checked
// (ValidateSecret), or a generated one when secret is empty. The new secret
// signs from now on, the old one also until Options.RotationWindow ends. A
// row that names no signature profile is saved with the one it is signed
// with (Profile), the one the new secret is checked for. The stored
// endpoint carries the new secret in full.
func (s *Service) RotateSecret(ctx context.Context, id int64, secret string) (store.Endpoint, error) {
	e, err := s.getEndpoint(ctx, id)
	if err != nil {
		return store.Endpoint{}, err
	}
	profile := s.Profile(e)
	secret, err = NewSecret(secret, profile)
	if err != nil {
		return store.Endpoint{}, err
	}
	rotation := store.SecretRotation{Secret: secret, PreviousExpiresAt: s.opts.Now().Add(max(s.opts.RotationWindow, 0)).UTC()}
	return s.save(ctx, id, store.EndpointPatch{Rotation: &rotation, SignatureProfile: &profile})
}

// PingEventType is the type of the events that PingEndpoint sends.
const PingEventType = "webhook.ping"

// PingEndpoint queues a PingEventType event, {"webhook_id": id}, for
// endpoint id only, whatever the event types it subscribes to, and returns
// its delivery. An endpoint that is not active is refused with
// ErrEndpointDisabled.
func (s *Service) PingEndpoint(ctx context.Context, id int64) (store.Delivery, error) {
	e, err := s.getEndpoint(ctx, id)
	if err != nil {
		return store.Delivery{}, err
	}
	if !e.Active {
		return store.Delivery{}, fmt.Errorf("endpoint %d %w", id, ErrEndpointDisabled)
	}
	ev := store.Event{ID: store.NewEventID(), Type: PingEventType, Data: fmt.Appendf(nil, `{"webhook_id":%d}`, id), TenantID: e.TenantID}
	ev.TraceParent, ev.TraceState = tracecontext.Of(ctx)
	res, err := s.store.Publish(ctx, ev, store.PublishOptions{MaxRetries: s.opts.DefaultMaxRetries, EndpointIDs: []int64{id}})
	if err != nil {
		return store.Delivery{}, fmt.Errorf("publish ping to endpoint %d: %w", id, err)
	}
	deliveries, err := s.store.ListDeliveries(ctx, store.DeliveryFilter{EventID: res.Event.ID, EndpointID: id, Limit: 1})
	if err != nil {
		return store.Delivery{}, fmt.Errorf("find ping delivery of endpoint %d: %w", id, err)
	}
	if len(deliveries) == 0 { // disabled since it was read
		return store.Delivery{}, fmt.Errorf("endpoint %d %w", id, ErrEndpointDisabled)
	}
	return deliveries[0], nil
}

// DeleteEndpoint removes endpoint id and, by cascade, its deliveries; an
// error matching store.ErrNotFound when there is none.
func (s *Service) DeleteEndpoint(ctx context.Context, id int64) error {
	if err := s.store.DeleteEndpoint(ctx, id); err != nil {
		return rowError("endpoint", id, err)
	}
	return nil
}

// getEndpoint reads endpoint id, its errors naming it once (rowError).
func (s *Service) getEndpoint(ctx context.Context, id int64) (store.Endpoint, error) {
	e, err := s.store.GetEndpoint(ctx, id)
	if err != nil {
		return store.Endpoint{}, rowError("endpoint", id, err)
	}
	return e, nil
}

// save writes p to endpoint id and returns the stored row.
func (s *Service) save(ctx context.Context, id int64, p store.EndpointPatch) (store.Endpoint, error) {
	saved, err := s.store.UpdateEndpoint(ctx, id, p)
	if err != nil {
		return store.Endpoint{}, rowError("endpoint", id, err)
	}
	return saved, nil
}

// rowError is err of the store about row kind id, naming the row once: a
// missing row is "endpoint 4: not found" (matching store.ErrNotFound),
// whatever the store was doing; other errors are the store's, which name
// the row and what it did ("update endpoint 4: …").
func rowError(kind string, id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s %d: %w", kind, id, store.ErrNotFound)
	}
	return err
}

// activation is a deliberate enable, or a disable with reason at now in UTC
// (store.Activation says what each changes).
func (s *Service) activation(active bool, reason string) store.Activation {
	if active {
		return store.Activation{Active: true}
	}
	return store.Activation{Reason: reason, At: s.opts.Now().UTC()}
}

// checkConfigTrust keeps the trust of endpoints that WEBHOOK_URLS defines
// (CreatedBy store.ConfigSource) with the operator: ErrConfigURL when p
// would change the URL of current, ErrConfigRemoved when p would enable
// current after WEBHOOK_URLS dropped it.
func checkConfigTrust(current store.Endpoint, p store.EndpointPatch) error {
	if current.CreatedBy != store.ConfigSource {
		return nil
	}
	if p.URL != nil && *p.URL != current.URL {
		return fmt.Errorf("endpoint %d: %w", current.ID, ErrConfigURL)
	}
	if a := p.Activation; a != nil && a.Active && !current.Active && current.DisabledReason == store.RemovedFromConfigReason {
		return fmt.Errorf("endpoint %d: %w", current.ID, ErrConfigRemoved)
	}
	return nil
}

// keepMaskedHeaders resolves the header values of an update: a value given
// as the mask of the stored value of that header keeps the stored value.
func keepMaskedHeaders(given, stored map[string]string) map[string]string {
	out := maps.Clone(given)
	maps.Copy(out, keptHeaderValues(given, stored))
	return out
}

// keptHeaderValues returns the headers of given whose value is the mask of
// the stored value of the same name: by name, the stored value they stand
// for.
func keptHeaderValues(given, stored map[string]string) map[string]string {
	kept := map[string]string{}
	for name, value := range given {
		for storedName, storedValue := range stored {
			if strings.EqualFold(name, storedName) && value == mask.HeaderValue(storedValue) {
				kept[name] = storedValue
				break
			}
		}
	}
	return kept
}
