package hookrelay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/internal/service"
	"github.com/hookrelay/hookrelay/internal/store"
)

// Signature profiles: which headers an endpoint's requests carry.
const (
	// ProfileStandard sends the X-Signature headers and the Standard Webhooks
	// headers (webhook-id, webhook-timestamp, webhook-signature).
	ProfileStandard = store.ProfileStandard
	// ProfileAckify sends Ackify CE's wire format instead: the payload bare,
	// User-Agent Ackify-Webhooks/1.0 and the X-Ackify-* headers with one
	// signature keyed with the secret's raw bytes.
	ProfileAckify = store.ProfileAckify
)

// MaxRetriesLimit is the most retries a delivery may be given: the largest
// Config.MaxRetries, WithMaxRetries, WEBHOOK_MAX_RETRIES and endpoint
// MaxRetries accept. It keeps the retry count below where Ackify CE's own
// retry-time function overflows PostgreSQL's interval (about 37); with the
// default one-hour backoff cap, 35 retries span about a day and a half.
const MaxRetriesLimit = store.MaxRetriesLimit

// createdByLibrary is the CreatedBy of endpoints created through the library.
const createdByLibrary = "library"

// Endpoint is a URL that receives the events it subscribes to, signed with
// its secret.
type Endpoint struct {
	ID  int64
	URL string
	// Secret signs the requests. On create, empty means a generated
	// "whsec_<base64>" one; a given one needs at least 16 bytes of key.
	Secret string
	// Events are exact types, "*", or prefixes such as "document.*"; empty
	// means every event.
	Events      []string
	Title       string
	Description string
	// Headers are sent with every request; they cannot replace hookrelay's.
	Headers map[string]string
	// MaxRetries overrides the client's retry budget (WithMaxRetries) for this
	// endpoint when set, from 0 to MaxRetriesLimit.
	MaxRetries *int
	// RateLimitPerSecond caps the requests started to the endpoint at this
	// many per second, across every worker of every process sharing the
	// database, with bursts of at most one second's worth; 0 (the default)
	// is unlimited, and at most 10000. Deliveries over the limit wait for
	// their turn: they are not failed and no attempt is counted. A 429 or
	// Retry-After answer halves the effective rate (at most once a second,
	// down to a sixteenth) until a minute after the last one.
	RateLimitPerSecond int
	// SignatureProfile is ProfileStandard or ProfileAckify; when empty,
	// CreateEndpoint gives the client's WithSignatureProfile (default
	// ProfileStandard). Under ProfileAckify the secret is used as raw bytes,
	// whatever its prefix, as Ackify CE does.
	SignatureProfile string
	// RequireVerification, on create, makes the endpoint prove ownership
	// before it receives anything else: it starts Unverified and is sent a
	// signed "webhook.verification" event whose data.challenge it must
	// echo (see VerifyEndpoint and the signature package). nil means
	// Config.RequireVerification. Only CreateEndpoint reads it.
	RequireVerification *bool
	// TenantID, on create, puts the endpoint in a tenant for good (Event.TenantID
	// says the rule): it receives only that tenant's events.
	TenantID string

	// The fields below are hookrelay's to set; CreateEndpoint ignores them.

	// Active is false once the endpoint is disabled, by DisableEndpoint or by
	// its failures; it then receives nothing until EnableEndpoint.
	Active          bool
	DisabledReason  string
	FailureCount    int
	LastDeliveredAt *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Unverified is true until the endpoint's answer echoes its latest
	// challenge: it receives nothing else meanwhile, and its other
	// deliveries wait (pending, no attempt counted). Endpoints created
	// without RequireVerification, from WEBHOOK_URLS or by an earlier
	// release are verified.
	Unverified bool
	// VerifiedAt is when an answer echoed a challenge; nil for an endpoint
	// that never had to.
	VerifiedAt *time.Time
	// ChallengeSentAt is when the latest challenge was made; nil when none was.
	ChallengeSentAt *time.Time
}

// CreateEndpoint validates e as the HTTP API does and stores it, active. The
// URL must be http or https, with a port from 1 to 65535 if it names one;
// unless WithAllowPrivateTargets, every address its host resolves to must be
// globally routable (not loopback, private, link-local, documentation or
// another special-purpose block, nor this host's own). An invalid endpoint is an
// error matching ErrInvalid. The returned endpoint carries its ID and secret.
// An endpoint that requires verification (RequireVerification) is sent its
// first challenge at once.
func (c *Client[TTx]) CreateEndpoint(ctx context.Context, e Endpoint) (Endpoint, error) {
	return c.createEndpoint(ctx, c.service, e)
}

// CreateEndpointTx creates e as CreateEndpoint does, in tx, the
// application's own open transaction (see Client for its type): the endpoint
// exists, and receives events, if and only if tx commits, so that an
// application can create a customer and their endpoint atomically. Events
// published in tx after it reach it. It runs in a savepoint of tx: an
// invalid endpoint (ErrInvalid) or a refused write leaves nothing of it in
// tx, and tx usable. Its verification challenge, when it requires one, is
// published in tx too.
func (c *Client[TTx]) CreateEndpointTx(ctx context.Context, tx TTx, e Endpoint) (Endpoint, error) {
	return c.endpointTx(ctx, tx, func(svc *service.Service) (Endpoint, error) { return c.createEndpoint(ctx, svc, e) })
}

// endpointTx runs change in a savepoint of tx with the service on the store
// seen from inside tx (inTx) and returns the endpoint it made.
func (c *Client[TTx]) endpointTx(ctx context.Context, tx TTx, change func(svc *service.Service) (Endpoint, error)) (Endpoint, error) {
	var out Endpoint
	err := c.inTx(ctx, tx, func(svc *service.Service) error {
		var err error
		out, err = change(svc)
		return err
	})
	if err != nil {
		return Endpoint{}, err
	}
	return out, nil
}

// createEndpoint is CreateEndpoint through svc.
func (c *Client[TTx]) createEndpoint(ctx context.Context, svc *service.Service, e Endpoint) (Endpoint, error) {
	created, err := svc.CreateEndpoint(ctx, store.Endpoint{
		URL: e.URL, Secret: e.Secret, Events: e.Events, Title: e.Title, Description: e.Description, Headers: e.Headers,
		MaxRetries: e.MaxRetries, SignatureProfile: e.SignatureProfile, Active: true, CreatedBy: createdByLibrary,
		RateLimitPerSecond: e.RateLimitPerSecond, TenantID: e.TenantID,
		Verification: store.EndpointVerification{Unverified: c.service.RequiresVerification(e.RequireVerification)},
	})
	return c.endpointResult(created, err, 0)
}

// EndpointUpdate is an edit of an endpoint (UpdateEndpoint): each field that
// is set replaces the stored one, the others keep theirs. Endpoint says what
// each field means.
type EndpointUpdate struct {
	URL         *string
	Events      *[]string
	Title       *string
	Description *string
	// Headers replaces every custom header; an empty map removes them all.
	Headers *map[string]string
	// MaxRetries sets the endpoint's retry budget, 0 to MaxRetriesLimit; it cannot be
	// cleared.
	MaxRetries *int
	// RateLimitPerSecond sets the endpoint's rate limit, 0 to 10000; 0
	// removes it.
	RateLimitPerSecond *int
	SignatureProfile   *string
}

// UpdateEndpoint changes the fields that u sets of endpoint id and returns
// the endpoint, or an error matching ErrNotFound. The endpoint it would make
// is validated as CreateEndpoint validates (an invalid one is an error
// matching ErrInvalid, and nothing is written), the host of its URL only
// when the URL changes. A new URL of an endpoint with custom headers comes
// with Headers given again (or emptied): their values are credentials that
// must not follow the endpoint to another host. Only the fields of u are
// written, so that the health record the workers keep meanwhile survives.
// The URL of an endpoint that `hookrelay serve` syncs from WEBHOOK_URLS
// cannot change. A new URL of an endpoint that had to prove ownership
// (Unverified, or VerifiedAt set), or of any endpoint under
// WithRequireVerification, makes it Unverified again and sends the new URL
// a challenge: it receives nothing else until it echoes it.
func (c *Client[TTx]) UpdateEndpoint(ctx context.Context, id int64, u EndpointUpdate) (Endpoint, error) {
	return c.updateEndpoint(ctx, c.service, id, u)
}

// UpdateEndpointTx updates endpoint id as UpdateEndpoint does, in tx, the
// application's own open transaction: it reads the endpoint as tx sees it
// (one created in tx included), and the change, with its challenge when the
// URL changes, exists if and only if tx commits. It runs in a savepoint of
// tx: a refused change (ErrInvalid, ErrNotFound, ErrConflict) leaves tx
// usable.
func (c *Client[TTx]) UpdateEndpointTx(ctx context.Context, tx TTx, id int64, u EndpointUpdate) (Endpoint, error) {
	return c.endpointTx(ctx, tx, func(svc *service.Service) (Endpoint, error) { return c.updateEndpoint(ctx, svc, id, u) })
}

// updateEndpoint is UpdateEndpoint through svc.
func (c *Client[TTx]) updateEndpoint(ctx context.Context, svc *service.Service, id int64, u EndpointUpdate) (Endpoint, error) {
	saved, err := svc.UpdateEndpoint(ctx, id, service.EndpointUpdate{
		Title: u.Title, URL: u.URL, Events: u.Events, Headers: u.Headers, Description: u.Description,
		MaxRetries: u.MaxRetries, SignatureProfile: u.SignatureProfile, RateLimitPerSecond: u.RateLimitPerSecond,
	})
	return c.endpointResult(saved, err, id)
}

// RotateSecret gives endpoint id a new secret: secret, checked as
// CreateEndpoint checks one (an error matching ErrInvalid), or a generated
// "whsec_<base64>" one when secret is empty. The new secret signs from now
// on; the old one signs too for Config.RotationWindow (DefaultRotationWindow,
// 24 hours, unless set; NoWait: not at all), so that receivers can roll over
// without losing a delivery. The returned endpoint carries the new secret.
func (c *Client[TTx]) RotateSecret(ctx context.Context, id int64, secret string) (Endpoint, error) {
	saved, err := c.service.RotateSecret(ctx, id, secret)
	return c.endpointResult(saved, err, id)
}

// PingEndpoint queues a "webhook.ping" event, {"webhook_id": id}, for
// endpoint id only, whatever the event types it subscribes to, so that its
// receiver can be tested; the workers deliver it like any event. A disabled
// endpoint is refused with an error; a missing one matches ErrNotFound.
func (c *Client[TTx]) PingEndpoint(ctx context.Context, id int64) (PublishResult, error) {
	d, err := c.service.PingEndpoint(ctx, id)
	if err != nil {
		return PublishResult{}, fmt.Errorf("hookrelay: ping: %w", public(err))
	}
	return PublishResult{EventID: d.EventID, Created: true, Deliveries: 1}, nil
}

// VerifyEndpoint sends unverified endpoint id a new challenge: a signed
// "webhook.verification" event whose data.challenge is a new random
// string; the previous challenge no longer counts. The endpoint stays
// Unverified until its answer echoes the new one. A verified or disabled
// endpoint is refused with an error matching ErrConflict; a missing one
// matches ErrNotFound.
func (c *Client[TTx]) VerifyEndpoint(ctx context.Context, id int64) (Endpoint, error) {
	saved, err := c.service.SendChallenge(ctx, id)
	return c.endpointResult(saved, err, id)
}

// GetEndpoint returns one endpoint, or an error matching ErrNotFound.
func (c *Client[TTx]) GetEndpoint(ctx context.Context, id int64) (Endpoint, error) {
	e, err := c.store.GetEndpoint(ctx, id)
	if err != nil {
		return Endpoint{}, fmt.Errorf("hookrelay: %w", err)
	}
	return c.endpointOf(e), nil
}

// ListEndpoints returns every endpoint, by ID.
func (c *Client[TTx]) ListEndpoints(ctx context.Context) ([]Endpoint, error) {
	return c.ListTenantEndpoints(ctx, "")
}

// disabledByLibrary is the reason of a DisableEndpoint that gives none.
const disabledByLibrary = "disabled by application"

// DisableEndpoint stops deliveries to an endpoint, recording reason (at most
// 2000 bytes; empty means "disabled by application"). Its queued deliveries
// wait, and new events skip it, until EnableEndpoint.
func (c *Client[TTx]) DisableEndpoint(ctx context.Context, id int64, reason string) (Endpoint, error) {
	return c.disableEndpoint(ctx, c.service, id, reason)
}

// DisableEndpointTx disables endpoint id as DisableEndpoint does, in tx, the
// application's own open transaction: deliveries stop once tx commits (a
// worker may still send one it claimed before). It runs in a savepoint of
// tx.
func (c *Client[TTx]) DisableEndpointTx(ctx context.Context, tx TTx, id int64, reason string) (Endpoint, error) {
	return c.endpointTx(ctx, tx, func(svc *service.Service) (Endpoint, error) { return c.disableEndpoint(ctx, svc, id, reason) })
}

// disableEndpoint is DisableEndpoint through svc.
func (c *Client[TTx]) disableEndpoint(ctx context.Context, svc *service.Service, id int64, reason string) (Endpoint, error) {
	if reason == "" {
		reason = disabledByLibrary
	}
	saved, err := svc.DisableEndpoint(ctx, id, reason)
	return c.endpointResult(saved, err, id)
}

// EnableEndpoint resumes deliveries to an endpoint, with a clean health
// record. An endpoint that `hookrelay serve` synced from WEBHOOK_URLS and
// that the operator has since removed from it stays disabled (an error).
func (c *Client[TTx]) EnableEndpoint(ctx context.Context, id int64) (Endpoint, error) {
	return c.enableEndpoint(ctx, c.service, id)
}

// EnableEndpointTx enables endpoint id as EnableEndpoint does, in tx, the
// application's own open transaction: deliveries resume once tx commits. It
// runs in a savepoint of tx.
func (c *Client[TTx]) EnableEndpointTx(ctx context.Context, tx TTx, id int64) (Endpoint, error) {
	return c.endpointTx(ctx, tx, func(svc *service.Service) (Endpoint, error) { return c.enableEndpoint(ctx, svc, id) })
}

// enableEndpoint is EnableEndpoint through svc.
func (c *Client[TTx]) enableEndpoint(ctx context.Context, svc *service.Service, id int64) (Endpoint, error) {
	saved, err := svc.EnableEndpoint(ctx, id)
	return c.endpointResult(saved, err, id)
}

// DeleteEndpoint removes an endpoint and its deliveries.
func (c *Client[TTx]) DeleteEndpoint(ctx context.Context, id int64) error {
	return deleteEndpoint(ctx, c.service, id)
}

// DeleteEndpointTx deletes endpoint id as DeleteEndpoint does, in tx, the
// application's own open transaction: the endpoint and its deliveries are
// gone once tx commits (a worker may still send one it claimed before). It
// runs in a savepoint of tx: a missing endpoint (ErrNotFound) leaves tx
// usable.
func (c *Client[TTx]) DeleteEndpointTx(ctx context.Context, tx TTx, id int64) error {
	return c.inTx(ctx, tx, func(svc *service.Service) error { return deleteEndpoint(ctx, svc, id) })
}

// deleteEndpoint is DeleteEndpoint through svc.
func deleteEndpoint(ctx context.Context, svc *service.Service, id int64) error {
	if err := svc.DeleteEndpoint(ctx, id); err != nil {
		return fmt.Errorf("hookrelay: %w", public(err))
	}
	return nil
}

// endpointResult is the library's answer to a change of endpoint id (0 for
// a new one): the saved endpoint, or err naming the endpoint once. The
// service's errors about the row name it already ("endpoint 4: not found");
// its validation errors name fields only, so they get the endpoint in
// front: "hookrelay: endpoint 4: url: is required", "hookrelay: create
// endpoint: url: …".
func (c *Client[TTx]) endpointResult(saved store.Endpoint, err error, id int64) (Endpoint, error) {
	switch {
	case err == nil:
		return c.endpointOf(saved), nil
	case !errors.Is(err, ErrInvalid):
		return Endpoint{}, fmt.Errorf("hookrelay: %w", public(err))
	case id == 0:
		return Endpoint{}, fmt.Errorf("hookrelay: create endpoint: %w", err)
	}
	return Endpoint{}, fmt.Errorf("hookrelay: endpoint %d: %w", id, err)
}

// endpointOf is the library's view of e; its SignatureProfile is the one
// requests are signed with, WithSignatureProfile's for a row that names none.
func (c *Client[TTx]) endpointOf(e store.Endpoint) Endpoint {
	return Endpoint{
		ID: e.ID, URL: e.URL, Secret: e.Secret, Events: e.Events, Title: e.Title, Description: e.Description,
		Headers: e.Headers, MaxRetries: e.MaxRetries, SignatureProfile: c.service.Profile(e),
		RateLimitPerSecond: e.RateLimitPerSecond,
		Active:             e.Active, DisabledReason: e.DisabledReason, FailureCount: e.FailureCount,
		LastDeliveredAt: e.LastDeliveredAt, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
		Unverified: e.Verification.Unverified, VerifiedAt: e.Verification.VerifiedAt,
		ChallengeSentAt: e.Verification.ChallengeSentAt, TenantID: e.TenantID,
	}
}
